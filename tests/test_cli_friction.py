"""The archivist's and analyst's friction points, tried through the CLI as a new user would:
Excel CSVs, label files from Excel and Label Studio, the model list, the cluster extra."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from jianbao.cli import app
from tests.conftest import ROOT

SAMPLE = ROOT / "examples" / "2025-06.pdf"


def run(*args):
    result = CliRunner().invoke(app, list(map(str, args)))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def corpus(env):
    assert run("ingest", SAMPLE).exit_code == 0
    return env


def test_csv_files_open_in_excel_with_chinese_intact(corpus, tmp_path):
    out = tmp_path / "articles.csv"
    assert run("export", "--format", "csv", "--out", out).exit_code == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")                     # the BOM Excel needs for UTF-8
    assert "市邮政管理局" in data.decode("utf-8-sig")


def test_csv_has_one_flat_column_per_field_and_human_labels_apart(corpus, tmp_path):
    import csv
    assert run("label", "2025-06-01", "--topic", "+anti_fraud").exit_code == 0
    out = tmp_path / "articles.csv"
    assert run("export", "--format", "csv", "--out", out).exit_code == 0
    rows = {r["article_id"]: r for r in csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines())}
    first = rows["2025-06-01"]
    assert first["issue_date"] == "2025-06-20" and first["issue_total_no"] == "529"
    assert "anti_fraud" in first["topics"].split(";") and first["topics_human"] == "anti_fraud"
    assert rows["2025-06-02"]["topics_human"] == "" and all(p.isdigit() for p in first["pages"].split(";"))
    assert not any(v.startswith(("{", "[{")) for r in rows.values() for v in r.values())


def test_labels_from_excel_in_gbk_import(corpus, tmp_path):
    csv = tmp_path / "fixes.csv"
    csv.write_bytes("article_id,kind,label,action\n2025-06-01,topic,anti_fraud,add\n".encode("gbk"))
    result = run("labels", "import", csv)
    assert result.exit_code == 0 and "1 changed" in result.stderr


def test_every_bad_row_is_listed_and_nothing_is_imported(corpus, tmp_path):
    csv = tmp_path / "fixes.csv"
    csv.write_text("article_id,kind,label,action\n2025-06-01,topic,anti_fraud,add\n"
                   "2025-06-02,topic,antifraud,add\n2025-06-03,company,sf,maybe\n", encoding="utf-8")
    result = run("labels", "import", csv)
    assert result.exit_code == 1
    assert "2 bad row(s)" in result.stderr and "line 3" in result.stderr and "line 4" in result.stderr
    assert json.loads(run("labels", "history", "--format", "json").stdout or "[]") == []


@pytest.mark.parametrize("shape", ["json_min", "ls_csv"])
def test_label_studio_min_and_csv_exports_import(corpus, tmp_path, shape):
    if shape == "json_min":
        path = tmp_path / "export.json"
        path.write_text(json.dumps([{"article_id": "2025-06-01", "topics": ["anti_fraud"],
                                     "companies": {"choices": ["sf"]}}]), encoding="utf-8")
    else:
        path = tmp_path / "export.csv"
        path.write_text('article_id,topics,companies\n2025-06-01,"anti_fraud","sf"\n', encoding="utf-8")
    result = run("labels", "import", path)
    assert result.exit_code == 0
    assert " 0 changed" not in " " + result.stderr
    shown = json.loads(run("show", "2025-06-01", "--format", "json").stdout)
    assert [t["label"] for t in shown["topics"]] == ["anti_fraud"]
    assert [c["label"] for c in shown["companies"]] == ["sf"]


def test_models_list_shows_topic_and_company_f1_as_train_prints_them(env, models_dir):
    from models import active_version, read_meta
    test = read_meta(models_dir, active_version(models_dir))["metrics"]["test"]
    rows = json.loads(run("models", "list", "--format", "json").stdout)
    assert rows[0]["topics F1"] == round(test["topics"]["macro_f1"], 4)
    assert rows[0]["companies F1"] == round(test["companies"]["macro_f1"], 4)


def test_scheduler_without_the_cluster_extra_names_it(env, monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_distributed(name, *args, **kwargs):          # as on an install without the extra
        if name == "distributed":
            raise ImportError("No module named 'distributed'")
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_distributed)
    result = run("ingest", SAMPLE, "--scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == 2 and "jianbao[cluster]" in result.stderr


def test_review_shows_n_of_n_and_the_score_and_a_typo_asks_again(corpus):
    # a typo key, then edit with a wrong name, then the right one, then quit
    result = CliRunner().invoke(app, ["review", "--topic", "anti_fraud", "--limit", "3"],
                                input="x\ne\n+antifraud\n+anti_fraud\nq\n")
    assert result.exit_code == 0, result.output
    assert "1 of 3" in result.output and "anti_fraud 0." in result.output
    assert "not a key: 'x'" in result.output and "did you mean 'anti_fraud'" in result.output
    assert "edited 1" in result.stderr


def test_review_export_names_the_model_scores_every_label_and_writes_the_config(corpus, tmp_path, models_dir):
    """Issue 17: `review --export` wrote model_version "jianbao" and no labelling config."""
    import xml.etree.ElementTree as ET

    from models import active_version, label_keys
    out = tmp_path / "tasks.json"
    result = run("review", "--export", out, "--limit", "3")
    assert result.exit_code == 0 and "tasks.config.xml" in result.stderr
    tasks = json.loads(out.read_text(encoding="utf-8"))
    keys = label_keys()
    for task in tasks:
        prediction, = task["predictions"]
        assert prediction["model_version"] == active_version(models_dir)
        assert 0 <= prediction["score"] <= 1
        assert set(task["data"]["scores"]["topics"]) == set(keys["topic"])
    config = ET.fromstring((tmp_path / "tasks.config.xml").read_text(encoding="utf-8"))
    printed = ET.fromstring(run("review", "--config").stdout)
    for view in (config, printed):
        controls = {c.get("name"): [x.get("value") for x in c] for c in view.iter("Choices")}
        assert controls == {"topics": list(keys["topic"]), "companies": list(keys["company"])}
    # what Label Studio gives back for those tasks imports
    tasks[0]["annotations"] = [{"result": tasks[0]["predictions"][0]["result"]}]
    out.write_text(json.dumps(tasks[:1]), encoding="utf-8")
    assert run("labels", "import", out).exit_code == 0


def test_models_evaluate_reads_our_own_export_and_names_the_version(corpus, tmp_path, models_dir):
    from models import active_version
    out = tmp_path / "articles.jsonl"
    assert run("export", "--out", out).exit_code == 0
    result = run("models", "evaluate", out)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"model {active_version(models_dir)} on {out}")
    assert "topics — " in result.stdout and "companies — " in result.stdout
