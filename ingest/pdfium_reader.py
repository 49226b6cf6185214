"""Text PDFs through pypdfium2: the only module that reads pages with it (glyphs and drawings).

Glyph boxes follow pdfminer's conventions, so both readers hand the segmenter the same geometry:
x0 at the character's origin, x1 one advance further (the font's declared width, not the ink),
bottom at the font's descent below the baseline and top one font size above it. pypdfium2's own
"loose" box spans the ink and the font's ascent instead, which moves titles and punctuation.
Calls go through ctypes prototypes built once per document (plain integers in and out), about
three times cheaper per character than pypdfium2's typed bindings.
"""

from __future__ import annotations

import ctypes
from ctypes import c_double, c_float, c_int, c_uint, c_ulong, c_void_p
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from errors import EncryptedPDF, UnreadablePDF
from ingest.document import BBox
from ingest.layout import BOLD_RE, Glyph

SKIP = "\r\n\x02\ufffe\x00"       # pdfium's markers: line ends, soft hyphens, unmapped codes
PATH, FORM = pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM
MOVE, LINE, BEZIER = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO, pdfium_c.FPDF_SEGMENT_BEZIERTO


def _proto(fn, restype, *argtypes):
    """The C function behind a pypdfium2 binding, called with plain integers (addresses)."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(fn, c_void_p).value)


class _Api:
    """The few pdfium calls the per-character loop makes, as cheap prototypes."""

    def __init__(self):
        c = pdfium_c
        self.count = _proto(c.FPDFText_CountChars, c_int, c_void_p)
        self.text = _proto(c.FPDFText_GetText, c_int, c_void_p, c_int, c_int, c_void_p)
        self.unicode = _proto(c.FPDFText_GetUnicode, c_uint, c_void_p, c_int)
        self.obj = _proto(c.FPDFText_GetTextObject, c_void_p, c_void_p, c_int)
        self.origin = _proto(c.FPDFText_GetCharOrigin, c_int, c_void_p, c_int, c_void_p, c_void_p)
        self.matrix = _proto(c.FPDFText_GetMatrix, c_int, c_void_p, c_int, c_void_p)
        self.font_size = _proto(c.FPDFText_GetFontSize, c_double, c_void_p, c_int)
        self.fill = _proto(c.FPDFText_GetFillColor, c_int, c_void_p, c_int, c_void_p, c_void_p,
                           c_void_p, c_void_p)
        self.font = _proto(c.FPDFTextObj_GetFont, c_void_p, c_void_p)
        self.font_name = _proto(c.FPDFFont_GetBaseFontName, c_ulong, c_void_p, c_void_p, c_ulong)
        self.descent = _proto(c.FPDFFont_GetDescent, c_int, c_void_p, c_float, c_void_p)
        self.width = _proto(c.FPDFFont_GetGlyphWidth, c_int, c_void_p, c_uint, c_float, c_void_p)
        self.bounds = _proto(c.FPDFPageObj_GetBounds, c_int, c_void_p, c_void_p, c_void_p,
                             c_void_p, c_void_p)
        self.x, self.y, self.f = c_double(), c_double(), c_float()
        self.box = tuple(c_float() for _ in range(4))
        self.m = pdfium_c.FS_MATRIX()
        self.rgba = tuple(c_uint() for _ in range(4))


@dataclass(frozen=True, slots=True)
class _Run:
    """What every character of one text object shares: its matrix, size, font and colour."""

    matrix: tuple[float, float, float, float]
    size: float              # the font size set (Tf), before the matrix scales it
    descent: float           # below the baseline, in font sizes (negative)
    font: int
    widths: dict             # the font's advances met so far, in font sizes
    bold: bool
    red: bool
    upright: bool
    # unrotated, unskewed: (widths, page height - top and - bottom above the origin, advance
    # to page width, box height, bold, red), all a glyph needs besides its origin
    fast: tuple | None


@dataclass(frozen=True, slots=True)
class PdfiumPage:
    """One page as pypdfium2 reads it: upright glyphs, every character of its text layer, and the
    straight strokes and boxes it draws (in pdfminer's terms: lines, rects, curves)."""

    width: float
    height: float
    glyphs: tuple[Glyph, ...]
    text_chars: int
    lines: tuple[tuple[BBox, bool, bool], ...]     # (box, stroked, filled)
    rects: tuple[tuple[BBox, bool, bool], ...]
    curves: tuple[tuple[tuple[float, float], ...], ...]   # points, top-left origin
    plain: bool              # no rotation, boxes at the origin: the geometry pdfminer would give


class PdfiumDocument:
    """An open PDF read page by page through pypdfium2; use as a context manager."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.doc = pdfium.PdfDocument(str(self.path))
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise EncryptedPDF(self.path) from exc
            raise UnreadablePDF(self.path, str(exc)[:200].rstrip(".")) from exc
        self.api = _Api()
        self.fonts: dict[int, tuple[float, bool]] = {}
        self.widths: dict[int, dict[str, float]] = {}

    def __enter__(self) -> PdfiumDocument:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.doc.close()

    def __len__(self) -> int:
        return len(self.doc)

    def read_page(self, index: int) -> PdfiumPage:
        """Glyphs, text and drawings of page `index` (0-based)."""
        page = self.doc[index]
        try:
            width, height = page.get_size()
            text = page.get_textpage()
            try:
                glyphs, chars = self._glyphs(ctypes.cast(text.raw, c_void_p).value, height)
            finally:
                text.close()
            lines, rects, curves = page_drawings(page, height)
            return PdfiumPage(width, height, tuple(glyphs), chars, lines, rects, curves,
                              _plain(page, width, height))
        finally:
            page.close()

    def page_text(self, index: int) -> str:
        """The text layer of page `index` alone, in one call (no glyph boxes, no drawings)."""
        page = self.doc[index]
        try:
            text = page.get_textpage()
            try:
                tp = ctypes.cast(text.raw, c_void_p).value
                return self._text(tp, self.api.count(tp))
            finally:
                text.close()
        finally:
            page.close()

    def _text(self, tp: int, n: int) -> str:
        """All characters of the text page in one call; one code unit each unless the page has
        characters beyond the BMP, which are then read one by one."""
        buf = ctypes.create_string_buffer(2 * (n + 1))
        got = self.api.text(tp, 0, n, ctypes.addressof(buf))
        text = buf.raw[:2 * max(got - 1, 0)].decode("utf-16-le", "replace")
        if len(text) == n:
            return text
        return "".join(chr(self.api.unicode(tp, i)) for i in range(n))

    def _glyphs(self, tp: int, height: float) -> tuple[list[Glyph], int]:
        """Upright glyphs in text-page order, and the non-space characters of the text layer
        (pdfium's own additions are all white space: line ends, gaps)."""
        api = self.api
        n = api.count(tp)
        text = self._text(tp, n)
        ink = "".join(text.split())
        chars = len(ink) - sum(ink.count(c) for c in SKIP)
        xa, ya = ctypes.addressof(api.x), ctypes.addressof(api.y)
        x, y, get_obj, get_origin = api.x, api.y, api.obj, api.origin
        new = tuple.__new__                 # a Glyph without NamedTuple's Python-level __new__
        runs: dict[int, _Run] = {}
        glyphs, ends, prev, space = [], [], None, False
        for i in range(n):
            obj = get_obj(tp, i)
            ch = text[i]
            if not obj or ch in SKIP:       # no text object: pdfium made it (a line end, a gap)
                continue
            run = runs.get(obj)
            if run is None:
                run = runs[obj] = self._run(tp, i, obj, height)
            if not run.upright:
                continue
            get_origin(tp, i, xa, ya)
            ox, oy = x.value, y.value
            if obj != prev:
                if space:
                    ends.append((prev, len(glyphs) - 1))
                prev = obj
            elif space:
                glyphs[-1] = _collapsed(glyphs[-1], ox)
            space = ch == " "
            fast = run.fast
            if fast is None:
                glyphs.append(self._glyph(ch, ox, oy, run, height))
                continue
            widths, top, bottom, ax, size, bold, red = fast   # unrotated, unskewed: inlined
            adv = widths.get(ch)
            if adv is None:
                adv = self._advance(run, ch)
            glyphs.append(new(Glyph, (ch, ox, top - oy, ox + ax * adv, bottom - oy, size, bold, red)))
        if space:
            ends.append((prev, len(glyphs) - 1))
        for obj, at in ends:
            glyphs[at] = self._spaces(obj, glyphs[at])
        return glyphs, chars

    def _spaces(self, obj: int, space: Glyph) -> Glyph:
        """A space ending its text object stands for the whole run of spaces the object draws:
        pdfium keeps one space of a run (CPDF_TextPage::CloseTempLine), pdfminer every one, and
        a run of spaces is what holds a line together across a wide gap."""
        api = self.api
        left, bottom, right, top = api.box
        api.bounds(obj, *(ctypes.addressof(v) for v in api.box))
        if left.value <= space.x0 + 0.5 and right.value > space.x1:
            return space._replace(x1=right.value)
        return space

    def _glyph(self, ch: str, ox: float, oy: float, run: _Run, height: float) -> Glyph:
        """pdfminer's LTChar box: (0, descent) to (advance, descent + size) through the matrix."""
        a, b, c, d = run.matrix
        adv = self._advance(run, ch) * run.size
        low = run.descent * run.size
        high = low + run.size
        x0, y0 = c * low + ox, d * low + oy
        x1, y1 = a * adv + c * high + ox, b * adv + d * high + oy
        if x1 < x0:
            x0, x1 = x1, x0
        if y1 < y0:
            y0, y1 = y1, y0
        return Glyph(ch, x0, height - y1, x1, height - y0, y1 - y0, run.bold, run.red)

    def _advance(self, run: _Run, ch: str) -> float:
        """The width the font declares for a character, in font sizes."""
        width = run.widths.get(ch)
        if width is None:
            api = self.api
            api.f.value = 0.0
            api.width(run.font, ord(ch[0]), 1.0, ctypes.addressof(api.f))
            width = run.widths[ch] = api.f.value
        return width

    def _run(self, tp: int, i: int, obj: int, height: float) -> _Run:
        """The shared part of every glyph of a text object, with the sums the loop needs."""
        api = self.api
        api.matrix(tp, i, ctypes.addressof(api.m))
        m = api.m
        r, g, b, _ = api.rgba
        api.fill(tp, i, *(ctypes.addressof(v) for v in api.rgba))
        font = api.font(obj) or 0
        descent, bold = self._font(font)
        size = api.font_size(tp, i)
        low, high = m.d * descent * size, m.d * (descent + 1) * size
        widths = self.widths.setdefault(font, {})
        red = r.value > 153 and g.value < 89.25 and b.value < 89.25
        simple = m.b == 0 and m.c == 0 and m.a > 0 and m.d > 0
        fast = (widths, height - high, height - low, m.a * size, high - low, bold, red) \
            if simple else None
        return _Run((m.a, m.b, m.c, m.d), size, descent, font, widths, bold, red,
                    0 < m.a * m.d and m.b * m.c <= 0, fast)

    def _font(self, font: int) -> tuple[float, bool]:
        """A font's descent (in font sizes, pdfminer's sign) and whether its name says bold."""
        if font not in self.fonts:
            api = self.api
            buf = ctypes.create_string_buffer(256)
            api.font_name(font, ctypes.addressof(buf), 256) if font else None
            name = buf.value.decode("utf-8", "replace")
            api.f.value = 0.0
            if font:
                api.descent(font, 1.0, ctypes.addressof(api.f))
            self.fonts[font] = (-abs(api.f.value), bool(BOLD_RE.search(name)))
        return self.fonts[font]


def _collapsed(space: Glyph, next_x: float) -> Glyph:
    """A space followed, in its own text object, by a gap of whole spaces stands for the spaces
    pdfium folded into it (CPDF_TextPage::CloseTempLine keeps one of a run): it spans the gap,
    as pdfminer's run of spaces does. A gap of another width (kerning, word spacing) stays."""
    width, gap = space.x1 - space.x0, next_x - space.x1
    if width <= 0 or gap < 0.5 * width:
        return space
    if abs(gap - round(gap / width) * width) <= 0.02 * width + 0.01:
        return space._replace(x1=next_x)
    return space


def _plain(page, width: float, height: float) -> bool:
    """Unrotated, with its visible box (crop within media, inherited or not) at the origin and
    the media box, where the page sets one, equal to the crop box: page coordinates are then the
    ones pdfminer reports, so the two readers agree on every position."""
    if pdfium_c.FPDFPage_GetRotation(page.raw) != 0:
        return False
    seen = pdfium_c.FS_RECTF()
    if not pdfium_c.FPDF_GetPageBoundingBox(page.raw, seen):
        return False
    if any(abs(p - q) > 0.01 for p, q in zip((seen.left, seen.bottom, seen.right, seen.top),
                                               (0, 0, width, height))):
        return False
    media = _box_of(pdfium_c.FPDFPage_GetMediaBox, page)
    crop = _box_of(pdfium_c.FPDFPage_GetCropBox, page)
    return media is None or crop is None or all(abs(p - q) < 0.01 for p, q in zip(media, crop))


def _box_of(getter, page) -> tuple[float, ...] | None:
    """A page box the page's own dictionary sets, None when it inherits one."""
    box = (c_float(), c_float(), c_float(), c_float())
    if not getter(page.raw, *box):
        return None
    left, bottom, right, top = (v.value for v in box)
    return (min(left, right), min(bottom, top), max(left, right), max(bottom, top))


def page_drawings(page, height: float):
    """Lines, rectangles and curves the page paints, in the order it paints them, classified as
    pdfminer does (converter.paint_path), from pypdfium2's page objects (forms included)."""
    lines, rects, curves = [], [], []
    raw = page.raw
    top = [pdfium_c.FPDFPage_GetObject(raw, k) for k in range(pdfium_c.FPDFPage_CountObjects(raw))]
    for obj, matrix in _iter_paths(top, None):
        fill, stroke = c_int(), c_int()
        pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke)
        if not fill.value and not stroke.value:
            continue                              # an `n` path: clips, paints nothing
        for shape, pts in _subpaths(obj, matrix, height):
            _classify(shape, pts, bool(stroke.value), bool(fill.value), lines, rects, curves)
    return tuple(lines), tuple(rects), tuple(curves)


def _iter_paths(objects, outer, depth: int = 0):
    """(path object, its matrix to page space) in painting order, through form XObjects."""
    for obj in objects:
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == PATH:
            yield obj, _compose(_matrix(obj), outer)
        elif kind == FORM and depth < 8:
            inner = [pdfium_c.FPDFFormObj_GetObject(obj, k)
                     for k in range(pdfium_c.FPDFFormObj_CountObjects(obj))]
            yield from _iter_paths(inner, _compose(_matrix(obj), outer), depth + 1)


def _matrix(obj) -> tuple[float, ...]:
    m = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFPageObj_GetMatrix(obj, m)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(m, outer):
    """m, then outer (pdfium's row-vector convention: x' = a x + c y + e)."""
    if outer is None:
        return m
    a, b, c, d, e, f = m
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def _subpaths(raw, matrix, height: float):
    """(shape, points) per subpath in pdfminer's letters: m, l, c (end point only), h."""
    shape, pts, pending = "", [], 0
    point = (c_float(), c_float())
    a, b, c, d, e, f = matrix
    for k in range(pdfium_c.FPDFPath_CountSegments(raw)):
        seg = pdfium_c.FPDFPath_GetPathSegment(raw, k)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        pdfium_c.FPDFPathSegment_GetPoint(seg, *point)
        px, py = point[0].value, point[1].value
        x, y = a * px + c * py + e, b * px + d * py + f
        if kind == MOVE:
            if shape:
                yield shape, pts
            shape, pts, pending = "m", [(x, height - y)], 0
            continue
        if kind == BEZIER:
            pending += 1
            if pending < 3:
                continue                          # control points: pdfminer keeps the end only
            pending = 0
        shape += "c" if kind == BEZIER else "l"
        pts.append((x, height - y))
        if pdfium_c.FPDFPathSegment_GetClose(seg):
            shape += "h"
            pts.append(pts[0])
    if shape:
        yield shape, pts


def _classify(shape, pts, stroke, fill, lines, rects, curves) -> None:
    """pdfminer's rules: `ml`/`mlh` a line; a closed axis-aligned `mlllh` a rect; else a curve."""
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape, pts = shape[:-2] + "h", pts[:-2] + pts[-1:]
    if shape in ("ml", "mlh"):
        lines.append((_box(pts[:2]), stroke, fill))
        return
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or \
            (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        if pts[0] == pts[4] and square:
            rects.append((_box([pts[0], pts[2]]), stroke, fill))
            return
    curves.append(tuple(pts))


def _box(pts) -> BBox:
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return BBox(min(xs), min(ys), max(xs), max(ys))


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
