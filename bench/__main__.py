"""Benchmarks: jianbao against the raw libraries on the same input, in one run.

    python -m bench parse|ocr|tag|corpus|bulk|serve|startup|all [--repeat N]
    python -m bench ocr --quality | --sweep | --real DIR [--expect TSV] | --traits | --orientation

Targets (from the issues): parse >= 4x the pages/s of pdfplumber's extract_words (issue 19);
OCR <= 1.1x raw RapidOCR; tagging >= 300 articles/s on one core.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _best_of_turns(fns, repeat: int) -> list[tuple[float, float]]:
    """(best CPU time, best wall time) of each function, run in turns so that a burst of load
    from the rest of the machine falls on both sides alike."""
    cpu: list[list[float]] = [[] for _ in fns]
    wall: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            c, w = time.process_time(), time.perf_counter()
            fn()
            cpu[i].append(time.process_time() - c)
            wall[i].append(time.perf_counter() - w)
    return [(min(c), min(w)) for c, w in zip(cpu, wall)]


def bench_parse(repeat: int = 3) -> dict:
    """Full parse (pypdfium2 glyphs, drawings and pdfplumber's table finder -> lines ->
    bulletin) vs pdfplumber extract_words. Both run on one thread, so the ratio is taken on
    CPU time, which other work on a shared machine disturbs far less than wall time."""
    import pdfplumber

    from ingest import parse_file
    pdfs = sorted((ROOT / "examples").glob("*.pdf"))
    pages = 0
    for pdf in pdfs:
        with pdfplumber.open(pdf) as doc:
            pages += len(doc.pages)

    def raw():
        for pdf in pdfs:
            with pdfplumber.open(pdf) as doc:
                for page in doc.pages:
                    page.extract_words(extra_attrs=["size", "fontname"])

    def full():
        for pdf in pdfs:
            parse_file(pdf, ocr="never")

    raw(), full()                                 # warm caches and imports once
    (t_raw, w_raw), (t_full, w_full) = _best_of_turns((raw, full), repeat)
    return {"files": len(pdfs), "pages": pages,
            "raw_extract_words_pages_per_cpu_s": round(pages / t_raw, 1),
            "jianbao_parse_pages_per_cpu_s": round(pages / t_full, 1),
            "speedup": round(t_raw / t_full, 2), "goal_speedup": 4.0,
            "wall_speedup": round(w_raw / w_full, 2)}


def bench_ocr(repeat: int = 3) -> dict:
    from bench.ocr import bench_ocr as run
    return run(repeat=repeat)


def bench_tag(repeat: int = 1) -> dict:
    from bench.tag import bench_tag as run
    return run()


def bench_corpus(repeat: int = 1, articles: int = 200_000, folder: str | None = None) -> dict:
    from bench.corpus import bench_corpus as run
    return run(articles, folder)


def bench_bulk(repeat: int = 1, issues: int = 500, scans: int = 20, folder: str | None = None,
               alternate: int = 0) -> dict:
    from bench.bulk import bench_alternate, bench_bulk as run
    return bench_alternate(issues, alternate, folder) if alternate else run(issues, scans, folder)


def bench_startup(repeat: int = 3, folder: str | None = None) -> dict:
    from bench.startup import bench_startup as run
    return run(repeat, folder)


def bench_serve(repeat: int = 1) -> dict:
    from bench.serve import bench_serve as run
    return run()


def bench_bad(repeat: int = 1) -> dict:
    from bench.bad import bench_bad as run
    return run()


SECTIONS = {"parse": bench_parse, "ocr": bench_ocr, "tag": bench_tag, "corpus": bench_corpus,
            "bulk": bench_bulk, "serve": bench_serve,
            "startup": bench_startup, "bad": bench_bad}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("section", choices=[*SECTIONS, "all"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--issues", type=int, default=500, help="bulk: generated issues")
    parser.add_argument("--scans", type=int, default=20, help="bulk: generated scans")
    parser.add_argument("--alternate", type=int, default=0, metavar="N",
                        help="bulk: only N pairs of --jobs 1 / --jobs 2 imports of the text issues, one after the other")
    parser.add_argument("--articles", type=int, default=200_000, help="corpus: articles to generate")
    parser.add_argument("--folder", help="corpus, bulk, startup: where the inputs are built (and reused "
                        "when there: bench.db, the archive)")
    args, rest = parser.parse_known_args(argv)
    if args.section == "ocr" and rest:                 # python -m bench ocr --quality, --real DIR ...
        from bench.ocr import main as ocr_main
        return ocr_main(rest + ["--repeat", str(args.repeat)])
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    names = list(SECTIONS) if args.section == "all" else [args.section]
    for name in names:
        extra = {"issues": args.issues, "scans": args.scans, "folder": args.folder,
                 "alternate": args.alternate} if name == "bulk" else \
            {"articles": args.articles, "folder": args.folder} if name == "corpus" else \
            {"folder": args.folder} if name == "startup" else {}
        result = SECTIONS[name](args.repeat, **extra)
        print(json.dumps({name: result}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
