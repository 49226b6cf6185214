"""Benchmark a bulk import: an archive of generated issues imported with 1 and 2 workers.

    python scripts/bench.py bulk [--issues 500 --scans 20]
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _raw_pdfplumber(files: list[Path]) -> tuple[int, float]:
    import pdfplumber
    pages, start = 0, time.perf_counter()
    for path in files:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_words(extra_attrs=["size", "fontname"])
                pages += 1
    return pages, time.perf_counter() - start


def _import(paths: list[Path], db: Path, jobs: int, env: dict) -> dict:
    """One `jianbao ingest` in a child process: wall time and the tree's peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "jianbao", "--db", str(db), "ingest", *map(str, paths),
                           "--jobs", str(jobs)], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    summary = proc.stderr.strip().splitlines()[-1]
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": round(seconds, 1), "exit": proc.returncode, "summary": summary,
            "max_rss_mb_of_largest_process": round(max(peak, before) / 1024, 1)}


def bench_bulk(issues: int = 500, scans: int = 20, folder: str | None = None) -> dict:
    import os

    from models import train_models
    from scripts.make_archive import make_archive
    folder = Path(folder or tempfile.mkdtemp(prefix="jianbao-bulk-"))
    archive = folder / "archive"
    if not archive.exists():
        make_archive(archive, issues, scans)
    models_dir = folder / "models"
    if not models_dir.exists():
        train_models(ROOT / "models" / "data", models_dir)
    env = {**os.environ, "JIANBAO_MODELS": str(models_dir), "JIANBAO_HOME": str(folder / "home")}
    text_files = sorted(p for p in archive.rglob("*.pdf") if "scans" not in p.parts)
    pages, raw_s = _raw_pdfplumber(text_files)
    out = {"issues": issues, "scans": scans, "text_pages": pages,
           "raw_pdfplumber_pages_per_s": round(pages / raw_s, 1)}
    # text PDFs and scans apart: one OCR process already keeps both cores busy (onnxruntime
    # threads), so scans cannot scale with workers on a 2-core machine while text PDFs do
    sets = {"text": sorted(p for p in archive.iterdir() if p.name != "scans"),
            "scans": [archive / "scans"] if (archive / "scans").exists() else []}
    for name, paths in sets.items():
        if not paths:
            continue
        for jobs in (1, 2):
            db = folder / f"{name}-jobs{jobs}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            run = _import(paths, db, jobs, env)
            n_pages = int(run["summary"].split("articles, ")[1].split(" pages")[0])
            run["pages_per_s"] = round(n_pages / run["seconds"], 2)
            out[f"{name}_jobs{jobs}"] = run
        out[f"{name}_scaling_2_vs_1"] = round(out[f"{name}_jobs1"]["seconds"] / out[f"{name}_jobs2"]["seconds"], 2)
    out["text_jobs1_vs_raw_pdfplumber"] = round(out["text_jobs1"]["pages_per_s"] / out["raw_pdfplumber_pages_per_s"], 2)
    out["goal_scaling"] = 1.7
    return out
