"""Text PDFs through pdfplumber: the only module that imports it.

pdfplumber reads what pypdfium2 leaves to it: the ruled tables of a page that draws some (its
table finder sees cells in lines and rectangle edges), and every glyph of a page pypdfium2
cannot place the way pdfminer does (a rotated page, a media box off the origin) or cannot
decode. Nothing of pdfplumber leaves this module: pages come out as our `Glyph`, `BBox`, `Grid`.
"""

from __future__ import annotations

from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.table import TableFinder
from pdfplumber.utils import geometry
from pdfplumber.utils.exceptions import PdfminerException

from errors import EmptyDocument, EncryptedPDF, UnreadablePDF
from ingest.document import BBox, Grid
from ingest.layout import BOLD_RE, Glyph, boxes_to_rules


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


def page_glyphs(page) -> list[Glyph]:
    """The upright characters of a pdfplumber page."""
    return [Glyph(ch["text"], ch["x0"], ch["top"], ch["x1"], ch["bottom"], ch["size"],
                  bool(BOLD_RE.search(ch.get("fontname", ""))),
                  _is_red(ch.get("non_stroking_color")))
            for ch in page.chars if ch.get("upright", True)]


def layer_chars(page) -> int:
    """Every non-space character of the text layer, upright or not: the page's text to account for."""
    return sum(1 for ch in page.chars for c in ch["text"] if not c.isspace())


def page_rules(page) -> tuple[BBox, ...]:
    return boxes_to_rules((BBox(o["x0"], o["top"], o["x1"], o["bottom"]), o.get("stroke"), o.get("fill"))
                    for o in list(page.lines) + list(page.rects))


def page_grids(page) -> tuple[Grid, ...]:
    """Ruled tables from pdfplumber's finder (explicit lines and rectangle edges)."""
    return _grids(page.find_tables())


class _Drawn:
    """What pdfplumber's table finder reads of a page with its default (lines) strategy."""

    def __init__(self, edges: list[dict], width: float, height: float):
        self.edges = edges
        self.bbox = (0, 0, width, height)


def _obj(box: BBox, kind: str, height: float) -> dict:
    return {"object_type": kind, "x0": box.x0, "x1": box.x1, "top": box.top,
            "bottom": box.bottom, "doctop": box.top, "y0": height - box.bottom,
            "y1": height - box.top, "width": box.width, "height": box.height}


def drawn_grids(lines, rects, curves, width: float, height: float) -> tuple[Grid, ...]:
    """pdfplumber's table finder on drawings another reader listed ((box, stroked, filled)
    lines and rects, curves as points; top-left origin): the edges pdfplumber's own page would
    give it (Container.edges: lines, then rectangle sides, then curve steps), without pdfminer
    interpreting the page's text."""
    edges = [geometry.line_to_edge(_obj(box, "line", height)) for box, _, _ in lines]
    edges += [e for box, _, _ in rects for e in geometry.rect_to_edges(_obj(box, "rect", height))]
    edges += [e for pts in curves
              for e in geometry.curve_to_edges({"pts": pts, "top": 0, "doctop": 0})]
    return _grids(TableFinder(_Drawn(edges, width, height)).tables)


def _grids(tables) -> tuple[Grid, ...]:
    """Our grids from pdfplumber's tables; a box of one column is a frame around text."""
    out = []
    for table in tables:
        rows = tuple(tuple(None if cell is None else BBox(*cell) for cell in row.cells)
                     for row in table.rows)
        grid = Grid(BBox(*table.bbox), rows)
        if grid.n_columns >= 2:
            out.append(grid)
    return tuple(out)


def _open_error(path: Path, exc: Exception) -> Exception:
    cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
        return EncryptedPDF(path)
    return UnreadablePDF(path, str(cause)[:200] or type(cause).__name__)


class PlumberDocument:
    """pdfplumber's view of a PDF, opened on first use; pages read one at a time."""

    def __init__(self, path: Path):
        self.path = path
        self._pdf = None
        self._pages = None

    def _page(self, index: int):
        if self._pdf is None:
            try:
                self._pdf = pdfplumber.open(self.path)
                self._pages = list(self._pdf.pages)
            except Exception as exc:               # pdfminer raises many types on bad files
                raise _open_error(self.path, exc) from exc
            if not self._pages:
                raise EmptyDocument(self.path)
        return self._pages[index]

    def read(self, index: int, glyphs: bool):
        """(glyphs or None, layer chars or None, rules, grids, width, height) of page `index`."""
        page = self._page(index)
        try:
            out = (page_glyphs(page) if glyphs else None, layer_chars(page) if glyphs else None,
                   page_rules(page), page_grids(page), float(page.width), float(page.height))
        except Exception as exc:
            raise UnreadablePDF(self.path, str(exc)[:200], page=index + 1) from exc
        page.flush_cache()
        return out

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()

    def count(self) -> int:
        """Pages of the document (opening it names the problem of an unreadable file)."""
        self._page(0) if self._pdf is None else None
        return len(self._pages)
