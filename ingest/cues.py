"""Pure: the typographic cues of one page, relative to its own body text.

Body size, text column and line pitch (`Metrics`), and the cues that tell a title, a subtitle
or a new paragraph from running text. Never fixed sizes or coordinates.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from ingest.document import Line
from ingest.layout import body_size, is_prose
from ingest.tables import is_period_line

CLOSING = "。；，、：:;,"
# Source lines, notes, list labels and numbered run-in heads are never article titles.
NEVER_TITLE_RE = re.compile(r"^(?:（供稿|（来源|\(供稿|（作者|（通讯员|编者按|注[：:]|报[：:]|送[：:]|抄送|"
                            r"[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")


def never_title(text: str) -> bool:
    return bool(NEVER_TITLE_RE.match(text))


@dataclass(slots=True)
class Metrics:
    """Body size and text column of one page (or of each column on a two-column page)."""

    size: float
    left: float
    right: float
    pitch: float
    gutter: float | None = None
    columns: dict = field(default_factory=dict)
    middle: float | None = None     # the page's centre line (one column): a display title's axis

    def bounds(self, line: Line) -> tuple[float, float]:
        if self.gutter is None or line.bbox.x0 < self.gutter < line.bbox.x1:
            return self.left, self.right            # a line across the gutter spans the page
        return self.columns["L" if line.bbox.xmid < self.gutter else "R"]


def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def _bounds(lines: list[Line], size: float, fallback: tuple[float, float] | None = None):
    """The text column: where most full body lines start and end."""
    body = [ln for ln in lines if abs(ln.size - size) <= 0.15 * size and len(ln.text) >= 8]
    if len(body) < 6 and fallback is not None:
        return fallback
    body = body or lines
    return _percentile([ln.bbox.x0 for ln in body], 0.1), _percentile([ln.bbox.x1 for ln in body], 0.95)


def page_metrics(lines: list[Line], doc: Metrics | None, gutter: float | None,
                 width: float | None = None) -> Metrics:
    """Body size, column and line pitch of a page; the document's where the page has too little text."""
    chars = sum(len(ln.text) for ln in lines if is_prose(ln.text))
    size = body_size(lines) if chars >= 150 or doc is None else doc.size
    left, right = _bounds(lines, size, None if doc is None or gutter else (doc.left, doc.right))
    body = [ln for ln in lines if abs(ln.size - size) <= 0.15 * size]
    tops = sorted((ln.page, ln.bbox.top) for ln in body)
    steps = [b[1] - a[1] for a, b in zip(tops, tops[1:])
             if a[0] == b[0] and 0.5 * size < b[1] - a[1] < 3 * size]
    pitch = statistics.median(steps) if steps else (doc.pitch if doc else 1.5 * size)
    metrics = Metrics(size, left, right, pitch, gutter,
                      middle=width / 2 if width and gutter is None else None)
    if gutter is not None:
        metrics.columns = {
            "L": _bounds([ln for ln in lines if ln.bbox.xmid < gutter], size),
            "R": _bounds([ln for ln in lines if ln.bbox.xmid >= gutter], size)}
    return metrics


def _centred(line: Line, m: Metrics) -> bool:
    """Centred in its column; a display-size line may be centred on the page instead (a page
    of short lines leaves the column's measured right edge short)."""
    left, right = m.bounds(line)
    slack = max(0.05 * (right - left), 1.2 * m.size)
    if abs(line.bbox.xmid - (left + right) / 2) <= slack:
        return True
    return m.middle is not None and line.size >= 1.3 * m.size and abs(line.bbox.xmid - m.middle) <= slack


def is_title_line(line: Line, m: Metrics) -> bool:
    """Title cues: larger or bold, centred in its column, short, no closing punctuation."""
    text = line.text.strip()
    if not text or len(text) > 45 or text[-1] in CLOSING or never_title(text):
        return False
    if not _centred(line, m) or _running_ocr_text(line, m):
        return False
    left, right = m.bounds(line)
    full = line.bbox.width >= 0.9 * (right - left)
    if line.size / m.size >= 1.12:
        return True
    return line.bold and not full and line.bbox.x0 > left + 1.5 * m.size


def _running_ocr_text(line: Line, m: Metrics) -> bool:
    """An OCR'd line across most of the column with a comma inside is running text, whatever
    its measured size: a photo's perspective enlarges the lines nearest the lens."""
    left, right = m.bounds(line)
    return line.confidence is not None and "，" in line.text.strip()[:-1] and \
        line.bbox.width >= 0.8 * (right - left) and line.size < 1.5 * m.size


def is_subtitle_line(line: Line, m: Metrics) -> bool:
    """Right under a title: a centred short line without closing punctuation, any size."""
    text = line.text.strip()
    if not text or len(text) > 40 or text[-1] in CLOSING or never_title(text) \
            or is_period_line(text):
        return False
    left, right = m.bounds(line)
    if text.startswith("—"):                      # ——subtitle: may fill a narrow column
        return _centred(line, m)
    return _centred(line, m) and line.bbox.width < 0.8 * (right - left) and \
        line.bbox.x0 > left + 1.5 * m.size


def is_full(line: Line, m: Metrics) -> bool:
    left, right = m.bounds(line)
    return line.bbox.width >= 0.8 * (right - left)


def split_title(lines: list[Line], m: Metrics) -> tuple[str, str | None]:
    """A wrapped title is one title; a following line that does not continue it is a subtitle."""
    title = [lines[0]]
    rest = lines[1:]
    while rest and is_full(title[-1], m) and abs(rest[0].size - title[-1].size) < 0.1 * m.size:
        title.append(rest.pop(0))
    subtitle = "".join(ln.text for ln in rest).strip() or None
    return "".join(ln.text for ln in title).strip(), subtitle


def new_paragraph(before: Line | None, bm: Metrics | None, line: Line, m: Metrics,
                  page_start: bool) -> bool:
    """First-line indent, a short previous line, or a wide gap start a paragraph (`before`:
    the previous body line, None after anything else)."""
    left, _ = m.bounds(line)
    if line.bbox.x0 - left >= 1.2 * m.size:
        return True
    if before is None or bm is None:
        return True
    _, right = bm.bounds(before)
    if before.bbox.x1 < right - 1.5 * bm.size:
        return True
    return not page_start and line.page == before.page and \
        line.bbox.top - before.bbox.top > 1.8 * m.pitch and line.bbox.x0 >= before.bbox.x0 - m.size


def is_label(line: Line, m: Metrics) -> bool:
    """A chart's axis label or figure: set well below the body size, a few characters long."""
    return line.size <= 0.85 * m.size and len(line.text.strip()) <= 12


def join_text(parts: list[str]) -> str:
    """Join wrapped lines: no separator in Chinese, one space between two Latin words."""
    out = ""
    for part in parts:
        part = part.strip()
        if out and part and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return out
