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


def _tree_rss_kb(root: int) -> int:
    """Resident memory of a process and all its descendants, from /proc (Linux)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(stat[1])
            rss[int(entry.name)] = int(stat[21]) * (resource.getpagesize() // 1024)
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        kids = [c for c, p in parents.items() if p == pid and c not in tree]
        tree.update(kids)
        frontier += kids
    return sum(rss.get(pid, 0) for pid in tree)


def _import(paths: list[Path], db: Path, jobs: int, env: dict) -> dict:
    """One `jianbao ingest` in a child process: wall time and the peak RSS summed over its
    process tree (parent and workers), sampled every 0.2 s."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:       # a file, not a pipe: a full pipe would block
        proc = subprocess.Popen([sys.executable, "-m", "jianbao", "--db", str(db), "ingest",
                                 *map(str, paths), "--jobs", str(jobs)], env=env,
                                stdout=subprocess.DEVNULL, stderr=log, text=True)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.2)
        seconds = time.perf_counter() - start
        log.seek(0)
        summary = log.read().strip().splitlines()[-1]
    return {"seconds": round(seconds, 1), "exit": proc.returncode, "summary": summary,
            "peak_rss_mb_process_tree": round(peak / 1024, 1)}


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
