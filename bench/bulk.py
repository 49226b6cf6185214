"""Benchmark a bulk import: an archive of generated issues imported with 1 and 2 workers.

    python -m bench bulk [--issues 500 --scans 20] [--folder DIR]
    python -m bench bulk --issues 10 --alternate 5     # only: 5 pairs of --jobs 1 / --jobs 2

DIR/archive is generated once and reused: a later run with fewer --issues imports its first ones.

Goals (issue 19): `--jobs 2` >= 1.7x `--jobs 1` on the text archive, and not slower on 10 files.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import threading
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


def _one_core() -> None:
    """Pin the child (and the workers it starts) to one CPU: the single-core baseline."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _import(paths: list[Path], db: Path, jobs: int, env: dict, one_core: bool = False) -> dict:
    """One `jianbao ingest` in a child process (a fresh database): wall time, pages per second
    and the peak RSS summed over its process tree (parent and workers), sampled every 0.2 s beside
    the wait (the wall time is the process's own, not rounded up to the next sample: 10 files take
    about 2 s)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if one_core:
        env = {**env, "JIANBAO_OCR_THREADS": "1", "OMP_NUM_THREADS": "1"}
    start, used = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile("w+") as log:       # a file, not a pipe: a full pipe would block
        proc = subprocess.Popen([sys.executable, "-m", "jianbao", "--db", str(db), "ingest",
                                 *map(str, paths), "--jobs", str(jobs)], env=env,
                                stdout=subprocess.DEVNULL, stderr=log, text=True,
                                preexec_fn=_one_core if one_core else None)
        peaks, ended = [0], threading.Event()

        def sample() -> None:
            while not ended.wait(0.2):
                peaks.append(_tree_rss_kb(proc.pid))
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        proc.wait()
        seconds = time.perf_counter() - start
        ended.set()
        sampler.join()
        peak = max(peaks)
        now = resource.getrusage(resource.RUSAGE_CHILDREN)
        log.seek(0)
        lines = log.read().strip().splitlines()
    summary = lines[-1]
    workers = [int(line.split()[0]) for line in lines if " worker(s) beside this process: " in line]
    pages = int(summary.split("articles, ")[1].split(" pages")[0])
    cpu = (now.ru_utime - used.ru_utime) + (now.ru_stime - used.ru_stime)      # workers included
    return {"seconds": round(seconds, 2), "cpu_s": round(cpu, 1), "exit": proc.returncode, "summary": summary,
            "workers": workers[0] if workers else None,
            "pages_per_s": round(pages / seconds, 2), "peak_rss_mb_process_tree": round(peak / 1024, 1)}


BURN = "import time\nt = time.process_time()\nwhile time.process_time() - t < 1.0:\n    pass\n"


def cores_free(n: int = 2) -> float:
    """Cores this run gets: CPU seconds of `n` one-second busy loops run at once over their wall
    time (2.0 on an idle 2-core machine; on one shared with other work, what is left of it, which
    bounds what a second job can gain)."""
    used, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(n)]
    for proc in procs:
        proc.wait()
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    return round((now.ru_utime - used.ru_utime + now.ru_stime - used.ru_stime) / (time.perf_counter() - start), 2)


def _prepared(issues: int, scans: int, folder: Path) -> tuple[Path, list[Path], dict]:
    """The archive (built once), its first `issues` text PDFs (by date: an archive built before
    for more issues serves a smaller run) and the environment of the imports timed."""
    from models import train_models
    from fixtures.make_archive import make_archive
    archive = folder / "archive"
    if not archive.exists():
        make_archive(archive, issues, scans)
    models_dir = folder / "models"
    if not models_dir.exists():
        train_models(ROOT / "models" / "data", models_dir)
    from bench.startup import user_env
    env = {**user_env(folder), "JIANBAO_MODELS": str(models_dir), "JIANBAO_HOME": str(folder / "home")}
    text_files = sorted(p for p in archive.rglob("*.pdf") if "scans" not in p.parts)[:issues]
    return archive, text_files, env


def bench_alternate(issues: int, pairs: int, folder: str | None = None) -> dict:
    """`pairs` imports of the first `issues` text PDFs with `--jobs 1` then `--jobs 2`, one after
    the other (a load that comes and goes falls on both alike), after an untimed warm-up of each
    on the first 10 (the bytecode cache, the model and the files in the page cache):
    the ratio of each pair, and the lowest and the median (goal: never below 1.0 on 10 files)."""
    folder = Path(folder or tempfile.mkdtemp(prefix="jianbao-bulk-"))
    _, files, env = _prepared(issues, 0, folder)
    for jobs in (1, 2):
        _import(files[:10], folder / f"alternate-jobs{jobs}.db", jobs, env)
    out: dict = {"issues": len(files), "cores_free_before": cores_free(), "pairs": []}
    for _ in range(pairs):
        one, two = (_import(files, folder / f"alternate-jobs{j}.db", j, env) for j in (1, 2))
        out["pairs"].append({"jobs1_s": one["seconds"], "jobs2_s": two["seconds"], "ratio": _ratio(one, two),
                             "jobs2_workers": two["workers"],
                             "cpu_2_vs_1": round(two["cpu_s"] / max(one["cpu_s"], 0.1), 2)})
    ratios = sorted(p["ratio"] for p in out["pairs"])
    out |= {"ratio_min": ratios[0], "ratio_median": ratios[len(ratios) // 2], "cores_free_after": cores_free()}
    return out


def bench_bulk(issues: int = 500, scans: int = 20, folder: str | None = None) -> dict:
    folder = Path(folder or tempfile.mkdtemp(prefix="jianbao-bulk-"))
    archive, text_files, env = _prepared(issues, scans, folder)
    pages, raw_s = _raw_pdfplumber(text_files)
    out = {"issues": len(text_files), "scans": scans, "text_pages": pages,
           "raw_pdfplumber_pages_per_s": round(pages / raw_s, 1), "cores_free_before": cores_free()}
    # text PDFs and scans apart. pdfplumber runs on one thread, so `--jobs 1` on text PDFs is the
    # one-core baseline. One OCR process already runs onnxruntime on every core, so for scans the
    # one-core baseline is `--jobs 1` pinned to one CPU with one OCR thread, measured beside the
    # default `--jobs 1` (all cores inside one OCR process) and `--jobs 2`.
    text = text_files
    scan_dir = [archive / "scans"] if (archive / "scans").exists() else []
    runs = [("text", text, 1, False), ("text", text, 2, False)]
    if scan_dir:
        runs += [("scans", scan_dir, 1, True), ("scans", scan_dir, 1, False), ("scans", scan_dir, 2, False)]
    for name, paths, jobs, one_core in runs:
        key = f"{name}_jobs{jobs}" + ("_one_core" if one_core else "")
        out[key] = _import(paths, folder / f"{key}.db", jobs, env, one_core)
    out["text_scaling_2_vs_1"] = _ratio(out["text_jobs1"], out["text_jobs2"])
    # what the second job costs in CPU: on an idle machine the scaling is at most 2 / this
    out["text_cpu_2_vs_1"] = round(out["text_jobs2"]["cpu_s"] / out["text_jobs1"]["cpu_s"], 2)
    out["cores_free_after"] = cores_free()
    if scan_dir:
        out["scans_scaling_2_vs_one_core"] = _ratio(out["scans_jobs1_one_core"], out["scans_jobs2"])
        out["scans_threads_jobs1_vs_one_core"] = _ratio(out["scans_jobs1_one_core"], out["scans_jobs1"])
        out["scans_scaling_2_vs_1"] = _ratio(out["scans_jobs1"], out["scans_jobs2"])
        one = out["text_jobs1"]["seconds"] + out["scans_jobs1_one_core"]["seconds"]
        two = out["text_jobs2"]["seconds"] + out["scans_jobs2"]["seconds"]
        out["archive_scaling_2_cores_vs_1"] = round(one / two, 2)
    out["text_jobs1_vs_raw_pdfplumber"] = round(out["text_jobs1"]["pages_per_s"] / out["raw_pdfplumber_pages_per_s"], 2)
    # memory against archive size: the same import on a fifth of the text files
    fifth = text_files[:max(1, len(text_files) // 5)]
    small = _import(fifth, folder / "text-fifth-jobs2.db", 2, env)
    out["text_fifth_jobs2"] = small
    out["peak_rss_ratio_full_vs_fifth"] = round(
        out["text_jobs2"]["peak_rss_mb_process_tree"] / small["peak_rss_mb_process_tree"], 2)
    # a handful of files: a second worker must not make it slower (its start-up is paid once)
    ten = text_files[:10]
    for jobs in (1, 2):
        out[f"ten_files_jobs{jobs}"] = _import(ten, folder / f"ten-jobs{jobs}.db", jobs, env)
    out["ten_files_scaling_2_vs_1"] = _ratio(out["ten_files_jobs1"], out["ten_files_jobs2"])
    out["ten_files_cpu_2_vs_1"] = round(out["ten_files_jobs2"]["cpu_s"] / out["ten_files_jobs1"]["cpu_s"], 2)
    out["goal_scaling"] = 1.7
    out["goal_ten_files_scaling"] = 1.0
    return out


def _ratio(slow: dict, fast: dict) -> float:
    return round(slow["seconds"] / fast["seconds"], 2)
