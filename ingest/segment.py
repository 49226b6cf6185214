"""Pure: pages of lines -> a Bulletin (metadata, articles, tables, distribution list).

One segmenter for text PDFs and scans. Every decision uses cues relative to the page's own
body text (size, bold, centring, indents, gaps), never fixed sizes or coordinates.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from ingest.document import (Article, Bulletin, Distribution, IngestWarning, IssueMeta, Line,
                             Page, Table)
from ingest.layout import (body_size, column_split, furniture_texts, is_furniture, reading_order,
                           squeeze)
from ingest.metadata import DATE_RE, ISSUE_RE, parse_date, parse_issue_line
from ingest.tables import group_rows, is_period_line, rows_to_table, table_line_ids
from ingest.text import split_recipients

CLOSING = "。；，、：:;,"
NEVER_TITLE_RE = re.compile(r"^(?:（供稿|（来源|\(供稿|（作者|（通讯员|编者按|注[：:]|报[：:]|送[：:]|抄送|"
                            r"[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")
DIST_RE = re.compile(r"^(报送|抄送|报|送)[：:]")
LIST_SEPARATOR_RE = re.compile(r"[，、,；;]")
HEAD_WINDOW = 10          # the masthead sits within the first lines of page 1


@dataclass(slots=True)
class Metrics:
    """Body size and text column of one page (or of each column on a two-column page)."""

    size: float
    left: float
    right: float
    pitch: float
    gutter: float | None = None
    columns: dict = field(default_factory=dict)

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


def page_metrics(lines: list[Line], doc: Metrics | None, gutter: float | None) -> Metrics:
    """Body size, column and line pitch of a page; the document's where the page has too little text."""
    chars = sum(len(ln.text) for ln in lines)
    size = body_size(lines) if chars >= 150 or doc is None else doc.size
    left, right = _bounds(lines, size, None if doc is None or gutter else (doc.left, doc.right))
    body = [ln for ln in lines if abs(ln.size - size) <= 0.15 * size]
    tops = sorted((ln.page, ln.bbox.top) for ln in body)
    steps = [b[1] - a[1] for a, b in zip(tops, tops[1:])
             if a[0] == b[0] and 0.5 * size < b[1] - a[1] < 3 * size]
    pitch = statistics.median(steps) if steps else (doc.pitch if doc else 1.5 * size)
    metrics = Metrics(size, left, right, pitch, gutter)
    if gutter is not None:
        metrics.columns = {
            "L": _bounds([ln for ln in lines if ln.bbox.xmid < gutter], size),
            "R": _bounds([ln for ln in lines if ln.bbox.xmid >= gutter], size)}
    return metrics


def is_title_line(line: Line, m: Metrics) -> bool:
    """Title cues: larger or bold, centred in its column, short, no closing punctuation."""
    text = line.text.strip()
    if not text or len(text) > 45 or text[-1] in CLOSING or NEVER_TITLE_RE.match(text):
        return False
    left, right = m.bounds(line)
    width = right - left
    ratio = line.size / m.size
    centred = abs(line.bbox.xmid - (left + right) / 2) <= max(0.05 * width, 1.2 * m.size)
    if not centred:
        return False
    full = line.bbox.width >= 0.9 * width
    if ratio >= 1.12:
        return True
    return line.bold and not full and line.bbox.x0 > left + 1.5 * m.size


def is_subtitle_line(line: Line, m: Metrics) -> bool:
    """Right under a title: a centred short line without closing punctuation, any size."""
    text = line.text.strip()
    if not text or len(text) > 40 or text[-1] in CLOSING or NEVER_TITLE_RE.match(text) \
            or is_period_line(text):
        return False
    left, right = m.bounds(line)
    centred = abs(line.bbox.xmid - (left + right) / 2) <= max(0.05 * (right - left), 1.2 * m.size)
    if text.startswith("—"):                      # ——subtitle: may fill a narrow column
        return centred
    return centred and line.bbox.width < 0.8 * (right - left) and line.bbox.x0 > left + 1.5 * m.size


def _is_full(line: Line, m: Metrics) -> bool:
    left, right = m.bounds(line)
    return line.bbox.width >= 0.8 * (right - left)


def split_title(lines: list[Line], m: Metrics) -> tuple[str, str | None]:
    """A wrapped title is one title; a following line that does not continue it is a subtitle."""
    title = [lines[0]]
    rest = lines[1:]
    while rest and _is_full(title[-1], m) and abs(rest[0].size - title[-1].size) < 0.1 * m.size:
        title.append(rest.pop(0))
    subtitle = "".join(ln.text for ln in rest).strip() or None
    return "".join(ln.text for ln in title).strip(), subtitle


# ---------------------------------------------------------------- masthead


def parse_masthead(lines: list[Line], body: float) -> tuple[IssueMeta, int, list[IngestWarning]]:
    """Issue metadata from the head of page 1; returns it and how many lines it used."""
    window = lines[:HEAD_WINDOW]
    found: dict = {}
    used = [False] * len(window)
    for i, line in enumerate(window):
        text = squeeze(line.text)
        if "year" not in found and ISSUE_RE.search(text):
            found["year"], found["issue_no"], found["total_no"] = parse_issue_line(text)
            used[i] = True
        date = DATE_RE.search(text) if "date" not in found else None
        if date and not ISSUE_RE.search(text):      # an editor and a date may share a line
            found["date"], used[i] = parse_date(date[0]), True
            text = (text[:date.start()] + text[date.end():]).strip()
        if text.endswith("编") and len(text) <= 40 and "editor" not in found:
            found["editor"], used[i] = text, True
        if "date" not in found and not used[i]:
            for span in (2, 3):                     # a date cut across lines: 1 月 9 / 日
                joined = "".join(squeeze(ln.text) for ln in window[i:i + span])
                if DATE_RE.fullmatch(joined):
                    found["date"] = parse_date(joined)
                    used[i:i + span] = [True] * span
                    break
    last = max((i for i, u in enumerate(used) if u), default=-1)
    masthead = [ln for i, ln in enumerate(window[:last + 1] if last >= 0 else window)
                if not used[i] and (ln.red or ln.size >= 1.4 * body)]
    if last < 0:                                  # no issue line: only a red masthead counts
        masthead = [ln for ln in window if ln.red]
        while masthead and window.index(masthead[-1]) != len(masthead) - 1:
            masthead.pop()
        last = len(masthead) - 1
    series = "".join(squeeze(ln.text) for ln in masthead) or None
    warnings = []
    if series is None:
        warnings.append(IngestWarning("not_series", 1, "no masthead found: read as generic articles"))
    for key in ("issue_no", "date"):
        if series and found.get(key) is None:
            warnings.append(IngestWarning(f"no_{key}", 1, f"masthead has no {key.replace('_', ' ')}"))
    meta = IssueMeta(series=series, year=found.get("year"), issue_no=found.get("issue_no"), total_no=found.get("total_no"),
                     date=found.get("date"), editor=found.get("editor"))
    return meta, last + 1, warnings


# ---------------------------------------------------------------- the stream of units


@dataclass(slots=True)
class Unit:
    """One step of the reading stream: a title group, a body line, a table row or a list line."""

    kind: str                 # title | body | row | dist
    lines: list[Line]
    metrics: Metrics
    page_start: bool = False  # first unit of its page


def page_units(lines: list[Line], cells: set[int], m: Metrics) -> list[Unit]:
    """Classify the lines of one page (furniture already removed, in reading order)."""
    units: list[Unit] = []
    in_dist = False
    for line in lines:
        if id(line) in cells:
            if units and units[-1].kind == "cells":
                units[-1].lines.append(line)
            else:
                units.append(Unit("cells", [line], m))
            continue
        text = squeeze(line.text)
        in_dist = in_dist or bool(DIST_RE.match(text))
        if in_dist:
            units.append(Unit("dist", [line], m))
        elif units and units[-1].kind == "title" and _close_below(units[-1].lines[-1], line, m) \
                and (is_title_line(line, m) or is_subtitle_line(line, m)):
            units[-1].lines.append(line)
        elif is_title_line(line, m):
            units.append(Unit("title", [line], m))
        else:
            units.append(Unit("body", [line], m))
    if units:
        units[0].page_start = True
    return units


def _close_below(upper: Line, lower: Line, m: Metrics) -> bool:
    return lower.bbox.top - upper.bbox.bottom < 1.6 * m.size


def starts_paragraph(prev: Unit | None, unit: Unit) -> bool:
    """First-line indent, a short previous line, or a wide gap start a paragraph."""
    line, m = unit.lines[0], unit.metrics
    left, right = m.bounds(line)
    if line.bbox.x0 - left >= 1.2 * m.size:
        return True
    if prev is None or prev.kind != "body":
        return True
    before = prev.lines[-1]
    pl, pr = prev.metrics.bounds(before)
    if before.bbox.x1 < pr - 1.5 * prev.metrics.size:
        return True
    if not unit.page_start and line.page == before.page and \
            line.bbox.top - before.bbox.top > 1.8 * m.pitch and line.bbox.x0 >= before.bbox.x0 - m.size:
        return True
    return False


def join_text(parts: list[str]) -> str:
    """Join wrapped lines: no separator in Chinese, one space between two Latin words."""
    out = ""
    for part in parts:
        part = part.strip()
        if out and part and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return out


# ---------------------------------------------------------------- assembly


@dataclass(slots=True)
class _Draft:
    title: str
    subtitle: str | None
    paragraphs: list[list[str]] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


@dataclass(slots=True)
class _TableDraft:
    title: str
    period: str | None = None
    chunks: list[list[Line]] = field(default_factory=list)
    note: list[str] = field(default_factory=list)


def _next_kind(units: list[Unit], i: int) -> str | None:
    """Kind of the unit after i, looking past one period line (a table's date range)."""
    j = i + 1
    if j < len(units) and units[j].kind == "body" and is_period_line(units[j].lines[0].text):
        j += 1
    return units[j].kind if j < len(units) else None


def _confidence(lines: list[Line]) -> float | None:
    scored = [(ln.confidence, len(ln.text)) for ln in lines if ln.confidence is not None]
    if not scored:
        return None
    return round(sum(c * n for c, n in scored) / sum(n for _, n in scored), 4)


def _distribution(units: list[Unit]) -> Distribution:
    """报/送 lists. A list written with separators (，、) is joined across lines and split on
    them; a list of one recipient per line keeps lines apart unless a line reaches the margin."""
    groups: list[list] = []                         # [label, [(text, reaches_margin), ...]]
    for unit in units:
        line = unit.lines[0]
        text = squeeze(line.text)
        label = DIST_RE.match(text)
        if label:
            groups.append(["送" if "送" in label[1] and label[1] != "报送" else "报", []])
            text = text[label.end():]
        elif not groups:
            groups.append(["报", []])
        right = unit.metrics.bounds(line)[1]
        groups[-1][1].append((text, line.bbox.x1 >= right - 1.5 * unit.metrics.size))
    lists: dict[str, list[str]] = {"报": [], "送": []}
    for key, lines in groups:
        joined = "".join(text for text, _ in lines)
        if LIST_SEPARATOR_RE.search(joined.rstrip("，、；;,")):
            lists[key].extend(split_recipients(joined))
            continue
        current = ""
        for text, full in lines:
            current += text
            if not full:
                lists[key].extend(split_recipients(current))
                current = ""
        lists[key].extend(split_recipients(current))
    return Distribution(tuple(lists["报"]), tuple(lists["送"]))


def units_to_parts(units: list[Unit], warnings: list[IngestWarning]):
    """Walk the stream: title groups open articles or tables; body lines fill paragraphs."""
    drafts: list[_Draft] = []
    tables: list[_TableDraft] = []
    dist: list[Unit] = []
    table_open = False           # the last structural unit was a table (rows or note)
    prev: Unit | None = None
    for i, unit in enumerate(units):
        if unit.kind == "dist":
            dist.append(unit)
        elif unit.kind == "title":
            if _next_kind(units, i) == "cells":
                tables.append(_TableDraft("".join(ln.text.strip() for ln in unit.lines)))
                table_open = False
            else:
                title, subtitle = split_title(unit.lines, unit.metrics)
                drafts.append(_Draft(title, subtitle, lines=list(unit.lines)))
                table_open = False
        elif unit.kind == "cells":
            if not tables or (not table_open and tables[-1].chunks):
                tables.append(_TableDraft(""))
            tables[-1].chunks.append(unit.lines)
            table_open = True
        elif tables and not tables[-1].chunks and is_period_line(unit.lines[0].text):
            tables[-1].period = unit.lines[0].text.strip()
        elif table_open and (squeeze(unit.lines[0].text).startswith("注") or tables[-1].note):
            if tables[-1].note and starts_paragraph(prev, unit) and not _continues(prev, unit):
                table_open = False
                _add_body(drafts, prev, unit, warnings)
            else:
                tables[-1].note.append(unit.lines[0].text.strip())
        else:
            table_open = False
            _add_body(drafts, prev, unit, warnings)
        prev = unit
    return drafts, tables, dist


def _continues(prev: Unit | None, unit: Unit) -> bool:
    return prev is not None and not starts_paragraph(prev, unit)


def _add_body(drafts: list[_Draft], prev: Unit | None, unit: Unit, warnings) -> None:
    if not drafts:
        drafts.append(_Draft("", None))
        warnings.append(IngestWarning("untitled_text", unit.lines[0].page,
                                      "text before the first title kept as an untitled article"))
    draft = drafts[-1]
    if not draft.paragraphs or starts_paragraph(prev, unit):
        draft.paragraphs.append([])
    draft.paragraphs[-1].append(unit.lines[0].text)
    draft.lines.append(unit.lines[0])


def _build_table(draft: _TableDraft) -> Table:
    rows = [row for chunk in draft.chunks for row in group_rows(chunk)]
    pages = tuple(sorted({ln.page for chunk in draft.chunks for ln in chunk}))
    note = join_text(draft.note) or None
    return rows_to_table(rows, draft.title, draft.period, note, pages)


def pages_to_bulletin(pages: list[Page] | tuple[Page, ...], source=None,
                      warnings: tuple[IngestWarning, ...] = ()) -> Bulletin:
    """The segmenter: pages of lines (from any reader) -> one Bulletin."""
    recurring = furniture_texts(pages)
    ordered = {p.number: [ln for ln in reading_order(list(p.lines), p.width)
                          if not is_furniture(ln, p, recurring)] for p in pages}
    everything = [ln for p in pages for ln in ordered[p.number]]
    doc = page_metrics(everything, None, None) if everything else None
    warns = list(warnings)
    first = next((p for p in pages if ordered[p.number]), None)
    meta = IssueMeta()
    units: list[Unit] = []
    for page in pages:
        lines = ordered[page.number]
        cells = table_line_ids(lines, page.rules)
        text = [ln for ln in lines if id(ln) not in cells]    # tables do not set the body size
        m = page_metrics(text, doc, column_split(text, page.width))
        if page is first:
            meta, used, head_warnings = parse_masthead(lines, m.size)
            warns += head_warnings
            lines = lines[used:]
        units += page_units(lines, cells, m)
    drafts, tables, dist = units_to_parts(units, warns)
    articles = tuple(
        Article(seq, d.title, d.subtitle, tuple(join_text(p) for p in d.paragraphs if p),
                tuple(sorted({ln.page for ln in d.lines})), _confidence(d.lines))
        for seq, d in enumerate(drafts, 1))
    return Bulletin(meta, articles, tuple(_build_table(t) for t in tables if t.chunks),
                    _distribution(dist), tuple(warns), source)
