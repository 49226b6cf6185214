"""Workers: they die with the parent, the memory ceiling holds with one job too, the number of
workers by default is what pays off, and with any --jobs a worker starts only once it pays off."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import json
import time
from collections import deque
from pathlib import Path

import pytest

from fixtures.make_archive import make_archive
from fixtures.make_bad_inputs import flate_bomb as flate_bomb_pdf
from pipeline.importer import default_jobs, import_paths
from pipeline.lifeline import default_memory_mb, machine_memory_mb
from pipeline.pool import WorkerLog, _Pace, _steal
from pipeline.resources import open_corpus
from errors import DocumentTooLarge
from pipeline.worker import Job, Limits, Parsed, claim, work
from tests.conftest import ROOT


def flate_bomb(path: Path, inflated_mb: int = 1024) -> Path:
    """A one-page PDF whose content stream inflates to `inflated_mb` MB of spaces (~1 MB on disk)."""
    path.write_bytes(flate_bomb_pdf(inflated_mb))
    return path


def _address_space_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) // 1024
    raise LookupError("VmSize")


def test_the_memory_ceiling_holds_with_one_job_and_says_so(tmp_path):
    """Before: with --jobs 1 no ceiling applied, and when one tripped the reason read 'corrupt or
    truncated'. Now one job runs in a worker under the ceiling: the bomb fails by name (a
    MemoryError, or pdfium's abort on a failed allocation), the next file is imported, and this
    process keeps its own limits."""
    bomb = flate_bomb(tmp_path / "bomb.pdf", inflated_mb=2048)
    good = ROOT / "examples" / "2025-06.pdf"
    before = resource.getrlimit(resource.RLIMIT_AS)
    with open_corpus(tmp_path / "c.db") as corpus:
        report = import_paths(corpus, [bomb, good], None, ocr="never", jobs=1, limits=Limits(300, 1536))
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert [(f.path, f.error_type) for f in report.failures] == [(str(bomb), "DocumentTooLarge")]
    assert report.failures[0].reason == "needed more than the memory ceiling per document: the ceiling is 1536 MB (--max-memory-mb)"
    assert report.counts["imported"] == 1


def test_a_worker_that_aborts_under_the_ceiling_is_the_ceiling_not_a_bug():
    from joblib.externals.loky.process_executor import TerminatedWorkerError

    from pipeline.pool import _death
    job = Job("/archive/x.pdf", "x", limits=Limits(120, 900))
    aborted = TerminatedWorkerError("The exit codes of the workers are {SIGABRT(-6)}")
    assert isinstance(_death(job, aborted), DocumentTooLarge)
    assert _death(job, TerminatedWorkerError("{SIGSEGV(-11)}")).__class__.__name__ == "WorkerDied"
    assert _death(Job("/archive/x.pdf", "x", limits=Limits(120, None)), aborted).__class__.__name__ == "WorkerDied"


def test_the_default_ceiling_is_sized_to_the_machine():
    total = machine_memory_mb()
    assert total and default_memory_mb(1) == max(4096, total // 2)
    assert default_memory_mb(4) == max(4096, total // 8)
    assert Limits().sized(2).memory_mb == default_memory_mb(2)
    assert Limits(memory_mb=1000).sized(2).memory_mb == 1000


def test_workers_pay_off_only_with_enough_documents_and_idle_cores():
    assert default_jobs(1, cpus=2, load=0.0) == default_jobs(10, cpus=2, load=0.0) == 1
    assert default_jobs(16, cpus=2, load=0.0) == default_jobs(500, cpus=2, load=0.3) == 2
    assert default_jobs(500, cpus=1, load=0.0) == 1
    assert default_jobs(500, cpus=2, load=1.0) == default_jobs(500, cpus=2, load=4.0) == 1
    assert default_jobs(500, cpus=8, load=5.2) == 3


def test_a_worker_starts_only_when_the_reading_left_repays_its_start():
    """One per MARGIN start-ups of reading left, at this process's pace per page so far: ten small
    bulletins at 0.15 s each do not repay a start-up of 1.6 s (`--jobs 2` on them was slower than
    `--jobs 1`), 500 do, and so do nine of 200 pages."""
    small = [Job(f"/a/{i}.pdf", str(i), pages=6) for i in range(500)]
    pace = _Pace(0.8, small)
    pace.read(small[0], Parsed(small[0].path, "0", seconds=0.15))
    log = WorkerLog()
    assert pace.workers(deque(small[1:10]), 1, log) == 0
    assert log.why == ("9 document(s) left after 1 read here, about 1.3 s of reading, under 3x a "
                       "worker's start-up of about 1.6 s")
    assert pace.workers(deque(small[1:]), 1, log) == 1 and log.started == 1
    assert pace.workers(deque(small[1:]), 3, log) == 3
    long = [Job(f"/b/{i}.pdf", str(i), pages=200) for i in range(9)]
    assert pace.workers(deque(long), 1, log) == 1
    eager = _Pace(0.8, small, start_s=0)        # JIANBAO_WORKER_START_S=0
    eager.read(small[0], Parsed(small[0].path, "0", seconds=0.15))
    assert eager.workers(deque(small[1:10]), 1, log) == 1
    assert eager.workers(deque(small[1:3]), 3, log) == 1          # one for every two left


def test_a_job_a_worker_has_not_started_is_taken_back_not_waited_for(tmp_path):
    """At the end this process reads a job handed to a busy worker itself: the last handed that no
    one claimed; a worker then finds its claim taken and skips it."""
    sample = str(ROOT / "examples" / "2025-06.pdf")
    started, queued = (Job(sample, d, ocr="never", claim=str(tmp_path / d)) for d in ("a", "b"))
    running = {"future a": (started, None), "future b": (queued, None)}
    assert claim(started.claim)                              # the worker reads it
    log = WorkerLog()
    assert _steal(running, log) == queued and list(running) == ["future a"] and log.taken_back == 1
    assert _steal(running, log) is None                      # the one started is waited for
    skipped = work(queued)
    assert skipped.taken and skipped.bulletin is None and skipped.failure is None


def test_claims_of_a_run_killed_with_minus_9_are_swept_by_the_next(tmp_path):
    """A run killed with -9 cannot remove its claims folder; the next run removes the folders
    of processes that are gone, never a live run's."""
    from pipeline.pool import CLAIMS_PREFIX, sweep_claims
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    dead, live = tmp_path / f"{CLAIMS_PREFIX}{gone}-x1", tmp_path / f"{CLAIMS_PREFIX}{os.getpid()}-x2"
    for folder in (dead, live):
        folder.mkdir()
        (folder / "1").touch()
    sweep_claims(str(tmp_path))
    assert not dead.exists() and (live / "1").exists()


def test_jobs_2_over_a_few_small_files_reads_them_here_and_says_so(tmp_path, models_dir):
    """Before: `--jobs 2` started a worker for any two files, and on 10 small ones was slower
    than `--jobs 1`. Now `--jobs` is at most that many processes: three small files are read in
    this process alone, the run says so, and `jianbao runs` keeps why."""
    archive = tmp_path / "archive"
    make_archive(archive, issues=3, scans=0, seed=7)
    env = {**os.environ, "JIANBAO_MODELS": str(models_dir), "JIANBAO_HOME": str(tmp_path / "h")}
    db = str(tmp_path / "few.db")
    cli = [sys.executable, "-m", "jianbao", "--db", db]
    done = subprocess.run([*cli, "ingest", str(archive), "--jobs", "2"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "0 worker(s) beside this process: 2 document(s) left after 1 read here, about" in done.stderr
    assert "imported 3 " in done.stderr
    runs = subprocess.run([*cli, "runs", "--format", "json"], env=env, capture_output=True, text=True, check=True)
    assert json.loads(runs.stdout)[0]["workers"] == 0
    assert "run 1: 0 worker(s): 2 document(s) left after 1 read here" in runs.stderr
    assert " under 3x a worker's start-up of about " in runs.stderr


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_killed_parent(tmp_path, models_dir):
    """Before: kill -9 of `ingest --jobs 2` left its workers (and loky's resource tracker)
    running for 15+ minutes."""
    archive = tmp_path / "archive"
    make_archive(archive, issues=6, scans=0, seed=5)
    env = {**os.environ, "JIANBAO_MODELS": str(models_dir), "JIANBAO_HOME": str(tmp_path / "h"),
           "JIANBAO_WORKER_START_S": "0"}        # 6 small files would not repay a worker's start
    proc = subprocess.Popen([sys.executable, "-m", "jianbao", "--db", str(tmp_path / "k.db"), "ingest",
                             str(archive), "--jobs", "2"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline, workers = time.time() + 120, []
    while time.time() < deadline and len(workers) < 2:
        time.sleep(0.2)
        workers = [p for p in _children(proc.pid) if b"loky" in Path(f"/proc/{p}/cmdline").read_bytes()]
    assert len(workers) >= 2, "the workers never started"       # and loky's resource tracker
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(5)
    assert [p for p in workers if _alive(p)] == []
