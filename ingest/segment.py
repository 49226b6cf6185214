"""Pure: pages of lines -> a Bulletin (metadata, articles, tables, front matter, distribution).

One segmenter for text PDFs and scans. Every decision uses cues relative to the page's own
body text (size, bold, centring, indents, gaps), never fixed sizes or coordinates. Metadata is
read only where a masthead is evidenced (`ingest.masthead`); other documents come out as their
sections (`ingest.sections`). Every line ends somewhere, and a page whose text does not reach
the bulletin is named in a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.assemble import (DIST_RE, Unit, build_articles, build_distribution, build_table,
                             is_lead, next_kind, placed_lines, units_to_parts)
from ingest.cues import CLOSING, Metrics, is_subtitle_line, is_title_line, page_metrics
from ingest.document import Bulletin, IngestWarning, IssueMeta, Line, Page
from ingest.layout import (body_size, column_split, furniture_texts, is_furniture, reading_order,
                           folio, running_head, squeeze)
from ingest.masthead import Masthead, read_masthead
from ingest.sections import is_cover, is_toc_page, mark_sections, toc_entries
from ingest.tables import CellBlock, group_rows, is_table, page_tables

COVERAGE_MIN = 0.99       # share of a page's text that must reach the bulletin (issue 16)


@dataclass(slots=True)
class PageView:
    """One page as the segmenter reads it: lines in reading order, furniture apart, tables found."""

    page: Page
    lines: list[Line]
    furniture: list[Line]
    blocks: list[CellBlock]
    metrics: Metrics


def build_views(pages: list[Page]) -> list[PageView]:
    """Reading order, furniture, tables and metrics of every page."""
    recurring = furniture_texts(pages)
    ordered, furniture = {}, {}
    for p in pages:
        boxes = tuple(g.bbox for g in p.grids) if p.source != "ocr" else ()
        lines = reading_order(list(p.lines), p.width, boxes)
        furniture[p.number] = [ln for ln in lines if is_furniture(ln, p, recurring)]
        drop = {id(ln) for ln in furniture[p.number]}
        ordered[p.number] = [ln for ln in lines if id(ln) not in drop]
    everything = [ln for p in pages for ln in ordered[p.number]]
    doc = page_metrics(everything, None, None) if everything else None
    return [_view(p, ordered[p.number], furniture[p.number], doc) for p in pages]


def _view(page: Page, lines: list[Line], furniture: list[Line], doc: Metrics | None) -> PageView:
    blocks = page_tables(lines, page)
    cells = {id(ln) for b in blocks for ln in b.lines}
    text = [ln for ln in lines if id(ln) not in cells]      # tables do not set the body size
    metrics = page_metrics(text, doc, column_split(text, page.width), page.width)
    extra = [ln for ln in (running_head(text, page, metrics.size), folio(text, page)) if ln]
    if extra:
        lines = [ln for ln in lines if all(ln is not x for x in extra)]
        furniture = furniture + extra
    return PageView(page, lines, furniture, blocks, metrics)


def page_units(lines: list[Line], blocks: list[CellBlock], m: Metrics) -> list[Unit]:
    """Classify the lines of one page (furniture already removed, in reading order)."""
    cell_of = {id(ln): block for block in blocks for ln in block.lines}
    units: list[Unit] = []
    seen: set[int] = set()
    in_dist = False
    for line in lines:
        block = cell_of.get(id(line))
        if block is not None:
            if id(block) not in seen:                # a table enters the stream once, whole
                seen.add(id(block))
                units.append(Unit("cells", list(block.lines), m, block=block))
            continue
        in_dist = in_dist or bool(DIST_RE.match(squeeze(line.text)))
        if in_dist:
            units.append(Unit("dist", [line], m))
        elif units and units[-1].kind == "title" and _close_below(units[-1].lines[-1], line, m) \
                and (is_title_line(line, m) or is_subtitle_line(line, m)):
            units[-1].lines.append(line)
        else:
            units.append(Unit("title" if is_title_line(line, m) else "body", [line], m))
    if units:
        units[0].page_start = True
    return units


def _close_below(upper: Line, lower: Line, m: Metrics) -> bool:
    return lower.bbox.top - upper.bbox.bottom < 1.6 * m.size


def settle_tables(units: list[Unit]) -> list[Unit]:
    """A table needs a data row: a lone row is text, unless it carries on the table the
    previous page ended with."""
    out: list[Unit] = []
    for unit in units:
        if unit.kind != "cells":
            out.append(unit)
            continue
        rows = unit.block.rows()
        if is_table(rows) or (rows and _carries_on(out, unit)):
            out.append(unit)
            continue
        rows = group_rows(list(unit.block.lines))       # one body line per row of cells
        out += [Unit("body", row, unit.metrics, unit.page_start and k == 0)
                for k, row in enumerate(rows)]
    return out


def _carries_on(before: list[Unit], unit: Unit) -> bool:
    """A lone row at the top of a page, right after a table that ended the page before."""
    return unit.page_start and bool(before) and before[-1].kind == "cells" and \
        before[-1].lines[0].page == unit.lines[0].page - 1


def mark_captions(units: list[Unit]) -> None:
    """A short centred line (or one starting 表) right above a table, past its period or unit
    line, names the table."""
    for i, unit in enumerate(units):
        if unit.kind != "body" or is_lead(unit) or next_kind(units, i) != "cells":
            continue
        line, m = unit.lines[0], unit.metrics
        text = line.text.strip()
        left, right = m.bounds(line)
        centred = abs(line.bbox.xmid - (left + right) / 2) <= max(0.05 * (right - left), 1.2 * m.size)
        if text and len(text) <= 40 and text[-1] not in CLOSING and (centred or text.startswith("表")):
            unit.kind = "title"


@dataclass(slots=True)
class Front:
    """What is not an article: masthead or cover lines, 目录 pages, and the lines they used."""

    front: list[str]
    navigation: list[str]
    entries: tuple[str, ...]
    used: set[int]


def front_matter(views: list[PageView], head: Masthead, size: float) -> Front:
    """A bulletin's masthead; a cover page (not a bulletin); 目录 pages (any document)."""
    out = Front([ln.text.strip() for ln in head.spare], [], (), {id(ln) for ln in head.lines})
    first = next((v for v in views if v.lines), None)
    if first is not None and not head.is_bulletin and not is_toc_page(first.lines) and \
            is_cover(first.lines, size, sum(1 for v in views if v.lines)):
        out.front = [ln.text.strip() for ln in first.lines]
        out.used |= {id(ln) for ln in first.lines}
    toc = False
    for view in views:
        lines = [ln for ln in view.lines if id(ln) not in out.used]
        toc = bool(lines) and is_toc_page(lines, continues=toc)
        if toc:
            out.navigation += [ln.text.strip() for ln in lines]
            out.entries += toc_entries(lines)
            out.used |= {id(ln) for ln in lines}
    return out


def coverage_warnings(views: list[PageView], placed: set[int]) -> list[IngestWarning]:
    """Pages where less than COVERAGE_MIN of the text layer (or OCR lines) reached the bulletin."""
    out = []
    for view in views:
        page = view.page
        total = page.text_chars if page.text_chars is not None else \
            sum(len(squeeze(ln.text)) for ln in page.lines)
        got = sum(len(squeeze(ln.text)) for ln in page.lines if id(ln) in placed)
        if total and got < COVERAGE_MIN * total:
            out.append(IngestWarning("text_not_placed", page.number,
                                     f"only {got / total:.1%} of the page's {total} characters "
                                     "reached an article, a table or the front matter"))
    return out


def pages_to_bulletin(pages: list[Page] | tuple[Page, ...], source=None,
                      warnings: tuple[IngestWarning, ...] = (), series: tuple[str, ...] = ()
                      ) -> Bulletin:
    """The segmenter: pages of lines (from any reader) -> one Bulletin; `series`: names the
    user configured, recognised as mastheads like the bulletin words."""
    views = build_views(list(pages))
    warns = list(warnings)
    first = next((v for v in views if v.lines), None)
    head = read_masthead(first.lines, first.metrics.size, series) if first else Masthead(IssueMeta())
    warns += head.warnings
    front = front_matter(views, head, body_size([ln for v in views for ln in v.lines]))
    units: list[Unit] = []
    for view in views:
        lines = [ln for ln in view.lines if id(ln) not in front.used]
        blocks = [b for b in view.blocks if not any(id(ln) in front.used for ln in b.lines)]
        units += page_units(lines, blocks, view.metrics)
    units = settle_tables(units)
    mark_captions(units)
    groups: list[Line] = []
    if not head.is_bulletin:
        units, groups = mark_sections(units, front.entries)
    parts = units_to_parts(units, warns)
    placed = {id(ln) for ln in placed_lines(parts)} | front.used | {id(ln) for ln in groups} | \
        {id(ln) for v in views for ln in v.furniture}
    warns += coverage_warnings(views, placed)
    return Bulletin(head.meta, build_articles(parts.drafts),
                    tuple(build_table(t) for t in parts.tables if t.chunks),
                    build_distribution(parts.dist), tuple(warns), source, tuple(front.front),
                    tuple(front.navigation + [ln.text.strip() for ln in groups]))
