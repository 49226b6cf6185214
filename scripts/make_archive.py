"""Generate an archive of bulletins for bulk tests and benchmarks.

    python scripts/make_archive.py OUT_DIR [--issues 500] [--scans 20] [--seed 0]

Each issue is a new source built from our own texts (the sample bulletins and the training
articles), numbered and dated in sequence, rendered in one of the layout variants into
OUT_DIR/<year>/; the first --scans issues are also written as scans. Deterministic by seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.source import load_source  # noqa: E402

VARIANTS = ("standard", "noto", "boldonly", "sizeonly", "twocol", "wide", "landscape")
MASTHEAD = ("@masthead 上海市邮政快递行业", "@masthead 党建、文明创建工作简报")
EDITOR = "@editor 上海市邮政管理局党建办、文明办编"


def article_pool() -> list[dict]:
    """Articles to draw from: training articles (paragraphs as written) with their labels."""
    pool = []
    for path in sorted((ROOT / "models" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                if 200 <= len(item["text"]) <= 1000 and len(item["title"]) <= 30:
                    pool.append(item)
    return pool


def source_text(no: int, date: dt.date, total: int, articles: list[dict], tail: list[str]) -> str:
    lines = [*MASTHEAD, f"@issue {date.year}年第{no}期（总第{total}期）", EDITOR,
             f"@date {date.year}年{date.month}月{date.day}日", ""]
    for art in articles:
        lines += [f"@title {art['title']}", f"@topics {' '.join(art['topics'])}",
                  f"@companies {' '.join(art['companies'])}", *art["text"].split("\n"), ""]
    return "\n".join(lines + tail) + "\n"


def table_and_lists(rng: random.Random) -> list[str]:
    """The submission table and distribution list of a random sample issue."""
    src = rng.choice(sorted((ROOT / "examples" / "src").glob("*.txt")))
    keep = [el for el in load_source(src).elements
            if el.kind in ("table_title", "period", "row", "note", "endtable", "report", "copy")]
    names = {"table_title": "@table", "period": "@period", "note": "@note", "endtable": "@endtable",
             "report": "@report", "copy": "@copy"}
    return [f"{names[el.kind]} {el.text}".strip() if el.kind in names else el.text for el in keep]


def make_archive(out: Path, issues: int = 500, scans: int = 20, seed: int = 0) -> list[Path]:
    """Write the archive; returns the files (text PDFs, then scans)."""
    from scripts.render_bulletin import render_pdf, render_scan
    rng = random.Random(seed)
    pool = article_pool()
    files = []
    date, no = dt.date(2006, 1, 10), 0
    for i in range(issues):
        previous, date = date, date + dt.timedelta(days=14)
        no = 1 if date.year != previous.year else no + 1
        text = source_text(no, date, 100 + i, rng.sample(pool, rng.randint(8, 10)), table_and_lists(rng))
        folder = out / str(date.year)
        folder.mkdir(parents=True, exist_ok=True)
        src = folder / f"{date.year}-{no:02d}.txt"
        src.write_text(text, encoding="utf-8")
        pdf = folder / f"{date.year}-{no:02d}.pdf"
        render_pdf(src, pdf, variant=VARIANTS[i % len(VARIANTS)])
        files.append(pdf)
        if i < scans:
            scan_dir = out / "scans"
            scan_dir.mkdir(exist_ok=True)
            files.append(scan_dir / f"{date.year}-{no:02d}-scan.pdf")
            render_scan(src, files[-1], dpi=200, degrade=i % 2 == 1, seed=seed + i)
        src.unlink()                                  # the archive holds what an office has: PDFs
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--issues", type=int, default=500)
    parser.add_argument("--scans", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(len(make_archive(args.out, args.issues, args.scans, args.seed)), "files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
