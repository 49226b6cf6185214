"""Pure: recognised OCR boxes (page pixels) -> `Line`s in PDF points.

Boxes in one row closer than SEGMENT_GAP_EM join into one line, as glyphs do on text pages; each
line's font size comes from ink width per em (box heights of titles and body overlap), bold from
stroke thickness against the page's body lines.
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



def size_px(box: Box) -> float:
    """Font size in pixels: ink width over the line's width in ems; the ink height when the
    text is too short for that to be reliable."""
    x0, y0, x1, y1 = box.ink or (box.x0, box.y0, box.x1, box.y1)
    ems = ink_ems(box.text)
    by_height = (y1 - y0) / 0.92
    if ems < 3:
        return by_height
    return (x1 - x0) / ems


def boxes_to_lines(boxes: list[Box], rules, factor: float, number: int) -> tuple[Line, ...]:
    """Boxes of one row closer than SEGMENT_GAP_EM font sizes (and not split by a vertical rule)
    form one line, as glyph runs do in text PDFs."""
    verticals = [r for r in rules if r[3] - r[1] > r[2] - r[0]]
    sized = [(b, b.size or size_px(b)) for b in boxes]
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
    return tuple(sorted(lines, key=lambda ln: (ln.bbox.top, ln.bbox.x0)))


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
