"""Text PDFs: pages of glyphs read through pypdfium2 first, pdfplumber where it does better.

pypdfium2 reads every page's characters (`ingest.pdfium_reader`, with pdfminer's box
conventions, several times cheaper per character than pdfminer) and lists what the page draws.
A page whose drawings could hold a ruled table (three vertical and two horizontal edges at
least: the fewest that make two columns of cells) goes through pdfplumber's table finder, fed
the edges pdfplumber's own page would give it (`ingest.plumber_reader.drawn_grids`), so pdfminer
never interprets a page pypdfium2 has read. pdfplumber opens the file only for a page
pypdfium2 cannot place as pdfminer does (rotated, cropped off the origin) or cannot decode, or a
file pypdfium2 cannot open (its error then names the problem as before); a page whose text layer
neither decodes (no characters, `(cid:N)`, private-use or replacement characters, or mojibake:
see `ingest.text.garbled_share`) is marked for OCR by the caller.
"""

from __future__ import annotations

import mmap
import re
from pathlib import Path

from errors import EmptyDocument, EncryptedPDF, UnreadablePDF
from ingest.document import BBox, Grid, Page
from ingest.layout import Glyph, boxes_to_rules, glyphs_to_lines
from ingest.pdfium_reader import PdfiumDocument, PdfiumPage, pdf_page_count  # noqa: F401
from ingest.streams import check_inflation
from ingest.text import garbled_share

CID_RE = re.compile(r"\(cid:\d+\)")
UNDECODED_RE = re.compile("[\ue000-\uf8ff\ufffd]")      # private use, replacement character
# A text layer is mojibake when this share of its characters is rare Han, stray Latin-1 letters,
# controls or private-use: real Chinese text stays under 2%, a wrong font mapping lands near 50%.
MOJIBAKE_SHARE = 0.3
MOJIBAKE_MIN_CHARS = 20


def is_garbled(text: str) -> bool:
    """True if text shows an undecodable layer: cid codes, private-use or U+FFFD characters,
    or mojibake (a broken font encoding that decodes to the wrong characters)."""
    if not text.strip():
        return True
    if CID_RE.search(text):
        return True
    if len(UNDECODED_RE.findall(text)) > 0.02 * len(text):
        return True
    ink = len("".join(text.split()))
    return ink >= MOJIBAKE_MIN_CHARS and garbled_share(text) > MOJIBAKE_SHARE


def grid_walls(grids: tuple[Grid, ...]) -> tuple[BBox, ...]:
    """The vertical edges of every cell: text never runs from one cell into the next."""
    return tuple(BBox(x, cell.top, x, cell.bottom) for grid in grids for row in grid.rows
                 for cell in row if cell is not None for x in (cell.x0, cell.x1))


def may_hold_table(page: PdfiumPage) -> bool:
    """Could pdfplumber's finder see a table of two columns here? Its edges are lines (any
    line that is not horizontal counts as vertical), the sides of rectangles and the
    axis-aligned steps of curves; two columns of cells need three vertical and two horizontal."""
    vertical = horizontal = 0
    for box, _, _ in page.lines:
        if box.top == box.bottom:
            horizontal += 1
        else:
            vertical += 1
    vertical += 2 * len(page.rects)
    horizontal += 2 * len(page.rects)
    for pts in page.curves:
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            vertical += x0 == x1
            horizontal += y0 == y1
    return vertical >= 3 and horizontal >= 2


def _text(glyphs: list[Glyph]) -> str:
    return "".join(g.text for g in glyphs)


def _pdfium_page(pdfium: PdfiumDocument | None, i: int) -> PdfiumPage | None:
    """pypdfium2's reading of a page, None when it fails on it (pdfplumber then reads it)."""
    if pdfium is None:
        return None
    try:
        return pdfium.read_page(i)
    except Exception:             # pdfium's errors carry no type; pdfplumber names the problem
        return None


def _read_page(pdfium: PdfiumDocument | None, plumber: _Plumber, i: int) -> Page | None:
    """One page: pypdfium2's glyphs where it places and decodes them, pdfplumber's otherwise;
    rules and grids from pdfplumber on a page that may hold a ruled table."""
    seen = _pdfium_page(pdfium, i)
    if seen is not None and seen.plain and not is_garbled(_text(list(seen.glyphs))):
        glyphs, chars, source = list(seen.glyphs), seen.text_chars, "pdfium"
        width, height = seen.width, seen.height
        rules, grids = boxes_to_rules(seen.lines + seen.rects), ()
        if may_hold_table(seen):
            from ingest.plumber_reader import drawn_grids
            grids = drawn_grids(seen.lines, seen.rects, seen.curves, width, height)
    else:
        glyphs, chars, rules, grids, width, height = plumber.read(i, glyphs=True)
        source = "text"
        if is_garbled(_text(glyphs)):
            if seen is None or is_garbled(_text(list(seen.glyphs))):
                return None
            glyphs, chars, source = list(seen.glyphs), seen.text_chars, "pdfium"
    lines = glyphs_to_lines(glyphs, i + 1, rules + grid_walls(grids))
    return Page(i + 1, width, height, lines, rules, source, grids, chars)


class _Plumber:
    """pdfplumber's reading of the document, imported and opened only when a page needs it
    (importing pdfplumber costs more than reading a short bulletin through pypdfium2)."""

    def __init__(self, path: Path):
        self.path = path
        self.doc = None

    def _open(self):
        if self.doc is None:
            from ingest.plumber_reader import PlumberDocument
            self.doc = PlumberDocument(self.path)
        return self.doc

    def read(self, index: int, glyphs: bool):
        return self._open().read(index, glyphs)

    def count(self) -> int:
        return self._open().count()

    def close(self) -> None:
        if self.doc is not None:
            self.doc.close()


OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b")


def has_pdf_objects(path: Path) -> bool:
    """Does the file hold at least one `N G obj`? A file pypdfium2 cannot open is given to
    pdfminer, whose repair reads every byte in Python (minutes for 50 MB of junk after a %PDF
    header); without one object there is nothing to repair. A byte scan: 50 MB in about 0.1 s."""
    try:
        with open(path, "rb") as handle:
            if not handle.seek(0, 2):
                return False
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return OBJECT.search(data) is not None
    except (OSError, ValueError):
        return True               # let the readers name the problem


def first_page_reads(path: str | Path) -> bool:
    """Whether page 1 of a PDF has a text layer that decodes, from pypdfium2's text of it alone
    (no glyph boxes, drawings or tables): the scan probe's question about every text PDF of a bulk
    import. False when unsure: the probe then reads the page in full."""
    path = Path(path)
    if path.exists():
        check_inflation(path)     # pdfium aborts where a ceiling refuses it memory
    try:
        pdfium = PdfiumDocument(path)
    except (UnreadablePDF, EncryptedPDF):
        return False
    try:
        return len(pdfium) > 0 and not is_garbled(pdfium.page_text(0))
    except Exception:             # pdfium's errors carry no type; the full read names the problem
        return False
    finally:
        pdfium.close()


def read_pdf_pages(path: str | Path, first: int | None = None) -> list[Page | None]:
    """Text pages of a PDF (its `first` pages only, when given); None for a page with no usable
    text layer (a scan: OCR it)."""
    path = Path(path)
    plumber = _Plumber(path)
    if path.exists():
        check_inflation(path)     # pdfium aborts where a ceiling refuses it memory
    try:
        pdfium = PdfiumDocument(path)
    except UnreadablePDF:
        if not has_pdf_objects(path):
            raise                 # nothing pdfminer's repair could find: it would scan for minutes
        pdfium = None             # pdfplumber reads it, or names the problem as it always has
    try:
        count = len(pdfium) if pdfium is not None else plumber.count()
        if not count:
            raise EmptyDocument(path)
        return [_read_page(pdfium, plumber, i) for i in range(count if first is None else min(first, count))]
    finally:
        plumber.close()
        if pdfium is not None:
            pdfium.close()
