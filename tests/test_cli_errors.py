"""Every CLI command, given what users get wrong (a missing file, a folder, a file that is not
a database, a GBK file, an output folder that cannot be written), answers `Error: <path>: <reason>`
with exit 1 or 2, never a traceback."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from jianbao.cli import app

CORPUS_COMMANDS = [
    ("ingest", "{missing}"), ("runs",), ("articles",), ("show", "2025-06-01"),
    ("export",), ("stats",), ("trends",), ("trends", "--by", "company"), ("submissions",),
    ("search", "无人机"), ("label", "2025-06-01", "--topic", "+anti_fraud"),
    ("labels", "import", "{labels}"), ("labels", "export"), ("labels", "history"),
    ("review", "--export", "{out}"), ("reclassify",),
]
FILE_COMMANDS = [("tag", "{file}"), ("labels", "import", "{file}"), ("models", "evaluate", "{file}")]
OUTPUT_COMMANDS = [("export", "--out", "{out}"), ("export", "--format", "parquet", "--out", "{out}"),
                   ("labels", "export", "--out", "{out}"), ("review", "--export", "{out}"),
                   ("trends", "--plot", "{out}.png")]
MODEL_COMMANDS = [("models", "show", "nope"), ("models", "promote", "nope"), ("models", "evaluate", "{labels}")]


def run(args, **paths):
    result = CliRunner().invoke(app, [a.format(**paths) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"{args}: {type(result.exception).__name__}: {result.exception}"
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def paths(env, tmp_path):
    from pipeline.resources import open_corpus
    open_corpus(env / "test.db").close()          # an empty corpus at JIANBAO_DB
    labels = tmp_path / "labels.csv"
    labels.write_text("article_id,kind,label,action\n2025-06-01,topic,anti_fraud,add\n", encoding="utf-8")
    return {"missing": str(tmp_path / "missing.pdf"), "labels": str(labels),
            "out": str(tmp_path / "out.json"), "file": "", "tmp": tmp_path}


@pytest.mark.parametrize("args", CORPUS_COMMANDS, ids=" ".join)
def test_a_db_that_is_not_a_database_is_named(args, paths):
    not_db = paths["tmp"] / "notes.db"
    not_db.write_text("这不是数据库" * 200, encoding="utf-8")
    result = run(("--db", str(not_db), *args), **paths)
    assert result.exit_code == 1
    assert f"Error: {not_db}: is not a jianbao database" in result.stderr


@pytest.mark.parametrize("args", CORPUS_COMMANDS, ids=" ".join)
def test_a_db_that_is_a_folder_is_named(args, paths):
    result = run(("--db", str(paths["tmp"]), *args), **paths)
    assert result.exit_code == 1
    assert f"Error: {paths['tmp']}: is not a jianbao database" in result.stderr


@pytest.mark.parametrize("args", [a for a in CORPUS_COMMANDS if a[0] != "ingest"], ids=" ".join)
def test_a_mistyped_db_is_an_error_not_an_empty_corpus(args, paths):
    missing = paths["tmp"] / "jainbao.db"
    (paths["tmp"] / "jianbao.db").write_bytes(b"")
    result = run(("--db", str(missing), *args), **paths)
    assert result.exit_code == 2
    assert f"Error: {missing}: no corpus at this path" in result.stderr
    assert "jianbao.db" in result.stderr.split("no corpus")[1] and not missing.exists()


@pytest.mark.parametrize("args", FILE_COMMANDS, ids=" ".join)
def test_a_missing_input_file_is_named(args, paths):
    missing = paths["tmp"] / "missing.jsonl"
    result = run(args, **{**paths, "file": str(missing)})
    assert result.exit_code == 1
    assert f"Error: {missing}" in result.stderr and "no such file" in result.stderr


@pytest.mark.parametrize("args", FILE_COMMANDS, ids=" ".join)
def test_a_folder_given_as_input_file_is_named(args, paths):
    result = run(args, **{**paths, "file": str(paths["tmp"])})
    assert result.exit_code == 1
    assert f"Error: {paths['tmp']}" in result.stderr and "folder" in result.stderr


@pytest.mark.parametrize("args", FILE_COMMANDS, ids=" ".join)
def test_a_gbk_file_is_read_or_named(args, paths):
    gbk = paths["tmp"] / "gbk.jsonl"
    gbk.write_bytes('{"id": 1, "title": "顺丰快递员拾金不昧", "text": "快递员归还钱包。", '
                    '"topics": ["heroic_deeds"], "companies": ["sf"]}\n'.encode("gbk"))
    result = run(args, **{**paths, "file": str(gbk)})
    assert result.exit_code in (0, 1)
    if result.exit_code:
        assert f"Error: {gbk}" in result.stderr


@pytest.mark.parametrize("args", OUTPUT_COMMANDS, ids=" ".join)
def test_an_output_folder_that_cannot_be_written_is_named(args, paths):
    folder = paths["tmp"] / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):           # root ignores permissions: a folder that is a file
        folder.chmod(0o755)
        folder.rmdir()
        folder.write_text("a file, not a folder", encoding="utf-8")
    out = folder / "out.json"
    assert run(("ingest", "examples/2025-06.pdf"), **paths).exit_code == 0
    result = run(args, **{**paths, "out": str(out)})
    assert result.exit_code == 1
    assert f"Error: {out}" in result.stderr


@pytest.mark.parametrize("args", MODEL_COMMANDS, ids=" ".join)
def test_model_commands_name_what_is_wrong(args, paths, tmp_path, monkeypatch):
    monkeypatch.setenv("JIANBAO_MODELS", str(tmp_path / "no-models"))
    result = run(args, **paths)
    assert result.exit_code in (1, 2)
    assert result.stderr.startswith("Error: ")


@pytest.mark.parametrize("args", [("articles", "--topic", "antifraud"), ("trends", "--topic", "反欺诈"),
                                  ("search", "无人机", "--company", "shunfeng"),
                                  ("export", "--company", "sff")], ids=" ".join)
def test_a_wrong_label_name_is_a_usage_error_with_a_suggestion(args, paths):
    result = run(args, **paths)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: unknown ")


def test_chinese_names_and_aliases_are_accepted_as_filters(paths):
    assert run(("ingest", "examples/2025-06.pdf"), **paths).exit_code == 0
    by_key = run(("articles", "--company", "jt", "--format", "csv"), **paths)
    by_name = run(("articles", "--company", "极兔", "--format", "csv"), **paths)
    assert by_key.exit_code == by_name.exit_code == 0
    assert by_key.stdout == by_name.stdout and "极兔" in by_key.stdout
    assert run(("articles", "--topic", "反诈", "--format", "csv"), **paths).stdout == \
        run(("articles", "--topic", "anti_fraud", "--format", "csv"), **paths).stdout
