"""Pure: find ruled tables among a page's lines and turn their cells into typed rows."""

from __future__ import annotations

import re

from ingest.document import BBox, Line, Table
from ingest.layout import squeeze

PERIOD_RE = re.compile(r"^[（(]?\d{4}年\d{1,2}月(?:\d{1,2}日)?[—–\-－~～至到]+(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?[)）]?$")
MIN_COLUMNS = 3


def is_period_line(text: str) -> bool:
    return bool(PERIOD_RE.match(squeeze(text)))


def group_rows(lines: list[Line]) -> list[list[Line]]:
    """Lines whose vertical extents overlap by half form one row, left to right."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda ln: ln.bbox.ymid):
        if rows:
            ref = rows[-1][0].bbox
            overlap = min(ref.bottom, line.bbox.bottom) - max(ref.top, line.bbox.top)
            if overlap > 0.5 * min(ref.height, line.bbox.height):
                rows[-1].append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda ln: ln.bbox.x0) for row in rows]


def grid_boxes(rules: tuple[BBox, ...]) -> list[BBox]:
    """Areas enclosed by at least three horizontal rules that share their x extent."""
    horizontal = sorted((r for r in rules if r.height <= 2 and r.width > 40), key=lambda r: r.top)
    vertical = [r for r in rules if r.width <= 2 and r.height > 5]
    grids: list[list[BBox]] = []
    for rule in horizontal:
        for grid in grids:
            last = grid[-1]
            if abs(rule.x0 - last.x0) < 3 and abs(rule.x1 - last.x1) < 3 and rule.top - last.top < 80:
                grid.append(rule)
                break
        else:
            grids.append([rule])
    out = []
    for grid in map(_trim, grids):
        if len(grid) < 2:
            continue
        box = BBox(grid[0].x0, grid[0].top, grid[0].x1, grid[-1].bottom)
        inner = [v for v in vertical if box.x0 - 3 <= v.xmid <= box.x1 + 3
                 and v.top < box.bottom and v.bottom > box.top]
        if len(grid) >= 3 or len(inner) >= 2:
            out.append(box)
    return out


def _trim(grid: list[BBox]) -> list[BBox]:
    """Drop an outer rule set much farther from the grid than its rows are apart (a separator)."""
    while len(grid) >= 4:
        gaps = [b.top - a.top for a, b in zip(grid, grid[1:])]
        typical = sorted(gaps)[len(gaps) // 2]
        if gaps[0] > 1.8 * typical:
            grid = grid[1:]
        elif gaps[-1] > 1.8 * typical:
            grid = grid[:-1]
        else:
            break
    return grid


def table_line_ids(lines: list[Line], rules: tuple[BBox, ...]) -> set[int]:
    """ids of the lines that are table cells: inside a ruled grid, or in rows of >= 3 cells."""
    cells: set[int] = set()
    for box in grid_boxes(rules):
        cells |= {id(ln) for ln in lines if box.x0 - 2 <= ln.bbox.xmid <= box.x1 + 2
                  and box.top - 2 <= ln.bbox.ymid <= box.bottom + 2}
    rows = group_rows(lines)
    wide = [len(row) >= MIN_COLUMNS for row in rows]
    for i, row in enumerate(rows):
        # a row of >= 3 cells, or a sparser row (a wrapped cell) between two such rows
        between = 0 < i < len(rows) - 1 and wide[i - 1] and wide[i + 1] and len(row) >= 2
        if wide[i] or between:
            cells |= {id(ln) for ln in row}
    return cells


def _typed(text: str) -> str | int:
    t = text.replace(",", "").replace("，", "")
    return int(t) if t.isdigit() else text


def column_spans(rows: list[list[Line]]) -> list[tuple[float, float]]:
    """Columns are the x ranges some cell covers, separated by gutters no cell crosses."""
    spans: list[list[float]] = []
    for x0, x1 in sorted((ln.bbox.x0, ln.bbox.x1) for row in rows for ln in row):
        if spans and x0 <= spans[-1][1] + 1:
            spans[-1][1] = max(spans[-1][1], x1)
        else:
            spans.append([x0, x1])
    return [(a, b) for a, b in spans]


def merge_exclusive(spans: list[tuple[float, float]], rows: list[list[Line]]):
    """Two neighbouring spans that never hold text in the same row are one column
    (a centred header over left-aligned cells)."""
    used = [{_column(ln, spans) for ln in row} for row in rows]
    merged = [spans[0]]
    owner = [0]
    for i in range(1, len(spans)):
        if not any(owner[-1] in u and i in u for u in used) and \
                not any(any(j in u for j in range(owner[-1], i)) and i in u for u in used):
            merged[-1] = (merged[-1][0], spans[i][1])
        else:
            merged.append(spans[i])
            owner.append(i)
    return merged


def _column(line: Line, spans: list[tuple[float, float]]) -> int:
    return min(range(len(spans)), key=lambda i: 0 if spans[i][0] <= line.bbox.xmid <= spans[i][1]
               else min(abs(line.bbox.xmid - spans[i][0]), abs(line.bbox.xmid - spans[i][1])))


def rows_to_table(rows: list[list[Line]], title: str, period: str | None,
                  note: str | None, pages: tuple[int, ...]) -> Table:
    """Header from the first row; columns from the gutters between all cells."""
    spans = merge_exclusive(column_spans(rows), rows)
    grid: list[list[str]] = []
    for row in rows:
        cells = [""] * len(spans)
        for line in row:
            cells[_column(line, spans)] += line.text.strip()
        if grid and not cells[0] and any(cells):        # a wrapped cell continues the row above
            grid[-1] = [a + b for a, b in zip(grid[-1], cells)]
        else:
            grid.append(cells)
    head = tuple(grid[0])
    body = [r for r in grid[1:] if tuple(r) != head]   # header repeated after a page break
    return Table(title, period, note, head, tuple(tuple(_typed(c) for c in r) for r in body), pages)
