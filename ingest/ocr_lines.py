"""Pure: recognised OCR boxes (page pixels) -> `Line`s in PDF points.

Boxes in one row closer than SEGMENT_GAP_EM join into one line, as glyphs do on text pages; each
line's font size comes from ink width per em (box heights of titles and body overlap), bold from
stroke thickness against the page's body lines. A vertical box (read turned) is a line of its
own. Also here: the box bookkeeping around recognition (turned readings, margins taken off,
boxes cut at rules, rules in points).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingest.document import BBox, Line
from ingest.layout import SEGMENT_GAP_EM
from ingest.text import LEADING_DASH_RE, ink_ems, normalise_text

# Stroke thickness over font size: bold lines measured 1.16-1.35x the page's body lines, body
# lines at most 1.07x their median (clean 300 dpi and degraded 200 dpi scans of the samples).
BOLD_RATIO = 1.12


@dataclass(slots=True)
class Box:
    """One recognised text box in page pixels (deskewed, upright)."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float
    ink: tuple[int, int, int, int] | None = None   # tight ink box, page pixels
    stroke: float | None = None
    red: float = 0.0
    dash: float = 0.0                              # length (ems) of a leading dash
    size: float = 0.0                              # estimated font size, px
    turn: int = 0                                  # quarter turns (ccw) the crop was read at

    @property
    def vertical(self) -> bool:
        """A tall box read turned: its glyphs stack top to bottom (or bottom to top)."""
        return self.turn % 2 == 1


def size_px(box: Box) -> float:
    """Font size in pixels: ink length over the line's length in ems; the ink breadth (height,
    or width for a vertical line) when the text is too short for that to be reliable."""
    x0, y0, x1, y1 = box.ink or (box.x0, box.y0, box.x1, box.y1)
    length, breadth = (y1 - y0, x1 - x0) if box.vertical else (x1 - x0, y1 - y0)
    ems = ink_ems(box.text)
    if ems < 3:
        return breadth / 0.92
    return length / ems


def boxes_to_lines(boxes: list[Box], rules, factor: float, number: int) -> tuple[Line, ...]:
    """Boxes of one row closer than SEGMENT_GAP_EM font sizes (and not split by a vertical rule)
    form one line, as glyph runs do in text PDFs; a vertical box is a line of its own, and
    vertical lines follow each other from right to left."""
    verticals = [r for r in rules if r[3] - r[1] > r[2] - r[0]]
    sized = [(b, b.size or size_px(b)) for b in boxes if not b.vertical]
    strokes = [b.stroke / s for b, s in sized if b.stroke and s > 0 and len(b.text) >= 8]
    body_stroke = float(np.median(strokes)) if strokes else None
    rows: list[list[tuple[Box, float]]] = []
    for item in sorted(sized, key=lambda it: (_ymid(it[0]), it[0].x0)):
        box = item[0]
        for row in rows[-3:]:
            ref = row[-1][0]
            top, bottom = _yspan(ref)
            t2, b2 = _yspan(box)
            if min(bottom, b2) - max(top, t2) > 0.5 * min(bottom - top, b2 - t2):
                row.append(item)
                break
        else:
            rows.append([item])
    lines = []
    for row in rows:
        row.sort(key=lambda it: it[0].x0)
        group = [row[0]]
        for item in row[1:]:
            prev = group[-1][0]
            gap = _xspan(item[0])[0] - _xspan(prev)[1]
            size = max(group[-1][1], item[1])
            ruled = any(_xspan(prev)[1] <= (v[0] + v[2]) / 2 <= _xspan(item[0])[0]
                        and v[1] <= _ymid(prev) <= v[3] for v in verticals)
            if gap <= SEGMENT_GAP_EM * size and not ruled:
                group.append(item)
            else:
                lines.append(_make_line(group, factor, number, body_stroke))
                group = [item]
        lines.append(_make_line(group, factor, number, body_stroke))
    ordered = sorted(lines, key=lambda ln: (ln.bbox.top, ln.bbox.x0))
    return tuple(ordered + _vertical_lines([b for b in boxes if b.vertical], factor, number))


def _vertical_lines(boxes: list[Box], factor: float, number: int) -> list[Line]:
    """One line per vertical box, right to left (the reading order of vertical Chinese)."""
    out = []
    for box in sorted(boxes, key=lambda b: -_xspan(b)[1]):
        x0, x1 = _xspan(box)
        top, bottom = _yspan(box)
        size = box.size or size_px(box)
        out.append(Line(text=normalise_text(box.text.strip()),
                        bbox=BBox(x0 * factor, top * factor, x1 * factor, bottom * factor),
                        size=round(size * factor, 2), bold=False, red=box.red > 0.5,
                        confidence=round(box.score, 4), page=number))
    return out


def _yspan(box: Box) -> tuple[float, float]:
    return (box.ink[1], box.ink[3]) if box.ink else (box.y0, box.y1)


def _xspan(box: Box) -> tuple[float, float]:
    return (box.ink[0], box.ink[2]) if box.ink else (box.x0, box.x1)


def _ymid(box: Box) -> float:
    top, bottom = _yspan(box)
    return (top + bottom) / 2


def _make_line(group: list[tuple[Box, float]], factor: float, number: int,
               body_stroke: float | None) -> Line:
    boxes = [b for b, _ in group]
    text = ""
    for b in boxes:
        t = b.text.strip()
        if b.dash >= 1.6 and not text:          # a 2-em dash read as 一, — or missed
            t = "——" + LEADING_DASH_RE.sub("", t, count=1)
        if text and t and text[-1].isascii() and text[-1].isalnum() and t[0].isascii() \
                and t[0].isalnum():
            text += " "
        text += t
    text = normalise_text(text)
    x0 = min(_xspan(b)[0] for b in boxes)
    x1 = max(_xspan(b)[1] for b in boxes)
    top = min(_yspan(b)[0] for b in boxes)
    bottom = max(_yspan(b)[1] for b in boxes)
    chars = [max(len(b.text), 1) for b in boxes]
    if len(boxes) == 1:
        size = size_px(Box(x0, top, x1, bottom, text, 0.0, (x0, top, x1, bottom)))
    else:                                       # the gaps between boxes are not text
        size = sum(s * n for (_, s), n in zip(group, chars)) / sum(chars)
    score = sum(b.score * n for b, n in zip(boxes, chars)) / sum(chars)
    red = sum(b.red * n for b, n in zip(boxes, chars)) / sum(chars) > 0.5
    bold = False
    if body_stroke:
        rel = [b.stroke / s for b, s in group if b.stroke and s > 0]
        bold = bool(rel) and float(np.median(rel)) >= BOLD_RATIO * body_stroke
    return Line(text=text, bbox=BBox(x0 * factor, top * factor, x1 * factor, bottom * factor),
                size=round(size * factor, 2), bold=bold, red=red,
                confidence=round(score, 4), page=number)


def mean_score(boxes: list[Box]) -> float:
    """Recognition score of boxes weighted by their characters (0 for none)."""
    weights = [max(len(b.text), 1) for b in boxes]
    return sum(b.score * n for b, n in zip(boxes, weights)) / max(sum(weights), 1)


def prefer_vertical(boxes: list[Box], tall: list, turned: list) -> list[Box]:
    """Replace the boxes read inside a tall box by its best turned reading (`turned` holds a
    quarter and three quarters turn per box) where that scores higher."""
    for i, rect in enumerate(tall):
        (text, score), k = max((turned[2 * i], 1), (turned[2 * i + 1], 3), key=lambda t: t[0][1])
        inside = [b for b in boxes if b.x0 >= rect[0] - 1 and b.x1 <= rect[2] + 1
                  and b.y0 >= rect[1] - 1 and b.y1 <= rect[3] + 1]
        if text.strip() and score > mean_score(inside):
            gone = {id(b) for b in inside}
            boxes = [b for b in boxes if id(b) not in gone]
            boxes.append(Box(*rect, text, score, turn=k))
    return boxes


def vertical_turn(boxes: list[Box]) -> int:
    """Quarter turns (counter-clockwise) that make a page of mostly vertical lines horizontal,
    its first column (the rightmost) on top; 0 when most of the text runs across."""
    vertical = [b for b in boxes if b.vertical]
    along = sum(b.y1 - b.y0 for b in vertical)
    across = sum(b.x1 - b.x0 for b in boxes if not b.vertical)
    if not vertical or along <= across:
        return 0
    ccw = sum(b.y1 - b.y0 for b in vertical if b.turn == 1)
    return 1 if 2 * ccw >= along else 3


def turn_frame(boxes: list[Box], rules: list, quarter: int, w: float, h: float):
    """Boxes (and their reading turns) and rules in the frame of the page turned by `quarter`
    counter-clockwise quarter turns, with that frame's width and height."""
    if quarter % 4 == 0:
        return boxes, rules, w, h

    def turn(x0, y0, x1, y1):
        return (y0, w - x1, y1, w - x0) if quarter % 4 == 1 else (h - y1, x0, h - y0, x1)
    for box in boxes:
        box.x0, box.y0, box.x1, box.y1 = turn(box.x0, box.y0, box.x1, box.y1)
        box.ink = turn(*box.ink) if box.ink else None
        box.turn = (box.turn - quarter) % 4
    return boxes, [turn(*r) for r in rules], h, w


def unpad(boxes: list[Box], rules: list, pad: int, w: int, h: int):
    """Boxes and rules back in the coordinates of the image without the added margin."""
    if pad == 0:
        return boxes, rules

    def shift(x0, y0, x1, y1):
        return (min(max(x0 - pad, 0), w), min(max(y0 - pad, 0), h),
                min(max(x1 - pad, 0), w), min(max(y1 - pad, 0), h))
    for box in boxes:
        box.x0, box.y0, box.x1, box.y1 = shift(box.x0, box.y0, box.x1, box.y1)
        if box.ink:
            box.ink = shift(*box.ink)
    rules = [r for r in (shift(*rule) for rule in rules) if r[2] > r[0] and r[3] > r[1]]
    return boxes, rules


def split_at_rules(rect, verticals) -> list[tuple[float, float, float, float]]:
    """Cut a text box where a vertical ruling line crosses it (a box spanning two cells)."""
    x0, y0, x1, y1 = rect
    cuts = []
    for vx0, vy0, vx1, vy1 in verticals:
        if vx0 > x0 + 4 and vx1 < x1 - 4 and vy0 <= (y0 + y1) / 2 <= vy1:
            cuts.append((vx0, vx1))
    if not cuts:
        return [rect]
    pieces, left = [], x0
    for cx0, cx1 in sorted(cuts):
        pieces.append((left, y0, cx0, y1))
        left = cx1
    pieces.append((left, y0, x1, y1))
    return [p for p in pieces if p[2] - p[0] > 0.6 * (y1 - y0)]


def rules_to_points(rules, factor: float) -> tuple[BBox, ...]:
    """Rules as thin boxes in points: the centre line, at most 1 pt thick (like PDF strokes)."""
    out = []
    for x0, y0, x1, y1 in rules:
        if x1 - x0 >= y1 - y0:
            mid, half = (y0 + y1) / 2 * factor, min((y1 - y0) * factor, 1.0) / 2
            out.append(BBox(x0 * factor, mid - half, x1 * factor, mid + half))
        else:
            mid, half = (x0 + x1) / 2 * factor, min((x1 - x0) * factor, 1.0) / 2
            out.append(BBox(mid - half, y0 * factor, mid + half, y1 * factor))
    return tuple(sorted(out, key=lambda b: (b.top, b.x0)))
