"""OCR benchmark and quality measures: jianbao's OCR path against raw RapidOCR, same images, same run.

    python bench/ocr.py [--pages N] [--quality] [--sweep]

`bench_ocr()` (called by `python -m bench ocr`) renders scans of the sample bulletins (clean
300 dpi and degraded 200 dpi, seeded), rasterises their pages as the OCR path does, and times on
the same page arrays, interleaved page by page so that load from other processes hits all alike:

- `raw`: RapidOCR's own pipeline (`engine(img)`, no line classifier) with the same detector
  settings as ours: the cost of OCR itself;
- `raw_default`: RapidOCR as shipped (global 2000 px cap, detector limit 736 "min", no
  classifier), for reference;
- `jianbao`: `ingest.ocr.ocr_image` (orientation, deskew, rules, detection, missed-glyph pass,
  recognition, lines with size/bold/red) plus the segmenter over the pages.

`ratio` = jianbao / raw (goal <= 1.1).

Choices, measured on this 2-core machine (shared, load 3-5 during the runs) with rapidocr 3.10
(PP-OCRv6 small det/rec models); `--sweep` reproduces the quality half (8 scans: the 4 samples
clean 300 dpi and degraded 200 dpi, 76 titles):

- detector limit (longer side of the copy the detector sees), detection alone, median of 12
  interleaved runs on 4 pages: 736 px 0.41 s, 960 px 0.54 s, 1280 px 1.06 s per page;
  RapidOCR's default (page capped at 2000 px, detector at that size) 1.5 s on a quiet machine.
  Quality: all three limits read all 76 titles, metadata and tables exactly with CER 0 (1280:
  one substitution, CER 0.00025), but at 736 px the detector loses the 9 pt page number on
  every page (only the missed-ink pass gets it back): small print is at its limit there.
  960 px is the choice: full detection, half the default's detection time.
- rasterisation: a scanned page is rendered at its image's own resolution (no resampling),
  clamped to 200-300 dpi; a page with no image at 300 dpi. Forcing 200 or 300 dpi on all 8
  scans gave the same perfect scores; the image steps (deskew, rules, ink) cost 0.05 s/page at
  200 dpi and 0.09 s at 300, and recognition time does not depend on resolution (crops are
  scaled to 48 px high), so resampling buys nothing. The 200 dpi floor (upsampling coarser
  scans) is a guess, not a measurement: it keeps enough pixels per stroke for the weight and
  extent measurements.
- the text-line orientation classifier is off: it doubled the time per page and can flip a
  whole upright page; rotated pages are found from projection profiles (90/270) and by
  comparing recognition scores of a few boxes turned by 180 degrees, only on pages whose mean
  score is low (an upright page pays nothing).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ("2019-03", "2025-06", "2025-11", "2026-02")


# ------------------------------------------------------------------ quality measures


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (numpy, one vectorised row at a time)."""
    if not a or not b:
        return len(a) + len(b)
    codes = np.fromiter((ord(c) for c in b), dtype=np.int64, count=len(b))
    steps = np.arange(len(b) + 1)
    prev = steps.copy()
    for i, ch in enumerate(a, 1):
        cur = np.empty_like(prev)
        cur[0] = i
        cur[1:] = np.minimum(prev[1:] + 1, prev[:-1] + (codes != ord(ch)))
        prev = np.minimum.accumulate(cur - steps) + steps       # insertions along the row
    return int(prev[-1])


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def score_bulletin(got, expected) -> dict:
    """Titles exact, CER of article text (whitespace ignored), metadata/tables/list equal."""
    exp_titles = [(a.title, a.subtitle) for a in expected.articles]
    got_titles = [(a.title, a.subtitle) for a in got.articles]
    errors = total = 0
    for i, art in enumerate(expected.articles):
        same = [a for a in got.articles if a.title == art.title]
        hyp = same[0] if same else (got.articles[i] if i < len(got.articles) else None)
        ref = _squeeze(art.text)
        errors += edit_distance(_squeeze(hyp.text) if hyp else "", ref)
        total += len(ref)

    def tables(b):
        return [(t.title, t.period, t.note, t.header, t.rows) for t in b.tables]

    return {"titles_exact": sum(t in got_titles for t in exp_titles), "titles": len(exp_titles),
            "articles": len(got.articles), "cer": round(errors / max(total, 1), 5),
            "meta": got.meta == expected.meta, "tables": tables(got) == tables(expected),
            "distribution": got.distribution == expected.distribution}


# ------------------------------------------------------------------ fixtures


def render_scans(folder: Path, samples=SAMPLES, degrade: bool = False, seed: int = 7) -> dict:
    """stem -> path of an image-only PDF of that sample (clean 300 dpi or degraded 200 dpi)."""
    from fixtures.render_bulletin import render_scan
    out = {}
    for stem in samples:
        path = folder / f"{stem}-{'degraded' if degrade else 'clean'}.pdf"
        if not path.exists():
            render_scan(ROOT / "examples" / "src" / f"{stem}.txt", path, degrade=degrade,
                        seed=seed)
        out[stem] = path
    return out


def page_images(pdf: Path, indices) -> list[tuple[np.ndarray, float]]:
    """The page arrays and dpi the OCR path uses for these pages."""
    import pypdfium2 as pdfium

    from ingest.ocr import _native_dpi, _render_dpi
    doc = pdfium.PdfDocument(str(pdf))
    try:
        out = []
        for i in indices:
            page = doc[i]
            dpi = _render_dpi(_native_dpi(page, page.get_width()))
            arr = page.render(scale=dpi / 72, rev_byteorder=True).to_numpy()[:, :, :3]
            out.append((np.ascontiguousarray(arr), dpi))
        return out
    finally:
        doc.close()


# ------------------------------------------------------------------ the benchmark


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def bench_ocr(pages_per_scan: int = 2, samples=("2025-06", "2026-02"), default: bool = True) -> dict:
    """Seconds per page for jianbao's OCR and raw RapidOCR on the same page images."""
    from rapidocr import RapidOCR

    from ingest import ocr
    from ingest.segment import pages_to_bulletin

    ours_engine = ocr.engine()
    raw_default = RapidOCR(params={"Global.log_level": "error"}) if default else None
    with tempfile.TemporaryDirectory() as tmp:
        scans = list(render_scans(Path(tmp), samples).values()) + \
            list(render_scans(Path(tmp), samples, degrade=True).values())
        images = [img for pdf in scans for img in page_images(pdf, range(pages_per_scan))]
    warm = images[0][0]
    ours_engine(warm, use_cls=False)                    # load sessions and warm the caches
    if raw_default:
        raw_default(warm, use_cls=False)
    t_raw, t_ours, t_default, pages = [], [], [], []
    for number, (img, dpi) in enumerate(images, 1):
        t_raw.append(_timed(lambda: ours_engine(img, use_cls=False))[0])
        elapsed, page = _timed(lambda: ocr.ocr_image(img, dpi, number))
        t_ours.append(elapsed)
        pages.append(page)
        if raw_default:
            t_default.append(_timed(lambda: raw_default(img, use_cls=False))[0])
    t_segment, _ = _timed(lambda: pages_to_bulletin(pages))
    n = len(images)
    ours_total = sum(t_ours) + t_segment
    result = {
        "pages": n, "dpi": sorted({round(d) for _, d in images}),
        "det_limit_px": ocr.DET_LIMIT,
        "jianbao_s_per_page": round(ours_total / n, 3),
        "raw_s_per_page": round(sum(t_raw) / n, 3),
        "segment_s_per_page": round(t_segment / n, 4),
        "ratio": round(ours_total / sum(t_raw), 3),
        "ratio_median_page": round(statistics.median(o / r for o, r in zip(t_ours, t_raw)), 3),
        "goal_ratio": 1.1,
    }
    if t_default:
        result["raw_default_s_per_page"] = round(sum(t_default) / n, 3)
        result["ratio_vs_raw_default"] = round(ours_total / sum(t_default), 3)
    return result


def quality(samples=SAMPLES) -> dict:
    """Parse clean and degraded scans of the samples; score against their sources."""
    from ingest import parse_file
    from fixtures.source import load_source

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for degrade in (False, True):
            for stem, pdf in render_scans(Path(tmp), samples, degrade=degrade).items():
                start = time.perf_counter()
                got = parse_file(pdf)
                secs = time.perf_counter() - start
                expected = load_source(ROOT / "examples" / "src" / f"{stem}.txt").bulletin
                key = f"{stem}-{'degraded' if degrade else 'clean'}"
                out[key] = {**score_bulletin(got, expected),
                            "s_per_page": round(secs / got.source.n_pages, 2)}
    return out


SWEEP = ((960, None), (736, None), (1280, None), (960, 300), (960, 200))


def sweep(samples=SAMPLES, configs=SWEEP) -> dict:
    """Quality and speed per (detector limit, forced rasterising dpi or None for the rule):
    the measurements behind DET_LIMIT and the rasterising resolution."""
    from ingest import ocr
    out = {}
    saved = ocr.DET_LIMIT, ocr._render_dpi
    try:
        for limit, dpi in configs:
            ocr.DET_LIMIT = limit
            ocr._ENGINES.clear()
            ocr._render_dpi = saved[1] if dpi is None else (lambda native, d=dpi: float(d))
            runs = quality(samples)
            out[f"det{limit}-{dpi or 'native'}dpi"] = {
                "cer_max": max(r["cer"] for r in runs.values()),
                "titles_exact": sum(r["titles_exact"] for r in runs.values()),
                "titles": sum(r["titles"] for r in runs.values()),
                "tables_ok": sum(r["tables"] for r in runs.values()),
                "meta_ok": sum(r["meta"] for r in runs.values()),
                "s_per_page": round(statistics.mean(r["s_per_page"] for r in runs.values()), 2),
                "runs": runs}
    finally:
        ocr.DET_LIMIT, ocr._render_dpi = saved
        ocr._ENGINES.clear()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2, help="pages per scan to time")
    ap.add_argument("--quality", action="store_true", help="CER/titles on all samples")
    ap.add_argument("--sweep", action="store_true", help="quality per detector limit")
    args = ap.parse_args(argv)
    if args.sweep:
        print(json.dumps(sweep(), indent=1))
    elif args.quality:
        print(json.dumps(quality(), indent=1))
    else:
        print(json.dumps(bench_ocr(args.pages), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
