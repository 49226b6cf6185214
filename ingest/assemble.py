"""Pure: the stream of units -> articles, tables and the distribution list.

Title groups open articles (or name the table that follows them), body lines fill paragraphs,
cell blocks become tables, 报/送 lines the distribution list. Every line placed is recorded, so
the segmenter can tell which characters of a page reached the bulletin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.cues import CLOSING, Metrics, is_label, join_text, new_paragraph, split_title
from ingest.document import Article, Distribution, IngestWarning, Line, Table
from ingest.metadata import squeeze
from ingest.tables import CellBlock, aligned_rows, column_lefts, group_rows, is_period_line, rows_to_table
from ingest.text import split_recipients

DIST_RE = re.compile(r"^(报送|抄送|报|送)[：:]")
# Lines between a table's title and its grid: its unit (单位：元) and who drew it up (编制部门：…).
LEAD_RE = re.compile(r"^[（(]?(?:(?:计量|金额)?单位|编制(?:部门|单位)|填报单位)[：:]")
LIST_SEPARATOR_RE = re.compile(r"[，、,；;]")


@dataclass(slots=True)
class Unit:
    """One step of the reading stream: a title group, a heading, a body line, a table, a list line."""

    kind: str                 # title | heading | body | cells | dist
    lines: list[Line]
    metrics: Metrics
    page_start: bool = False  # first unit of its page
    block: CellBlock | None = None


def starts_paragraph(prev: Unit | None, unit: Unit) -> bool:
    """First-line indent, a short previous line, or a wide gap start a paragraph."""
    before = prev.lines[-1] if prev is not None and prev.kind == "body" else None
    return new_paragraph(before, prev.metrics if before else None, unit.lines[0], unit.metrics,
                         unit.page_start)


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
    chunks: list[CellBlock] = field(default_factory=list)
    note: list[str] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)       # unit and compiler lines above the grid
    lines: list[Line] = field(default_factory=list)     # title, period, lead and note lines


@dataclass(slots=True)
class Parts:
    drafts: list[_Draft] = field(default_factory=list)
    tables: list[_TableDraft] = field(default_factory=list)
    dist: list[Unit] = field(default_factory=list)


def is_lead(unit: Unit) -> bool:
    """A line between a table's title and its cells: its period, unit or compiler."""
    text = unit.lines[0].text
    return unit.kind == "body" and (is_period_line(text) or bool(LEAD_RE.match(squeeze(text))))


def next_kind(units: list[Unit], i: int) -> str | None:
    """Kind of the unit after i, looking past a table's period and unit lines."""
    j = i + 1
    while j < len(units) and j <= i + 2 and is_lead(units[j]):
        j += 1
    return units[j].kind if j < len(units) else None


HEADLINE_MAX = 40            # characters: a lone first line this short, not a sentence, is a title


def headline_first(units: list[Unit]) -> None:
    """Text with no title before it: a short first line standing alone (an image of one line,
    a leaflet's head) is its title, so no article goes untitled when its text names it."""
    i = next((k for k, u in enumerate(units) if u.kind != "dist"), None)
    if i is None or units[i].kind != "body":
        return
    text = units[i].lines[0].text.strip()
    alone = i + 1 == len(units) or units[i + 1].kind != "body" or starts_paragraph(units[i], units[i + 1])
    if text and len(text) <= HEADLINE_MAX and text[-1] not in CLOSING + "！？" and alone:
        units[i].kind = "heading"


def units_to_parts(units: list[Unit], warnings: list[IngestWarning]) -> Parts:
    """Walk the stream: title groups open articles or tables; body lines fill paragraphs."""
    headline_first(units)
    parts = Parts()
    table_open = False           # the last structural unit was a table (rows or note)
    prev: Unit | None = None
    for i, unit in enumerate(units):
        if unit.kind == "dist":
            parts.dist.append(unit)
        elif unit.kind in ("title", "heading"):
            _open(parts, unit, next_kind(units, i) == "cells")
            table_open = False
        elif unit.kind == "cells":
            if not parts.tables or (not table_open and parts.tables[-1].chunks):
                parts.tables.append(_TableDraft(""))
            parts.tables[-1].chunks.append(unit.block)
            table_open = True
        elif parts.tables and not parts.tables[-1].chunks and is_lead(unit):
            _lead(parts.tables[-1], unit)
        elif table_open and (squeeze(unit.lines[0].text).startswith("注") or parts.tables[-1].note):
            if parts.tables[-1].note and starts_paragraph(prev, unit) and not _continues(prev, unit):
                table_open = False
                _add_body(parts.drafts, prev, unit, warnings)
            else:
                parts.tables[-1].note.append(" ".join(ln.text.strip() for ln in unit.lines))
                parts.tables[-1].lines.extend(unit.lines)
        else:
            table_open = False
            _add_body(parts.drafts, prev, unit, warnings)
        prev = unit
    return parts


def _open(parts: Parts, unit: Unit, names_table: bool) -> None:
    if names_table:
        parts.tables.append(_TableDraft("".join(ln.text.strip() for ln in unit.lines),
                                        lines=list(unit.lines)))
    elif unit.kind == "heading":
        parts.drafts.append(_Draft(unit.lines[0].text.strip(), None, lines=list(unit.lines)))
    else:
        title, subtitle = split_title(unit.lines, unit.metrics)
        parts.drafts.append(_Draft(title, subtitle, lines=list(unit.lines)))


def _lead(table: _TableDraft, unit: Unit) -> None:
    text = unit.lines[0].text.strip()
    if is_period_line(text) and table.period is None:
        table.period = text
    else:
        table.lead.append(text)
    table.lines.append(unit.lines[0])


def _continues(prev: Unit | None, unit: Unit) -> bool:
    return prev is not None and not starts_paragraph(prev, unit)


def _add_body(drafts: list[_Draft], prev: Unit | None, unit: Unit, warnings) -> None:
    if not drafts:
        drafts.append(_Draft("", None))
        warnings.append(IngestWarning("untitled_text", unit.lines[0].page,
                                      "text before the first title kept as an untitled article"))
    draft, line = drafts[-1], unit.lines[0]
    text = " ".join(ln.text.strip() for ln in unit.lines)      # a row of cells read as text
    if draft.paragraphs and prev is not None and prev.kind == "body" and \
            is_label(prev.lines[-1], prev.metrics) and is_label(line, unit.metrics):
        draft.paragraphs[-1][-1] += " " + text                  # a figure's labels: one paragraph
    else:
        if not draft.paragraphs or starts_paragraph(prev, unit):
            draft.paragraphs.append([])
        draft.paragraphs[-1].append(text)
    draft.lines.extend(unit.lines)


def _confidence(lines: list[Line]) -> float | None:
    scored = [(ln.confidence, len(ln.text)) for ln in lines if ln.confidence is not None]
    if not scored:
        return None
    return round(sum(c * n for c, n in scored) / sum(n for _, n in scored), 4)


def build_articles(drafts: list[_Draft]) -> tuple[Article, ...]:
    return tuple(
        Article(seq, d.title, d.subtitle, tuple(join_text(p) for p in d.paragraphs if p),
                tuple(sorted({ln.page for ln in d.lines})), _confidence(d.lines))
        for seq, d in enumerate(drafts, 1))


def build_table(draft: _TableDraft) -> Table:
    """Rows from the finder's grids; chunks without a grid share their columns (one table
    split across pages keeps one set of gutters)."""
    if all(chunk.grid is None for chunk in draft.chunks):
        rows = aligned_rows([row for chunk in draft.chunks for row in group_rows(list(chunk.lines))])
    else:
        first = next(chunk.grid for chunk in draft.chunks if chunk.grid is not None)
        lefts = column_lefts(first)
        rows = [row for chunk in draft.chunks for row in chunk.rows(
            lefts if chunk.grid is not None and chunk.grid.n_columns != first.n_columns else None)]
    pages = tuple(sorted({ln.page for chunk in draft.chunks for ln in chunk.lines}))
    note = " ".join(draft.lead + ([join_text(draft.note)] if draft.note else []))
    return rows_to_table(rows, draft.title, draft.period, note or None, pages)


def placed_lines(parts: Parts) -> list[Line]:
    """Every line whose text reached an article, a table or the distribution list."""
    out = [ln for d in parts.drafts for ln in d.lines] + [ln for u in parts.dist for ln in u.lines]
    for table in parts.tables:
        out += table.lines + [ln for chunk in table.chunks for ln in chunk.placed()]
    return out


def build_distribution(units: list[Unit]) -> Distribution:
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
        lists[key].extend(_recipients(lines))
    return Distribution(tuple(lists["报"]), tuple(lists["送"]))


def _recipients(lines: list[tuple[str, bool]]) -> list[str]:
    joined = "".join(text for text, _ in lines)
    if LIST_SEPARATOR_RE.search(joined.rstrip("，、；;,")):
        return split_recipients(joined)
    out, current = [], ""
    for text, full in lines:
        current += text
        if not full:
            out.extend(split_recipients(current))
            current = ""
    return out + split_recipients(current)
