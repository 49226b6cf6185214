"""The CLI contract: commands, exit codes and the exact `Error:` lines (library logic is tested
in the packages)."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from errors import display_path
from fixtures.source import load_source
from jianbao.cli import app
from fixtures.make_bad_inputs import make_bad_inputs, make_odd_entries
from tests.conftest import ROOT

SAMPLE = ROOT / "examples" / "2025-06.pdf"


def run(*args, input=None):
    return CliRunner().invoke(app, list(map(str, args)), input=input)


def test_ingest_then_export_lists_exactly_the_articles(env):
    result = run("ingest", SAMPLE)
    assert result.exit_code == 0, result.output
    out = run("export", "--what", "articles", "--format", "jsonl")
    assert out.exit_code == 0
    records = [json.loads(line) for line in out.stdout.splitlines()]
    source = load_source(ROOT / "examples" / "src" / "2025-06.txt")
    assert [(r["seq"], r["title"], r["subtitle"]) for r in records] == \
        [(a.seq, a.title, a.subtitle) for a in source.bulletin.articles]
    issue = records[0]["issue"]
    assert (issue["year"], issue["issue_no"], issue["total_no"], issue["date"]) == (2025, 6, 529, "2025-06-20")
    assert issue["series"] == "上海市邮政快递行业党建、文明创建工作简报"
    assert records[0]["article_id"] == "2025-06-01"
    # topics: every article is tagged, by the model, and mostly as its source says
    assert all(r["topics"] and {t["source"] for t in r["topics"]} == {"model"} for r in records)
    agree = sum({t["label"] for t in r["topics"]} >= set(lab.topics)
                for r, lab in zip(records, source.labels))
    assert agree >= 0.8 * len(records)


def test_second_ingest_adds_nothing(env):
    assert run("ingest", SAMPLE).exit_code == 0
    again = run("ingest", SAMPLE)
    assert again.exit_code == 0
    assert "already present 1" in again.stderr
    stats = json.loads(run("stats", "--format", "json").stdout)
    assert stats["issues"] == 1 and stats["articles"] == 10


def test_bad_files_are_named_the_good_ones_imported_exit_1(env, tmp_path):
    """Every kind of make_bad_inputs is named (no traceback, no hang), every odd folder entry
    skipped with a reason or imported, and the good files go in."""
    folder = tmp_path / "batch"
    bad = make_bad_inputs(folder / "bad")
    odd = make_odd_entries(folder / "odd")
    shutil.copy(SAMPLE, folder / "good.pdf")
    result = run("ingest", folder, "--jobs", "2")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(bad) - 1 + len(odd) >= 40                     # the two links of a loop are one kind
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == len(bad)
    for path in bad:
        assert any(line.startswith(f"Error: {display_path(path)}: ") for line in errors), path
    skipped = [path for path, outcome in odd.items() if outcome == "skipped"]
    for path in skipped:
        assert f"Skipped: {display_path(path)}: " in result.stderr, path
    assert f"skipped {len(skipped)}" in result.stderr
    for name, reason in (("encrypted.pdf", "the PDF is encrypted and needs a password"),
                         ("bomb.png", "the image is too large to read safely"),
                         ("blank_scan.pdf", "no text found on any page"),
                         ("blank_300_pages.pdf", "no text found on any page"),
                         ("truncated.pdf", "not a readable PDF"),
                         ("zip_named.pdf", "unsupported file type: a ZIP archive"),
                         ("loop_a.pdf", "the file cannot be opened: Too many levels of symbolic links")):
        assert f"Error: {folder / 'bad' / name}: {reason}" in result.stderr, name
    assert "unexpected" not in result.stderr
    stats = json.loads(run("stats", "--format", "json").stdout)
    readable = [p for p in bad if not p.is_symlink() and p.stat().st_size < 1 << 30]
    # keyed by content; the links and the huge file are failed before reading: keyed by path
    distinct = len({p.read_bytes() for p in readable}) + len(bad) - len(readable)
    assert stats["issues"] == 2 and stats["documents"] == {"imported": 2, "failed": distinct}


def test_missing_file_and_usage_errors(env):
    result = run("ingest", "no/such/file.pdf")
    assert result.exit_code == 1
    assert "Error: no/such/file.pdf: no such file or folder" in result.stderr
    assert run("export", "--what", "nonsense").exit_code == 2
    assert run("articles", "--since", "last-year").exit_code == 2


def test_articles_show_and_filters(env):
    run("ingest", SAMPLE)
    listing = json.loads(run("articles", "--format", "json").stdout)
    assert len(listing) == 10
    first = listing[0]["article_id"]
    shown = run("show", first)
    assert shown.exit_code == 0 and listing[0]["title"] in shown.stdout
    assert run("show", "1999-01-01").exit_code == 1
    topic = listing[0]["topics"].split(",")[0].rstrip("*")
    filtered = json.loads(run("articles", "--topic", topic, "--format", "json").stdout)
    assert first in {r["article_id"] for r in filtered} and len(filtered) < 10
    assert json.loads(run("articles", "--since", "2026-01", "--format", "json").stdout) == []


def test_tag_plain_text_jsonl(env):
    line = json.dumps({"id": "x1", "title": "顺丰开展反诈宣传",
                       "text": "顺丰速运在网点开展反诈宣传，提醒市民警惕冒充快递客服的诈骗电话。"},
                      ensure_ascii=False)
    result = run("tag", "-", input=line + "\n")
    assert result.exit_code == 0, result.output
    (out,) = [json.loads(x) for x in result.stdout.splitlines()]
    assert out["id"] == "x1"
    assert "anti_fraud" in [t["label"] for t in out["topics"]]
    assert [c["label"] for c in out["companies"]] == ["sf"]


def test_tag_offsets_index_the_records_own_text(env):
    text = "来源：区邮政管理局　2026-03-02\n顺丰网点开展反诈宣传\n近日，顺丰速运城南网点开展反诈宣传，中通快递也派员参加。"
    result = run("tag", "-", input=json.dumps({"id": "x3", "text": text}, ensure_ascii=False) + "\n")
    assert result.exit_code == 0, result.output
    (out,) = [json.loads(x) for x in result.stdout.splitlines()]
    spans = [(m["field"], text[m["start"]:m["end"]]) for m in out["mentions"]]
    assert spans == [("text", m["text"]) for m in out["mentions"]] and len(spans) == 3


def test_tag_says_why_a_name_is_set_aside(env):
    line = json.dumps({"id": "x2", "title": "警惕快递理赔诈骗",
                       "text": "市民赵女士网购了一件外套，包裹由韵达快递从广州寄往本市。随后一名自称客服的男子来电称"
                               "包裹丢失，诱导她转账“理赔保证金”，赵女士被骗走3000元。"}, ensure_ascii=False)
    result = run("tag", "-", input=line + "\n")
    assert result.exit_code == 0, result.output
    (out,) = [json.loads(x) for x in result.stdout.splitlines()]
    assert out["companies"] == []
    assert [(m["label"], m["role"], m["aside"]) for m in out["mentions"]] == [("yunda", "passing", "case")]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_formats(env, tmp_path, fmt):
    run("ingest", SAMPLE)
    out = tmp_path / f"tables.{fmt}"
    assert run("export", "--what", "tables", "--format", fmt, "--out", out).exit_code == 0
    if fmt == "csv":
        text = out.read_text(encoding="utf-8-sig")          # a BOM, for Excel
        header = text.splitlines()[0].split(",")
        assert header[0].startswith("issue_") and "issue_date" in header and "来稿及刊用情况" in text
        assert header[-5:] == ["title", "period", "note", "header", "rows"]
    else:
        import pyarrow.parquet as pq
        table = pq.read_table(out)
        assert table.num_rows == 1 and table.column("title")[0].as_py() == "来稿及刊用情况"


def test_retry_failed_and_runs(env, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    broken = folder / "issue.pdf"
    broken.write_bytes(SAMPLE.read_bytes()[:5000])           # a truncated download
    assert run("ingest", folder).exit_code == 1
    shutil.copy(SAMPLE, broken)                              # downloaded again, whole
    retry = run("ingest", "--retry-failed")
    assert retry.exit_code == 0, retry.stderr
    assert "imported 1" in retry.stderr
    runs = json.loads(run("runs", "--format", "json").stdout)
    assert [(r["failed"], r["imported"]) for r in runs] == [(0, 1), (1, 0)]
    done = run("ingest", "--retry-failed")                   # nothing left to retry
    assert done.exit_code == 0 and "no failed files to retry" in done.stderr
    assert run("ingest").exit_code == 2                      # no paths: a usage error


def test_models_evaluate_scores_a_labelled_file_and_lists_the_misses(env):
    right = {"id": "a1", "title": "顺丰开展反诈宣传", "topics": ["anti_fraud"], "companies": ["sf"],
             "text": "顺丰速运在全市网点开展反诈宣传，快递员向市民讲解冒充快递客服理赔的诈骗手法，提醒大家不要轻信陌生来电。"}
    wrong = {**right, "id": "a2", "topics": ["green_packaging"]}
    path = env / "labelled.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (right, wrong)) + "\n", encoding="utf-8")
    result = run("models", "evaluate", path, "--errors")
    assert result.exit_code == 0, result.output
    assert "topics — " in result.stdout and "companies — " in result.stdout
    anti_fraud = next(line for line in result.stdout.splitlines() if line.strip().startswith("anti_fraud"))
    assert anti_fraud.split()[-1] == "1"                 # support: one gold anti_fraud article
    assert "1 article(s) tagged differently" in result.stdout
    assert "a2  顺丰开展反诈宣传" in result.stdout and "green_packaging → anti_fraud" in result.stdout
    assert "a1  " not in result.stdout

    path.write_text(json.dumps({**right, "topics": ["no_such_topic"]}, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run("models", "evaluate", path)
    assert result.exit_code != 0
    assert f"{path}:1" in result.stderr and "no_such_topic" in result.stderr
    result = run("models", "evaluate", env / "absent.jsonl")
    assert result.exit_code != 0 and "absent.jsonl: no such file" in result.stderr


def test_series_add_and_list_then_ingest_recognises_the_masthead(env, tmp_path):
    from fixtures.render_report import CUSTOM_SERIES, render_custom_series
    pdf = tmp_path / "custom.pdf"
    render_custom_series(pdf)
    added = run("series", "add", CUSTOM_SERIES)
    assert added.exit_code == 0, added.output
    assert run("series", "add", CUSTOM_SERIES).exit_code == 0          # adding twice: one entry
    listed = run("series", "list", "--format", "json")
    assert json.loads(listed.stdout) == [{"series": CUSTOM_SERIES}]
    assert run("ingest", "--no-tag", pdf).exit_code == 0
    issue = json.loads(run("export", "--what", "articles", "--format", "jsonl").stdout.splitlines()[0])["issue"]
    assert (issue["series"], issue["issue_no"]) == (CUSTOM_SERIES, 4)


def test_series_add_refuses_a_name_on_two_lines(env):
    result = run("series", "add", "甲\n乙")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: a series name is 1-40 characters on one line")
