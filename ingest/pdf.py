"""Text PDFs: the only module that imports pdfplumber (and pypdfium2's text API).

Pages come out as `Page`s of `Line`s, with the ruled tables pdfplumber's finder sees. A page
whose text layer pdfminer cannot decode (no characters, `(cid:N)`, private-use or replacement
characters, or mojibake: see `ingest.text.garbled_share`) is read again through pypdfium2, which
decodes embedded CFF CJK fonts that pdfminer does not; a page with no usable text at all is
marked for OCR by the caller.
"""

from __future__ import annotations

import ctypes
import re
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from errors import EmptyDocument, EncryptedPDF, UnreadablePDF
from ingest.document import BBox, Grid, Page
from ingest.layout import Glyph, glyphs_to_lines
from ingest.text import garbled_share

CID_RE = re.compile(r"\(cid:\d+\)")
# Font names only: 黑体/Hei faces are ordinary sans-serif body fonts in Chinese documents.
BOLD_RE = re.compile(r"bold|heavy|black|semibold|demi|[-,]B$", re.I)
RULE_MAX_THICKNESS = 2.0
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
    bad = sum(1 for ch in text if "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd")
    if bad > 0.02 * len(text):
        return True
    ink = sum(1 for ch in text if not ch.isspace())
    return ink >= MOJIBAKE_MIN_CHARS and garbled_share(text) > MOJIBAKE_SHARE


def _is_red(color) -> bool:
    if not isinstance(color, (tuple, list)):
        return False
    if len(color) == 3:
        r, g, b = color
        return r > 0.6 and g < 0.35 and b < 0.35
    if len(color) == 4:                       # CMYK: magenta + yellow, little cyan/black
        c, m, y, k = color
        return m > 0.6 and y > 0.5 and c < 0.3 and k < 0.3
    return False


def _plumber_glyphs(page) -> list[Glyph]:
    return [Glyph(ch["text"], ch["x0"], ch["top"], ch["x1"], ch["bottom"], ch["size"],
                  bool(BOLD_RE.search(ch.get("fontname", ""))),
                  _is_red(ch.get("non_stroking_color")))
            for ch in page.chars if ch.get("upright", True)]


def _layer_chars(page) -> int:
    """Every non-space character of the text layer, upright or not: the page's text to account for."""
    return sum(1 for ch in page.chars for c in ch["text"] if not c.isspace())


def _rules(page) -> tuple[BBox, ...]:
    """Thin lines and rectangles: table borders and separators."""
    out = []
    for obj in list(page.lines) + list(page.rects):
        w, h = obj["x1"] - obj["x0"], obj["bottom"] - obj["top"]
        if min(w, h) <= RULE_MAX_THICKNESS:
            out.append(BBox(obj["x0"], obj["top"], obj["x1"], obj["bottom"]))
        elif obj.get("stroke") and not obj.get("fill"):   # a stroked cell: its four edges
            x0, t, x1, b = obj["x0"], obj["top"], obj["x1"], obj["bottom"]
            out += [BBox(x0, t, x1, t), BBox(x0, b, x1, b), BBox(x0, t, x0, b), BBox(x1, t, x1, b)]
    return tuple(out)


def _grids(page) -> tuple[Grid, ...]:
    """Ruled tables from pdfplumber's finder (explicit lines and rectangle edges); a box of one
    column is a frame around text, not a table."""
    out = []
    for table in page.find_tables():
        rows = tuple(tuple(None if cell is None else BBox(*cell) for cell in row.cells)
                     for row in table.rows)
        grid = Grid(BBox(*table.bbox), rows)
        if grid.n_columns >= 2:
            out.append(grid)
    return tuple(out)


def grid_walls(grids: tuple[Grid, ...]) -> tuple[BBox, ...]:
    """The vertical edges of every cell: text never runs from one cell into the next."""
    return tuple(BBox(x, cell.top, x, cell.bottom) for grid in grids for row in grid.rows
                 for cell in row if cell is not None for x in (cell.x0, cell.x1))


def _ink(glyphs: list[Glyph]) -> int:
    return sum(1 for g in glyphs for ch in g.text if not ch.isspace())


def _pdfium_glyphs(pdf: pdfium.PdfDocument, index: int) -> list[Glyph]:
    """Characters with boxes, sizes, weight and colour through pypdfium2."""
    page = pdf[index]
    height = page.get_height()
    text = page.get_textpage()
    glyphs = []
    r, g, b, a = (ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint())
    for i in range(text.count_chars()):
        ch = chr(pdfium_c.FPDFText_GetUnicode(text.raw, i))
        if ch in "\r\n\x02\ufffe":
            continue
        # the loose box spans the font's ascent to descent, like pdfplumber's, so 。 and ，
        # sit in their row instead of hanging below it as their ink boxes would
        left, bottom, right, top = text.get_charbox(i, loose=True)
        size = pdfium_c.FPDFText_GetFontSize(text.raw, i)
        weight = pdfium_c.FPDFText_GetFontWeight(text.raw, i)
        pdfium_c.FPDFText_GetFillColor(text.raw, i, r, g, b, a)
        red = r.value > 150 and g.value < 90 and b.value < 90
        glyphs.append(Glyph(ch, left, height - top, right, height - bottom, size, weight >= 600, red))
    return glyphs


def _open_error(path: Path, exc: Exception) -> Exception:
    cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
        return EncryptedPDF(path)
    return UnreadablePDF(path, str(cause)[:200] or type(cause).__name__)


def read_pdf_pages(path: str | Path) -> list[Page | None]:
    """Text pages of a PDF; None for a page with no usable text layer (a scan: OCR it)."""
    path = Path(path)
    try:
        plumber = pdfplumber.open(path)
    except Exception as exc:                    # pdfminer raises many types on bad files
        raise _open_error(path, exc) from exc
    with plumber:
        try:
            pages = list(plumber.pages)
        except Exception as exc:
            raise _open_error(path, exc) from exc
        if not pages:
            raise EmptyDocument(path)
        out: list[Page | None] = []
        fallback: pdfium.PdfDocument | None = None
        try:
            for i, page in enumerate(pages):
                try:
                    glyphs, source = _plumber_glyphs(page), "text"
                    rules, grids, chars = _rules(page), _grids(page), _layer_chars(page)
                except Exception as exc:
                    raise UnreadablePDF(path, str(exc)[:200], page=i + 1) from exc
                if is_garbled("".join(g.text for g in glyphs)):
                    fallback = fallback or pdfium.PdfDocument(str(path))
                    glyphs, source = _pdfium_glyphs(fallback, i), "pdfium"
                    chars = _ink(glyphs)
                    if is_garbled("".join(g.text for g in glyphs)):
                        out.append(None)
                        continue
                lines = glyphs_to_lines(glyphs, i + 1, rules + grid_walls(grids))
                out.append(Page(i + 1, float(page.width), float(page.height), lines, rules,
                                source, grids, chars))
                page.flush_cache()
        finally:
            if fallback is not None:
                fallback.close()
    return out


def pdf_page_count(path: str | Path) -> int | None:
    """Pages of a PDF from its page tree, without parsing a page (None if unreadable: the
    parser then names the problem). Lets a service refuse an oversized upload early."""
    try:
        doc = pdfium.PdfDocument(str(path))
    except Exception:
        return None
    try:
        return len(doc)
    finally:
        doc.close()
