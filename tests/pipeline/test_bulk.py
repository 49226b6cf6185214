"""Bulk import: parallel workers, resume after kill -9, guards, the same corpus either way."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from pipeline.resources import open_corpus
from pipeline.importer import import_paths
from errors import DocumentTooSlow
from pipeline.worker import Job, Limits, work
from fixtures.make_archive import make_archive
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    out = tmp_path_factory.mktemp("archive")
    make_archive(out, issues=8, scans=0, seed=3)
    return out


def dump(db) -> dict:
    """The corpus content, without run ids and timestamps."""
    conn = sqlite3.connect(db)
    q = lambda sql: sorted(map(tuple, conn.execute(sql)))  # noqa: E731
    out = {"issues": q("SELECT issue_id, series, year, issue_no, total_no, date, sha256 FROM issues"),
           "articles": q("SELECT article_id, title, subtitle, text, pages FROM articles"),
           "labels": q("SELECT article_id, kind, label, value, score, model_version FROM labels"),
           "tables": q("SELECT issue_id, seq, title, period, note, header FROM doc_tables"),
           "documents": q("SELECT sha256, status FROM documents"),
           "fts": q("SELECT article_id FROM articles_fts")}
    conn.close()
    return out


def jianbao(*args, env):
    return subprocess.Popen([sys.executable, "-m", "jianbao", *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_killed_run_resumes_to_the_same_corpus(archive, tmp_path, models_dir):
    env = {**os.environ, "JIANBAO_MODELS": str(models_dir), "JIANBAO_HOME": str(tmp_path / "h"),
           "JIANBAO_WORKER_START_S": "0"}      # a worker, though 8 small files would not repay its start
    single = tmp_path / "single.db"
    assert jianbao("--db", single, "ingest", archive, "--jobs", "2", env=env).wait(300) == 0
    assert len(dump(single)["issues"]) == 8

    resumed = tmp_path / "resumed.db"
    proc = jianbao("--db", resumed, "ingest", archive, "--jobs", "2", env=env)
    deadline = time.time() + 240
    while time.time() < deadline:                     # kill -9 once some issues are in
        time.sleep(0.2)
        try:
            with sqlite3.connect(resumed, timeout=1) as conn:
                if conn.execute("SELECT COUNT(*) FROM issues").fetchone()[0] >= 2:
                    break
        except sqlite3.OperationalError:
            pass
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = dump(resumed)
    assert 2 <= len(partial["issues"]) < 8
    # every issue in the killed run's corpus is whole: all the articles the complete run has (the
    # generator writes 8-10 an issue, and one of them reads as 7: `n >= 8` failed whenever a kill
    # came after that issue was stored)
    def per_issue(corpus: dict) -> dict:
        return {i[0]: sum(a[0].startswith(i[0]) for a in corpus["articles"]) for i in corpus["issues"]}
    whole = per_issue(dump(single))
    assert all(n == whole[issue] for issue, n in per_issue(partial).items())
    again = jianbao("--db", resumed, "ingest", archive, "--jobs", "2", env=env)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert f"already present {len(partial['issues'])}" in err
    assert dump(resumed) == dump(single)


def test_worker_time_limit_is_reported_as_a_failure(tmp_path):
    sample = ROOT / "examples" / "2025-06.pdf"
    parsed = work(Job(str(sample), "x", "never", None, Limits(seconds=0.001), isolated=False))
    assert parsed.bulletin is None
    assert parsed.failure["type"] == "DocumentTooSlow"          # the class crosses the process boundary
    assert isinstance(parsed.error, DocumentTooSlow)
    assert str(parsed.error) == f"{sample}: took longer than the time limit per document: 0.001 s"


def test_parallel_import_matches_a_serial_one(archive, tmp_path, models_dir):
    """The same corpus whether documents are read here alone, or here and on a worker (started
    whatever its start-up: 8 small files would not repay it)."""
    dumps = []
    for jobs in (1, 2):
        db = tmp_path / f"j{jobs}.db"
        with open_corpus(db) as corpus:
            report = import_paths(corpus, [archive], models_dir, jobs=jobs, worker_start_s=0)
        assert report.counts["imported"] == 8 and report.exit_code == 0
        assert report.workers.started == jobs - 1
        dumps.append(dump(db))
    assert dumps[0] == dumps[1]


def test_the_same_import_runs_on_a_dask_cluster(archive, tmp_path, models_dir):
    import distributed                    # in the dev extra: a missing package is a failure
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        db = tmp_path / "dask.db"
        with open_corpus(db) as corpus:
            report = import_paths(corpus, [archive], models_dir, scheduler=cluster.scheduler_address)
        assert report.counts["imported"] == 8 and report.exit_code == 0
    serial = tmp_path / "serial.db"
    with open_corpus(serial) as corpus:
        import_paths(corpus, [archive], models_dir)
    assert dump(db) == dump(serial)
