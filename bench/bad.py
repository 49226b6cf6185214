"""Every kind of bad input through `jianbao ingest` in a child process, as a user runs it:
kinds tried, tracebacks, hangs (the run must end within a time limit), each input named,
seconds and the peak RSS of the run (python -m bench bad)."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from errors import display_path

ROOT = Path(__file__).resolve().parent.parent
HANG_SECONDS = 900


def bench_bad(jobs: int = 1) -> dict:
    from fixtures.make_bad_inputs import make_bad_inputs, make_odd_entries
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "batch"
        bad = make_bad_inputs(folder / "bad")
        odd = make_odd_entries(folder / "odd")
        shutil.copy(ROOT / "examples" / "2025-06.pdf", folder / "good.pdf")
        env = {**os.environ, "JIANBAO_DB": str(Path(tmp) / "bad.db")}
        command = [sys.executable, "-m", "jianbao", "ingest", str(folder), "--jobs", str(jobs), "--no-tag"]
        started = time.perf_counter()
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=HANG_SECONDS,
                                  errors="replace")
            out, hangs, code = done.stdout + done.stderr, 0, done.returncode
        except subprocess.TimeoutExpired as exc:
            out, hangs, code = str(exc.stderr or ""), 1, None
        seconds = time.perf_counter() - started
    named = sum(1 for p in bad if f"Error: {display_path(p)}: " in out)
    skipped = sum(1 for p, o in odd.items() if o == "skipped" and f"Skipped: {display_path(p)}: " in out)
    return {"kinds": len(bad) - 1 + len(odd), "bad_files": len(bad), "named": named,
            "odd_entries": len(odd), "skipped_with_reason": skipped,
            "tracebacks": out.count("Traceback"), "unexpected_failures": out.count("unexpected failure"),
            "hangs": hangs, "exit_code": code, "seconds": round(seconds, 1), "jobs": jobs,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}
