"""Render a bulletin source (examples/src/*.txt) as a text PDF, a scan, or a mix of both.

Layout runs once into a display list (pages of text runs and rules, in points, origin top-left);
`emit_pdf` writes it with fpdf2, and scans rasterise that PDF (see scripts/scanify.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from dataclasses import dataclass
from pathlib import Path

if __name__ == "__main__" and not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.source import Source, load_source  # noqa: E402
from scripts import bulletin_fonts, scanify  # noqa: E402
from scripts.bulletin_layout import (  # noqa: E402, F401  (re-exported for callers)
    DECOR, VARIANTS, Metrics, PageOps, Rule, Text, Variant, paginate)

ROOT = Path(__file__).resolve().parents[1]
FIXED_DATE = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


@dataclass(frozen=True, slots=True)
class Document:
    """A laid-out bulletin: pages plus the regular and bold font files they use."""

    pages: tuple[PageOps, ...]
    fonts: tuple[Path, Path]
    variant: Variant


def as_source(source: str | Path | Source) -> Source:
    """A parsed source, loading it if given a path."""
    return source if isinstance(source, Source) else load_source(source)


def layout(source: str | Path | Source, variant: str | Variant = "standard") -> Document:
    """Lay a bulletin out into pages of draw ops."""
    v = variant if isinstance(variant, Variant) else VARIANTS[variant]
    els = list(as_source(source).elements)
    chars = "".join(e.text for e in els) + DECOR
    fonts = (bulletin_fonts.face_path(v.family, 400, chars),
             bulletin_fonts.face_path(v.family, 700, chars))
    m = Metrics(bulletin_fonts.load_face(fonts[0]), bulletin_fonts.load_face(fonts[1]))
    missing = bulletin_fonts.missing_chars(m.regular, chars)
    if missing:
        print(f"warning: {v.family} has no glyph for {missing!r}", file=sys.stderr)
    return Document(paginate(els, v, m), fonts, v)


def emit_pdf(doc: Document, images: dict | None = None) -> bytes:
    """Write the display list with fpdf2; pages numbered in `images` become scanned images."""
    from fpdf import FPDF

    images = images or {}
    pdf = FPDF(unit="pt", format=(doc.pages[0].width, doc.pages[0].height))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_creator("jianbao scripts/render_bulletin.py")
    if len(images) < len(doc.pages):
        pdf.add_font("body", "", str(doc.fonts[0]))
        pdf.add_font("bodyb", "", str(doc.fonts[1]))
    for number, page in enumerate(doc.pages, 1):
        if number in images:
            scanify.add_image_page(pdf, images[number])
            continue
        pdf.add_page(format=(page.width, page.height))
        for op in page.ops:
            (_draw_text if isinstance(op, Text) else _draw_rule)(pdf, op, doc.variant)
    return bytes(pdf.output())


def _draw_text(pdf, op: Text, v: Variant) -> None:
    """One text run; bold is the Bold face, stroked as well when the variant asks for it."""
    from fpdf.enums import TextMode

    stroke = op.bold and v.bold_stroke > 0
    with pdf.local_context(text_color=op.color, draw_color=op.color,
                           text_mode=TextMode.FILL_STROKE if stroke else TextMode.FILL,
                           line_width=op.size * v.bold_stroke if stroke else 0.2):
        pdf.set_font("bodyb" if op.bold else "body", size=op.size)
        if op.spacing:
            pdf.set_char_spacing(round(op.spacing, 3))
        pdf.text(op.x, op.y, op.text)


def _draw_rule(pdf, op: Rule, v: Variant) -> None:
    """One straight line."""
    with pdf.local_context(draw_color=op.color, line_width=op.width):
        pdf.line(op.x0, op.y0, op.x1, op.y1)


def _write(data: bytes, out: str | Path | None) -> bytes:
    """Write `data` to `out` (if given) and pass it through."""
    if out is not None:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_bytes(data)
    return data


def render_pdf(source: str | Path | Source, out: str | Path | None = None, *,
               variant: str | Variant = "standard") -> bytes:
    """Render a text PDF; returns its bytes (and writes `out` if given)."""
    return _write(emit_pdf(layout(source, variant)), out)


def render_scan(source: str | Path | Source, out: str | Path | None = None, *,
                variant: str | Variant = "standard", dpi: int | None = None,
                degrade: bool = False, seed: int = 0, rotate: int = 0,
                pages: tuple[int, ...] | None = None, images_dir: str | Path | None = None,
                image_format: str = "png", stem: str = "page") -> bytes:
    """Render a scan: image-only, or mixed when `pages` (1-based) picks the scanned pages."""
    if rotate not in (0, 90, 180):
        raise ValueError(f"rotate must be 0, 90 or 180, not {rotate}")
    doc = layout(source, variant)
    text_pdf = emit_pdf(doc)
    wanted = tuple(sorted(set(pages))) if pages else tuple(range(1, len(doc.pages) + 1))
    if not all(1 <= n <= len(doc.pages) for n in wanted):
        raise ValueError(f"scan pages {wanted} outside 1..{len(doc.pages)}")
    opts = scanify.ScanOptions(dpi or (200 if degrade else 300), degrade, seed, rotate)
    images = scanify.scan_pages(text_pdf, wanted, opts)
    if images_dir is not None:
        scanify.write_images(images, Path(images_dir), stem, image_format)
    return _write(emit_pdf(doc, images), out)


def render_all(root: Path = ROOT) -> list[tuple[Path, int, float]]:
    """Regenerate the committed examples: NAME.pdf, scans/NAME-scan.pdf, one degraded scan."""
    done = []
    for i, src in enumerate(sorted((root / "examples" / "src").glob("*.txt"))):
        jobs = [(root / "examples" / f"{src.stem}.pdf", lambda o, s=src: render_pdf(s, o)),
                (root / "examples" / "scans" / f"{src.stem}-scan.pdf",
                 lambda o, s=src: render_scan(s, o))]
        if i == 0:
            jobs.append((root / "examples" / "scans" / f"{src.stem}-degraded.pdf",
                         lambda o, s=src: render_scan(s, o, degrade=True, seed=0)))
        for out, job in jobs:
            start = time.perf_counter()
            data = job(out)
            done.append((out, len(data), time.perf_counter() - start))
    return done


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", nargs="?", help="bulletin source .txt")
    ap.add_argument("-o", "--out", help="output PDF")
    ap.add_argument("--all", action="store_true", help="regenerate all committed examples")
    ap.add_argument("--variant", default="standard", choices=sorted(VARIANTS))
    ap.add_argument("--scan", action="store_true", help="image-only PDF")
    ap.add_argument("--dpi", type=int, default=None, help="scan resolution (300; 200 degraded)")
    ap.add_argument("--degrade", action="store_true", help="skew, noise, blur, paper tone")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rotate", type=int, default=0, choices=(0, 90, 180))
    ap.add_argument("--images-dir", help="also write the page images here")
    ap.add_argument("--image-format", default="png", choices=("png", "jpg", "tiff"))
    ap.add_argument("--scan-pages", help="mixed PDF: scan only these pages, e.g. 2,3")
    args = ap.parse_args(argv)
    if args.all:
        for out, size, secs in render_all():
            print(f"{out.relative_to(ROOT)}  {size / 1024:.0f} KiB  {secs:.2f}s")
        return 0
    if not args.src or not args.out:
        ap.error("SRC and -o OUT are required (or --all)")
    try:
        pages = tuple(int(p) for p in args.scan_pages.split(",")) if args.scan_pages else None
        if args.scan or args.degrade or pages or args.rotate or args.images_dir:
            data = render_scan(args.src, args.out, variant=args.variant, dpi=args.dpi,
                               degrade=args.degrade, seed=args.seed, rotate=args.rotate,
                               pages=pages, images_dir=args.images_dir,
                               image_format=args.image_format, stem=Path(args.src).stem)
        else:
            data = render_pdf(args.src, args.out, variant=args.variant)
    except ValueError as exc:
        ap.error(str(exc))
    print(f"{args.out}  {len(data) / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
