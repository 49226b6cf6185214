"""Benchmark start-up: whole processes, as a user runs them, against the raw library in one run.

    python -m bench startup [--repeat 3]

- a one-file `jianbao ingest` of a 9-page text PDF (fresh database in a temporary folder), with
  and without tagging, against a plain pdfplumber script over the same file;
- `jianbao search` and `jianbao stats` through the CLI on a generated 20,000-article corpus;
- which heavy libraries each command imports (python -X importtime).

Runs are interleaved and the best of `repeat` is kept (the least disturbed by the rest of a
loaded machine); wall and CPU seconds are both given. Goals (issue 19): ingest <= 2.5x the
pdfplumber script, search and stats <= 0.6 s.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sklearn", "scipy", "pandas", "spacy", "pkg_resources", "jieba", "numpy", "joblib")
PLUMBER = ("import sys, pdfplumber\n"
           "with pdfplumber.open(sys.argv[1]) as pdf:\n"
           "    for page in pdf.pages:\n"
           "        page.extract_words(extra_attrs=['size', 'fontname'])\n")


def user_env(folder: Path) -> dict:
    """The environment of the processes timed: as a user's, with Python's bytecode cache. A
    session that sets PYTHONDONTWRITEBYTECODE makes every jianbao module compile from source at
    each start (~60 ms here), while the libraries' caches came with their wheels: the raw script
    would be timed with its bytecode and jianbao without. Both sides share a cache folder of their
    own (PYTHONPYCACHEPREFIX), written by the untimed warm-up run, so the checkout stays clean."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": str(folder / "pycache")}


def _run(argv: list[str], env: dict, before=None) -> tuple[float, float]:
    """(wall, CPU) seconds of one process; `before` runs first, untimed (a fresh database)."""
    if before:
        before()
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (now.ru_utime - used.ru_utime) + (now.ru_stime - used.ru_stime)


def _heavy_imports(argv: list[str], env: dict, before=None) -> list[str]:
    if before:
        before()
    out = subprocess.run([sys.executable, "-X", "importtime", *argv[1:]], env=env, capture_output=True,
                         text=True)
    cumulative = {}
    for line in out.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            _, total, name = line.split("|")
            if total.strip().isdigit():
                cumulative[name.strip()] = int(total)
    # an import refused on purpose (jieba's of pkg_resources) is listed too, at a few microseconds
    return sorted(h for h in HEAVY if cumulative.get(h, 0) > 1000)


def nine_page_pdf(folder: Path) -> Path:
    """A 9-page text bulletin from the archive generator (deterministic)."""
    import pypdfium2

    from fixtures.make_archive import make_archive
    archive = folder / "archive"
    if not archive.exists():
        make_archive(archive, issues=6, scans=0, seed=0)
    pdfs = sorted(archive.rglob("*.pdf"))
    pages = {p: len(pypdfium2.PdfDocument(str(p))) for p in pdfs}
    return next((p for p in pdfs if pages[p] == 9), max(pdfs, key=pages.get))


def models_home(folder: Path) -> Path:
    """The checkout's model (make model) if it has one, else one trained here."""
    from models import active_version, train_models
    mine = ROOT / ".jianbao" / "models"
    if active_version(mine):
        return mine
    target = folder / "models"
    if not active_version(target):
        train_models(ROOT / "models" / "data", target)
    return target


def bench_startup(repeat: int = 3, folder: str | None = None, articles: int = 20_000) -> dict:
    from bench.corpus import build_corpus
    folder = Path(folder or tempfile.mkdtemp(prefix="jianbao-startup-"))
    folder.mkdir(parents=True, exist_ok=True)
    pdf = nine_page_pdf(folder)
    corpus = folder / "corpus20k.db"
    if not corpus.exists():
        build_corpus(corpus, articles)
    env = {**user_env(folder), "JIANBAO_MODELS": str(models_home(folder)), "JIANBAO_HOME": str(folder / "home")}
    db = folder / "one.db"

    def fresh():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)

    jb = [sys.executable, "-m", "jianbao"]
    commands = {
        "pdfplumber_script": ([sys.executable, "-c", PLUMBER, str(pdf)], None),
        "ingest": ([*jb, "--db", str(db), "ingest", str(pdf)], fresh),
        "ingest_no_tag": ([*jb, "--db", str(db), "ingest", "--no-tag", str(pdf)], fresh),
        "search": ([*jb, "--db", str(corpus), "search", "无人机"], None),
        "stats": ([*jb, "--db", str(corpus), "stats"], None),
    }
    for argv, before in commands.values():          # warm: caches written, files in the page cache
        _run(argv, env, before)
    best = {name: (float("inf"), float("inf")) for name in commands}
    for _ in range(repeat):
        for name, (argv, before) in commands.items():
            wall, cpu = _run(argv, env, before)
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    import pypdfium2
    out = {"pdf_pages": len(pypdfium2.PdfDocument(str(pdf))), "corpus_articles": articles, "repeat": repeat}
    for name, (wall, cpu) in best.items():
        out[name] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3)}
    raw = best["pdfplumber_script"]
    for name in ("ingest", "ingest_no_tag"):
        out[f"{name}_vs_pdfplumber"] = {"wall": round(best[name][0] / raw[0], 2),
                                        "cpu": round(best[name][1] / raw[1], 2)}
    out["heavy_imports"] = {name: _heavy_imports(argv, env, before)
                            for name, (argv, before) in commands.items() if name != "pdfplumber_script"}
    out["goals"] = {"ingest_vs_pdfplumber": 2.5, "search_s": 0.6, "stats_s": 0.6}
    return out
