"""Bulletin layout: source elements -> pages of draw ops (text runs and rules, in points).

Positions use a top-left origin; text runs carry their baseline. Chinese text breaks between
any two characters (Latin words and numbers stay whole) with basic 避头尾: closing marks are
squeezed onto the line or pull the previous character down, opening marks never end a line.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ingest.source import Element, split_recipients
from scripts.bulletin_fonts import Face

A4 = (595.28, 841.89)
BLACK, RED, GREY = (0, 0, 0), (220, 0, 0), (90, 90, 90)
CLOSING = set("，。、；：？！）》」』】〕〉”’％…·,.;:?!)]}%")
OPENING = set("（《「『【〔〈“‘([{")
DECOR = "报送：，— 0123456789"
EPS = 0.01


@dataclass(frozen=True, slots=True)
class Variant:
    """Page geometry and type sizes of one layout; margins are left, top, right, bottom."""

    name: str
    family: str = "wqy"
    page: tuple[float, float] = A4
    margins: tuple[float, float, float, float] = (79.0, 85.0, 74.0, 79.0)
    body: float = 12.0
    title: float = 16.0
    subtitle: float = 14.0
    masthead: float = 28.0
    spacing: float = 1.5
    title_bold: bool = True
    heading_bold: bool = True
    columns: int = 1
    split_table: bool = False
    bold_stroke: float = 0.025


VARIANTS = {v.name: v for v in (
    Variant("standard"),
    Variant("noto", family="noto", margins=(68.0, 70.0, 68.0, 72.0), body=10.5, title=15.0,
            subtitle=12.5, masthead=26.0, spacing=1.6, bold_stroke=0.0),
    Variant("boldonly", margins=(90.0, 80.0, 90.0, 80.0), title=12.0, subtitle=12.0,
            spacing=1.3),
    Variant("sizeonly", title_bold=False, heading_bold=False),
    Variant("twocol", body=11.0, title=14.0, subtitle=12.0, columns=2,
            margins=(60.0, 80.0, 60.0, 72.0)),
    Variant("wide", margins=(110.0, 95.0, 110.0, 90.0), body=14.0, title=18.0, subtitle=15.0,
            spacing=1.8, split_table=True),
    Variant("landscape", page=(A4[1], A4[0]), margins=(72.0, 64.0, 72.0, 60.0)),
    Variant("cff", family="notocff", bold_stroke=0.0),
)}


@dataclass(frozen=True, slots=True)
class Text:
    """A run of text; y is the baseline; spacing is extra space after each glyph (PDF Tc)."""

    x: float
    y: float
    text: str
    size: float
    bold: bool = False
    color: tuple[int, int, int] = BLACK
    spacing: float = 0.0


@dataclass(frozen=True, slots=True)
class Rule:
    """A straight line (rules, table borders)."""

    x0: float
    y0: float
    x1: float
    y1: float
    width: float = 0.5
    color: tuple[int, int, int] = BLACK


@dataclass(frozen=True, slots=True)
class PageOps:
    """One page of the display list."""

    width: float
    height: float
    ops: tuple


@dataclass(frozen=True, slots=True)
class Frame:
    """A rectangle text flows into (a page body or one column)."""

    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def width(self) -> float:
        """Width in points."""
        return self.x1 - self.x0


@dataclass(frozen=True, slots=True)
class Metrics:
    """Advance widths of the regular and bold faces, measuring text in points."""

    regular: Face
    bold: Face

    def width(self, text: str, size: float, bold: bool = False) -> float:
        """Advance width of `text` at `size` points."""
        face = self.bold if bold else self.regular
        return sum(face.widths.get(ord(c), face.default_width) for c in text) * size / 1000


def tokens(text: str) -> list[str]:
    """Break units: Latin/digit words, paired dashes and ellipses, else single characters."""
    toks = re.findall(r"[A-Za-z0-9]+(?:[.,:/%@_-][A-Za-z0-9]+)*%?|——|……|\s+|.", text)
    return [t for tok in toks for t in ([tok] if len(tok) <= 16 else list(tok))]


def no_start(tok: str) -> bool:
    """Whether a token may not begin a line (closing punctuation, spaces)."""
    return tok[0] in CLOSING or tok[0].isspace()


def fit_line(widths: list[float], toks: list[str], start: int, avail: float,
             squeeze: float) -> int:
    """End index of the line starting at `start`: greedy fill plus basic 避头尾."""
    end, used = start, 0.0
    while end < len(toks) and used + widths[end] <= avail + EPS:
        used, end = used + widths[end], end + 1
    if end == len(toks):
        return end
    if end == start:
        return start + 1
    while end < len(toks) and no_start(toks[end]) and used + widths[end] <= avail + squeeze:
        used, end = used + widths[end], end + 1
    while end < len(toks) and no_start(toks[end]) and end - start > 1:
        end -= 1
    while end - start > 1 and toks[end - 1][-1] in OPENING:
        end -= 1
    return end


def justify(text: str, natural: float, avail: float, size: float) -> float:
    """Inter-character spacing that makes `text` fill `avail` (0 if it would look torn)."""
    if len(text) < 2:
        return 0.0
    spacing = (avail - natural) / (len(text) - 1)
    return spacing if spacing <= 0.3 * size else 0.0


def baseline(top: float, line_h: float, size: float) -> float:
    """Baseline of text of `size` centred in a line box starting at `top`."""
    return top + (line_h - size) / 2 + 0.86 * size


def is_number(text: str) -> bool:
    """Table cells set centred: numbers, percentages, dashes."""
    return bool(re.fullmatch(r"[\d.,%％—\-]+", text))


@dataclass
class Flow:
    """Mutable cursor placing lines through the frames of successive pages."""

    v: Variant
    m: Metrics
    series: str
    pages: list = field(default_factory=list)
    frames: list = field(default_factory=list)
    index: int = 0
    y: float = 0.0
    single: bool = False

    @property
    def frame(self) -> Frame:
        """The frame text currently flows into."""
        return self.frames[self.index]

    def add(self, op) -> None:
        """Append a draw op to the current page."""
        self.pages[-1].append(op)

    def new_page(self) -> None:
        """Start a page: running header (page 2 on) and the frames text flows into."""
        (w, h), (ml, mt, mr, mb) = self.v.page, self.v.margins
        self.pages.append([])
        number = len(self.pages)
        if number > 1 and self.series:
            hs = 9.0
            self.add(Text((w - self.m.width(self.series, hs)) / 2, mt - 24, self.series, hs,
                          color=GREY))
            self.add(Rule(ml, mt - 17, w - mr, mt - 17, 0.5, GREY))
        cols = 1 if number == 1 or self.single else self.v.columns
        gutter = 2 * self.v.body
        col_w = (w - ml - mr - gutter * (cols - 1)) / cols
        self.frames = [Frame(ml + i * (col_w + gutter), ml + i * (col_w + gutter) + col_w,
                             mt, h - mb) for i in range(cols)]
        self.index, self.y = 0, mt

    def advance(self) -> None:
        """Move to the next column, or the next page."""
        if self.index + 1 < len(self.frames):
            self.index, self.y = self.index + 1, self.frame.top
        else:
            self.new_page()

    def need(self, height: float) -> None:
        """Advance unless `height` fits below the cursor (or the frame is still empty)."""
        if self.y + height > self.frame.bottom + EPS and self.y > self.frame.top + EPS:
            self.advance()

    def go_single(self) -> None:
        """Switch to full-width frames (tables, distribution), on a new page if needed."""
        fresh = self.index == 0 and self.y <= self.frame.top + EPS
        self.single = True
        if len(self.frames) > 1:
            if fresh:
                self.pages.pop()
            self.new_page()

    def gap(self, height: float) -> None:
        """Vertical space, dropped at the top of a frame."""
        if self.y > self.frame.top + EPS:
            self.y += height

    def lines(self, text: str, size: float, *, bold: bool = False, indent: float = 0.0,
              align: str = "justify", color=BLACK, spacing: float | None = None) -> None:
        """Flow wrapped text; align is justify|left|center; indent applies to line one."""
        line_h = size * (spacing or self.v.spacing)
        toks = tokens(text)
        widths = [self.m.width(t, size, bold) for t in toks]
        start, first = 0, True
        while start < len(toks):
            self.need(line_h)
            ind = indent if first else 0.0
            avail = self.frame.width - ind
            end = fit_line(widths, toks, start, avail, squeeze=1.05 * size)
            line, natural = "".join(toks[start:end]), sum(widths[start:end])
            x, tc = self.frame.x0 + ind, 0.0
            if align == "center":
                x += (avail - natural) / 2
            elif align == "justify" and end < len(toks):
                tc = justify(line, natural, avail, size)
            self.add(Text(x, baseline(self.y, line_h, size), line, size, bold, color, tc))
            self.y += line_h
            start, first = end, False


def folio(v: Variant, m: Metrics, number: int) -> Text:
    """The page number, centred in the bottom margin: — 3 —."""
    label, size = f"— {number} —", v.body * 0.875
    return Text((v.page[0] - m.width(label, size)) / 2, v.page[1] - v.margins[3] + 34, label, size)


def front_matter(flow: Flow, els: list[Element]) -> None:
    """Page 1 head: red masthead, issue line, red rules around editor and date."""
    v, m, fr = flow.v, flow.m, flow.frame
    for el in (e for e in els if e.kind == "masthead"):
        flow.lines(el.text, v.masthead, bold=True, align="center", color=RED, spacing=1.3)
    size = v.body + 2
    for el in (e for e in els if e.kind == "issue"):
        flow.y += 4
        flow.lines(el.text, size, align="center", spacing=1.6)
    flow.y += 6
    flow.add(Rule(fr.x0, flow.y, fr.x1, flow.y, 2.0, RED))
    editor = next((e.text for e in els if e.kind == "editor"), "")
    date = next((e.text for e in els if e.kind == "date"), "")
    if editor or date:
        line_h, size = v.body * 2.0, v.body + 1
        inset = size if m.width(editor + date, size) + 5 * size <= fr.width else 0.0
        two_lines = m.width(editor + date, size) + 2 * size > fr.width
        base = baseline(flow.y, line_h, size)
        flow.add(Text(fr.x0 + inset, base, editor, size))
        if two_lines:
            flow.y += size * 1.5
        base = baseline(flow.y, line_h, size)
        flow.add(Text(fr.x1 - inset - m.width(date, size), base, date, size))
        flow.y += line_h
        flow.add(Rule(fr.x0, flow.y, fr.x1, flow.y, 1.0, RED))
    flow.y += v.body * 1.5


def column_widths(natural: list[float], avail: float) -> list[float]:
    """Fill the table width: share spare room by natural width, else squeeze the widest."""
    total = sum(natural)
    if total <= avail:
        return [w * avail / total for w in natural]
    widest = natural.index(max(natural))
    rest = total - natural[widest]
    return [avail - rest if i == widest else w for i, w in enumerate(natural)]


def table(flow: Flow, title: list[str], period: str | None, rows: list[list[str]],
          note: str | None) -> None:
    """A fully ruled table; rows continue on the next page without repeating the header."""
    v, m = flow.v, flow.m
    flow.go_single()
    size, pad, line_h = v.body * 0.875, v.body * 0.4, v.body * 0.875 * 1.35
    ncols = max((len(r) for r in rows), default=0)
    if not ncols:
        return
    rows = [r + [""] * (ncols - len(r)) for r in rows]
    natural = [max(m.width(r[c], size, i == 0) for i, r in enumerate(rows)) + 2 * pad
               for c in range(ncols)]
    widths = column_widths(natural, flow.frame.width)
    cells = [[_wrap(m, cell, size, i == 0, w - 2 * pad) for cell, w in zip(r, widths)]
             for i, r in enumerate(rows)]
    heights = [max(len(c) for c in r) * line_h + 2 * pad for r in cells]
    flow.gap(v.body * v.spacing)
    flow.need((v.body + 2) * 1.6 * len(title) + v.body * 2 + sum(heights[:2]))
    for t in title:
        flow.lines(t, v.body + 2, bold=True, align="center", spacing=1.6)
    if period:
        flow.lines(period, v.body, align="center", spacing=1.6)
    flow.y += 4
    xs = [flow.frame.x0 + sum(widths[:i]) for i in range(ncols + 1)]
    half = math.ceil((len(rows) - 1) / 2) + 1
    ys = [flow.y]
    for i, (row, height) in enumerate(zip(cells, heights)):
        split = v.split_table and i == half and len(ys) > 1
        if split or flow.y + height > flow.frame.bottom + EPS:
            _grid(flow, xs, ys)
            flow.advance()
            ys = [flow.y]
        for c, (lines, x0) in enumerate(zip(row, xs)):
            for k, line in enumerate(lines):
                w = m.width(line, size, i == 0)
                centred = i == 0 or is_number(rows[i][c])
                x = x0 + (widths[c] - w) / 2 if centred else x0 + pad
                flow.add(Text(x, baseline(flow.y + pad + k * line_h, line_h, size), line,
                              size, i == 0))
        flow.y += height
        ys.append(flow.y)
    _grid(flow, xs, ys)
    if note:
        flow.y += 4
        flow.lines(note, size, align="left", spacing=1.5)


def _wrap(m: Metrics, text: str, size: float, bold: bool, avail: float) -> list[str]:
    """Lines of ragged (unjustified) text such as a table cell."""
    toks = tokens(text) or [""]
    widths = [m.width(t, size, bold) for t in toks]
    out, start = [], 0
    while start < len(toks):
        end = fit_line(widths, toks, start, avail, squeeze=0.0)
        out.append("".join(toks[start:end]))
        start = end
    return out


def _grid(flow: Flow, xs: list[float], ys: list[float]) -> None:
    """All borders of one table segment: outer 1 pt, inner 0.5 pt."""
    if len(ys) < 2:
        return
    for i, y in enumerate(ys):
        flow.add(Rule(xs[0], y, xs[-1], y, 1.0 if i in (0, len(ys) - 1) else 0.5))
    for i, x in enumerate(xs):
        flow.add(Rule(x, ys[0], x, ys[-1], 1.0 if i in (0, len(xs) - 1) else 0.5))


def distribution(flow: Flow, report: list[str], copy: list[str]) -> None:
    """报/送 block at the foot of the last page, between thin rules."""
    if not report and not copy:
        return
    v, m = flow.v, flow.m
    flow.go_single()
    size = v.body
    line_h, label_w = size * v.spacing, m.width("报：", size)
    avail = flow.frame.width - label_w
    report = [line for r in report for line in _wrap(m, r, size, False, avail)]
    copy = _wrap(m, "，".join(copy), size, False, avail) if copy else []
    height = (len(report) + len(copy)) * line_h + 12
    if flow.y + height + v.body * 2 > flow.frame.bottom:
        flow.advance()
    fr = flow.frame
    flow.y = fr.bottom - height
    flow.add(Rule(fr.x0, flow.y, fr.x1, flow.y, 0.75))
    flow.y += 6
    for label, items in (("报：", report), ("送：", copy)):
        if not items:
            continue
        flow.add(Text(fr.x0, baseline(flow.y, line_h, size), label, size))
        for item in items:
            flow.add(Text(fr.x0 + label_w, baseline(flow.y, line_h, size), item, size))
            flow.y += line_h
    flow.y += 6
    flow.add(Rule(fr.x0, flow.y, fr.x1, flow.y, 0.75))


def body(flow: Flow, els: list[Element]) -> None:
    """Articles, tables and the distribution block in source order."""
    v, m = flow.v, flow.m
    tbl, report, copy = None, [], []
    for i, el in enumerate(els):
        if el.kind == "title":
            flow.gap(v.body * v.spacing)
            sub = els[i + 1].text if i + 1 < len(els) and els[i + 1].kind == "subtitle" else ""
            width = flow.frame.width
            flow.need(len(_wrap(m, el.text, v.title, v.title_bold, width)) * v.title * 1.6
                      + (len(_wrap(m, sub, v.subtitle, False, width)) * v.subtitle * 1.6
                         if sub else 0) + v.body * v.spacing * 2)
            flow.lines(el.text, v.title, bold=v.title_bold, align="center", spacing=1.6)
        elif el.kind == "subtitle":
            flow.lines(el.text, v.subtitle, bold=False, align="center", spacing=1.6)
            flow.y += v.body * 0.3
        elif el.kind == "heading":
            flow.need(v.body * v.spacing * 2)
            flow.lines(el.text, v.body, bold=v.heading_bold, indent=2 * v.body, align="left")
        elif el.kind == "para":
            flow.lines(el.text, v.body, indent=2 * v.body)
        elif el.kind == "table_title":
            if tbl is None or tbl["rows"]:
                tbl = {"title": [], "period": None, "rows": [], "note": None}
            tbl["title"].append(el.text)
        elif el.kind in ("period", "note"):
            tbl[el.kind] = el.text
        elif el.kind == "row":
            tbl["rows"].append([c.strip() for c in el.text.split("|")])
        elif el.kind == "endtable" and tbl is not None:
            table(flow, tbl["title"], tbl["period"], tbl["rows"], tbl["note"])
            tbl = None
        elif el.kind == "report":
            report.append(el.text)
        elif el.kind == "copy":
            copy.extend(split_recipients(el.text))
    if tbl is not None:
        table(flow, tbl["title"], tbl["period"], tbl["rows"], tbl["note"])
    distribution(flow, report, copy)


def paginate(els: list[Element], v: Variant, m: Metrics) -> tuple[PageOps, ...]:
    """Lay elements out: page 1 head, articles, tables, distribution, page numbers."""
    flow = Flow(v, m, "".join(e.text for e in els if e.kind == "masthead"))
    flow.new_page()
    front_matter(flow, els)
    body(flow, els)
    return tuple(PageOps(*v.page, (*ops, folio(v, m, n))) for n, ops in enumerate(flow.pages, 1))
