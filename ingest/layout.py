"""Pure geometry: glyphs -> lines, page metrics, page furniture, reading order.

Every reader (pdfplumber, pypdfium2, OCR) ends in `Line`s; everything here works on those,
so scans and text PDFs share one path into the segmenter.
"""

from __future__ import annotations

import re
import statistics
from typing import NamedTuple

from ingest.document import BBox, Line, Page
from ingest.metadata import squeeze

# A gap wider than this many font sizes splits a row into separate lines: table cells, the
# editor/date pair, two columns. Justified CJK body text never spreads glyphs that far apart.
SEGMENT_GAP_EM = 1.6
COLUMN_LINES = 3          # lines each side of the middle, few crossing it: a two-column page
PROSE_CHARS = 8           # a line this long is running text; chart labels and cells are shorter
# Font names only: 黑体/Hei faces are ordinary sans-serif body fonts in Chinese documents.
BOLD_RE = re.compile(r"bold|heavy|black|semibold|demi|[-,]B$", re.I)
RULE_MAX_THICKNESS = 2.0
PAGE_NUMBER_RE = re.compile(r"^(?:[—–\-－―]*\s*\d{1,3}\s*[—–\-－―]*|第\s*\d{1,3}\s*页(?:\s*共\s*\d+\s*页)?|\d{1,3}\s*/\s*\d{1,3})$")


class Glyph(NamedTuple):
    """One character as a reader saw it, before lines exist."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool = False
    red: bool = False


def _latin(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "&%.,:;!?)-+'\"/")


def _join_glyphs(glyphs: list[Glyph]) -> str:
    """Concatenate glyph texts; a space only between two Latin/digit runs set apart."""
    out: list[str] = []
    prev: Glyph | None = None
    for g in glyphs:
        if g.text.isspace():
            continue
        if prev is not None and out:
            gap = g.x0 - prev.x1
            if gap > 0.25 * g.size and _latin(prev.text[-1]) and _latin(g.text[0]):
                out.append(" ")
        out.append(g.text)
        prev = g
    return "".join(out)


def _majority(flags) -> bool:
    return sum(flags) * 2 > len(flags)


def glyphs_to_line(glyphs: list[Glyph], page: int) -> Line | None:
    """Build one Line from the glyphs of a run, or None if it holds only spaces."""
    ink = [g for g in glyphs if not g.text.isspace()]
    if not ink:
        return None
    _, x0s, tops, x1s, bottoms, sizes, bolds, reds = zip(*ink)     # columns, in one pass
    box = BBox(min(x0s), min(tops), max(x1s), max(bottoms))
    return Line(text=_join_glyphs(ink), bbox=box, size=statistics.median(sizes),
                bold=_majority(bolds), red=_majority(reds), page=page)


def iter_rows(glyphs: list[Glyph]):
    """Group glyphs into rows by vertical overlap with the row's running centre."""
    row: list[Glyph] = []
    centre = 0.0
    mids = sorted(((g.top + g.bottom) / 2, i) for i, g in enumerate(glyphs))   # stable by mid
    for mid, i in mids:
        g = glyphs[i]
        if row and abs(mid - centre) > 0.45 * max(g.size, row[-1].size):
            yield row
            row = []
        row.append(g)
        centre = mid if len(row) == 1 else centre + (mid - centre) / len(row)
    if row:
        yield row


def row_to_segments(row: list[Glyph], walls: tuple[BBox, ...] = ()) -> list[list[Glyph]]:
    """Split a row at gaps wider than SEGMENT_GAP_EM font sizes and at vertical rules."""
    row = sorted(row, key=lambda g: g.x0)
    xs = []
    if walls:
        top, bottom = min(g.top for g in row), max(g.bottom for g in row)
        xs = [w.xmid for w in walls if w.top < bottom and w.bottom > top]
    segments, current = [], [row[0]]
    for g in row[1:]:
        last = current[-1]
        wall = bool(xs) and any(last.x1 - 0.5 <= x <= g.x0 + 0.5 for x in xs)
        if wall or g.x0 - last.x1 > SEGMENT_GAP_EM * max(g.size, last.size):
            segments.append(current)
            current = []
        current.append(g)
    segments.append(current)
    return segments


def boxes_to_rules(boxes) -> tuple[BBox, ...]:
    """Thin lines and rectangles (table borders, separators) from drawn (box, stroked, filled)."""
    out = []
    for box, stroke, fill in boxes:
        if min(box.width, box.height) <= RULE_MAX_THICKNESS:
            out.append(box)
        elif stroke and not fill:                  # a stroked cell: its four edges
            x0, t, x1, b = box.x0, box.top, box.x1, box.bottom
            out += [BBox(x0, t, x1, t), BBox(x0, b, x1, b), BBox(x0, t, x0, b), BBox(x1, t, x1, b)]
    return tuple(out)


def glyphs_to_lines(glyphs: list[Glyph], page: int, rules: tuple[BBox, ...] = ()) -> tuple[Line, ...]:
    """Pure: glyphs of one page -> lines, top to bottom; text never crosses a vertical rule."""
    walls = tuple(r for r in rules if r.width <= 2 and r.height > 4)
    lines = []
    for row in iter_rows([g for g in glyphs if g.text]):
        for segment in row_to_segments(row, walls):
            line = glyphs_to_line(segment, page)
            if line is not None:
                lines.append(line)
    return tuple(lines)


def is_prose(text: str) -> bool:
    """Running text, not a label: long enough, and mostly letters or Han (not figures)."""
    return len(text) >= PROSE_CHARS and sum(ch.isalpha() for ch in text) >= 0.5 * len(text)


def _sentence(text: str) -> bool:
    return "。" in text


def body_size(lines: list[Line] | tuple[Line, ...]) -> float:
    """The size paragraphs are set in: the size most characters of lines with a full stop have
    (captions, chart labels and table cells rarely carry one), else of running text, else of
    all lines."""
    chosen: list[Line] = list(lines)
    for pick, enough in ((_sentence, 200), (is_prose, 40)):    # characters: ~6 lines, ~1 line
        some = [ln for ln in lines if pick(ln.text)]
        if sum(len(ln.text) for ln in some) >= enough:
            chosen = some
            break
    weights: dict[float, int] = {}
    for line in chosen:
        key = round(line.size * 2) / 2
        weights[key] = weights.get(key, 0) + len(line.text)
    return max(weights, key=weights.get) if weights else 12.0


def is_page_number(text: str) -> bool:
    return bool(PAGE_NUMBER_RE.match(text.strip()))


def furniture_texts(pages: tuple[Page, ...] | list[Page]) -> set[str]:
    """Texts that recur in the top or bottom margin of several pages: running headers/footers."""
    seen: dict[str, set[int]] = {}
    for page in pages:
        for line in page.lines:
            if line.bbox.top < 0.1 * page.height or line.bbox.bottom > 0.92 * page.height:
                key = re.sub(r"\d+", "#", squeeze(line.text))
                seen.setdefault(key, set()).add(page.number)
    return {key for key, nums in seen.items() if len(nums) >= 2}


def is_furniture(line: Line, page: Page, recurring: set[str]) -> bool:
    """Page numbers and running headers/footers in the margins never reach an article."""
    in_margin = line.bbox.top < 0.1 * page.height or line.bbox.bottom > 0.92 * page.height
    if not in_margin:
        return False
    if is_page_number(line.text):
        return True
    return re.sub(r"\d+", "#", squeeze(line.text)) in recurring


def running_head(lines: list[Line], page: Page, body: float) -> Line | None:
    """A small line alone at the top of a page, in the margin: a running header even on a
    one-page document, where no repetition can show it (a prospectus's title over a page)."""
    ordered = sorted(lines, key=lambda ln: (ln.bbox.top, ln.bbox.x0))
    if not ordered:
        return None
    first = ordered[0]
    if first.bbox.bottom > 0.1 * page.height or first.size >= 0.92 * body:
        return None
    below = ordered[1] if len(ordered) > 1 else None
    if below is not None and below.bbox.top - first.bbox.bottom < 1.5 * first.size:
        return None
    return first


def folio(lines: list[Line], page: Page) -> Line | None:
    """A page number set as the page's lowest line, in its last fifth, above the usual margin."""
    if not lines:
        return None
    last = max(lines, key=lambda ln: ln.bbox.bottom)
    return last if last.bbox.top > 0.8 * page.height and is_page_number(last.text) else None


def column_split(lines: list[Line], page_width: float) -> float | None:
    """The x of a gutter if the page is set in two columns, else None."""
    mid = page_width / 2
    text = [ln for ln in lines if len(ln.text) >= 10]     # table cells and labels are short
    left = sum(1 for ln in text if ln.bbox.x1 < mid - 4)
    right = sum(1 for ln in text if ln.bbox.x0 > mid + 4)
    crossing = sum(1 for ln in lines if ln.bbox.x0 < mid - 4 < mid + 4 < ln.bbox.x1
                   and len(ln.text) > 8)
    if left >= COLUMN_LINES and right >= COLUMN_LINES and crossing < 0.25 * (left + right):
        return mid
    return None


def reading_order(lines: list[Line], page_width: float, boxes: tuple[BBox, ...] = ()) -> list[Line]:
    """Order lines for reading: bands of full-width lines, two-column bands left then right.
    The lines inside a table's box stay out of the column test and are read as one block,
    where the box starts (a wide table must not look like two columns)."""
    groups: list[list[Line]] = [[] for _ in boxes]
    free = []
    for line in lines:
        at = next((i for i, box in enumerate(boxes) if _holds(box, line)), None)
        (free if at is None else groups[at]).append(line)
    ordered = _columns(free, page_width)
    for box, group in sorted(zip(boxes, groups), key=lambda bg: bg[0].top):
        at = next((i for i, ln in enumerate(ordered) if ln.bbox.top >= box.top), len(ordered))
        ordered[at:at] = sorted(group, key=lambda ln: (ln.bbox.top, ln.bbox.x0))
    return ordered


def _holds(box: BBox, line: Line) -> bool:
    return box.x0 - 2 <= line.bbox.xmid <= box.x1 + 2 and box.top - 2 <= line.bbox.ymid <= box.bottom + 2


def _columns(lines: list[Line], page_width: float) -> list[Line]:
    gutter = column_split(lines, page_width)
    ordered = sorted(lines, key=lambda ln: (ln.bbox.top, ln.bbox.x0))
    if gutter is None:
        return ordered
    out: list[Line] = []
    band: list[Line] = []
    for line in ordered:
        spans = line.bbox.x0 < gutter - 4 and line.bbox.x1 > gutter + 4
        if spans:
            out.extend(_columns_first(band, gutter))
            band = []
            out.append(line)
        else:
            band.append(line)
    out.extend(_columns_first(band, gutter))
    return out


def _columns_first(band: list[Line], gutter: float) -> list[Line]:
    left = [ln for ln in band if ln.bbox.xmid < gutter]
    right = [ln for ln in band if ln.bbox.xmid >= gutter]
    return left + right
