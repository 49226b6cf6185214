"""Pure: find tables among a page's lines and turn their cells into typed rows.

Text pages bring the grids pdfplumber's finder drew (`Page.grids`): each line goes to the cell
that holds it and a cell's wrapped lines are joined inside it. Scans bring ruling lines only
(`Page.rules`); there, and for tables without rules, columns come from the gutters between
aligned cells. A table needs a data row: a lone header row is text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.document import BBox, Grid, Line, Page, Table
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


@dataclass(frozen=True, slots=True)
class CellBlock:
    """The lines of one table on one page, with the finder's grid when there is one."""

    lines: tuple[Line, ...]
    grid: Grid | None = None

    def rows(self, lefts: list[float] | None = None) -> list[list[str]]:
        """Cell texts row by row (a grid's rows; else aligned rows and gutters); `lefts`: the
        columns of the table this block carries on, when its own grid has other columns."""
        if self.grid is None:
            return aligned_rows(group_rows(list(self.lines)))
        return grid_rows(self.lines, self.grid, lefts)

    def placed(self) -> list[Line]:
        """The lines whose text lands in a cell (a grid's lines outside every cell do not)."""
        if self.grid is None:
            return list(self.lines)
        boxes = [box for row in self.grid.rows for box in row if box is not None]
        return [ln for ln in self.lines if any(_inside(ln, box, 0.5) for box in boxes)]


def _inside(line: Line, box: BBox, slack: float = 2.0) -> bool:
    return box.x0 - slack <= line.bbox.xmid <= box.x1 + slack and \
        box.top - slack <= line.bbox.ymid <= box.bottom + slack


def page_tables(lines: list[Line], page: Page) -> list[CellBlock]:
    """The tables of a page, in reading order: the finder's grids on a text page; on a scan,
    runs of lines inside ruled boxes or in rows of >= 3 aligned cells (also used for tables
    without rules on text pages)."""
    blocks, taken = [], set()
    for grid in page.grids if page.source != "ocr" else ():
        inside = tuple(ln for ln in lines if id(ln) not in taken and _inside(ln, grid.bbox))
        if inside:
            blocks.append(CellBlock(inside, grid))
            taken |= {id(ln) for ln in inside}
    rest = [ln for ln in lines if id(ln) not in taken]
    cells = aligned_line_ids(rest)
    for box in grid_boxes(page.rules) if page.source == "ocr" else ():
        cells |= {id(ln) for ln in rest if _inside(ln, box)}
    run: list[Line] = []
    for line in rest + [None]:                   # consecutive cell lines form one table
        if line is not None and id(line) in cells:
            run.append(line)
        elif run:
            blocks.append(CellBlock(tuple(run)))
            run = []
    order = {id(ln): i for i, ln in enumerate(lines)}
    return sorted(blocks, key=lambda b: min(order[id(ln)] for ln in b.lines))


def aligned_line_ids(lines: list[Line]) -> set[int]:
    """ids of the lines that are cells of a table without rules: rows of >= 3 cells."""
    cells: set[int] = set()
    rows = group_rows(lines)
    wide = [len(row) >= MIN_COLUMNS for row in rows]
    for i, row in enumerate(rows):
        # a row of >= 3 cells, or a sparser row (a wrapped cell) between two such rows
        between = 0 < i < len(rows) - 1 and wide[i - 1] and wide[i + 1] and len(row) >= 2
        if wide[i] or between:
            cells |= {id(ln) for ln in row}
    return cells


def _typed(text: str) -> str | int:
    """A whole number becomes an int only when nothing is lost: '1,234' and '007' stay text."""
    return int(text) if text.isascii() and text.isdigit() and str(int(text)) == text else text


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


def aligned_rows(rows: list[list[Line]]) -> list[list[str]]:
    """Cell texts of a table without a grid; columns from the gutters between all cells."""
    if not rows:
        return []
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
    return grid


def join_cell(lines: list[Line]) -> str:
    """A cell's wrapped lines, top to bottom: no separator in Chinese, a space between words."""
    out = ""
    for line in sorted(lines, key=lambda ln: (ln.bbox.top, ln.bbox.x0)):
        text = line.text.strip()
        if out and text and out[-1].isascii() and out[-1].isalnum() and text[0].isascii() \
                and text[0].isalnum():
            out += " "
        out += text
    return out


def column_lefts(grid: Grid) -> list[float]:
    """The left edge of each column of a grid."""
    lefts = []
    for j in range(grid.n_columns):
        xs = [row[j].x0 for row in grid.rows if j < len(row) and row[j] is not None]
        lefts.append(min(xs) if xs else lefts[-1] if lefts else grid.bbox.x0)
    return lefts


def grid_rows(lines: tuple[Line, ...] | list[Line], grid: Grid,
              lefts: list[float] | None = None) -> list[list[str]]:
    """Each line goes to the cell holding its centre; a merged cell's text sits at its first
    position and the positions it covers stay empty. Rows with no text are dropped. With
    `lefts`, each cell goes to the column whose left edge is nearest its own."""
    width = len(lefts) if lefts else grid.n_columns
    out = []
    for row in grid.rows:
        cells = [""] * width
        for j, box in enumerate(row):
            if box is None:
                continue
            at = min(range(width), key=lambda k: abs(lefts[k] - box.x0)) if lefts else j
            cells[at] += join_cell([ln for ln in lines if _inside(ln, box, 0.5)])
        if any(cells):
            out.append(cells)
    return out


def is_table(rows: list[list[str]]) -> bool:
    """A table has a header and at least one data row, and two columns that hold text."""
    filled = {i for row in rows for i, cell in enumerate(row) if cell}
    return len(rows) >= 2 and len(filled) >= 2


def rows_to_table(rows: list[list[str]], title: str, period: str | None,
                  note: str | None, pages: tuple[int, ...]) -> Table:
    """Header from the first row; a header repeated after a page break is dropped."""
    head = tuple(rows[0]) if rows else ()
    body = [r for r in rows[1:] if tuple(r) != head]
    return Table(title, period, note, head, tuple(tuple(_typed(c) for c in r) for r in body), pages)
