"""Read a bulletin source (`examples/src/*.txt`, see FORMAT.md): what we render and expect back.

The same file drives `scripts/render_bulletin.py` and the golden tests, so the expected
bulletin of every rendering is derived from text, never written by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ingest.document import Article, Bulletin, Distribution, IssueMeta, Table
from ingest.metadata import parse_date, parse_issue_line

LIST_SPLIT_RE = re.compile(r"[，、,；;]")


@dataclass(frozen=True, slots=True)
class Element:
    """One rendered unit: kind is masthead|issue|editor|date|title|subtitle|heading|para|
    table_title|period|row|note|report|copy."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class ExpectedLabels:
    topics: tuple[str, ...]
    companies: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Source:
    elements: tuple[Element, ...]
    bulletin: Bulletin
    labels: tuple[ExpectedLabels, ...]     # one per article, in order


_KINDS = {"@masthead": "masthead", "@issue": "issue", "@editor": "editor", "@date": "date",
          "@title": "title", "@subtitle": "subtitle", "@h": "heading", "@table": "table_title",
          "@period": "period", "@note": "note", "@report": "report", "@copy": "copy",
          "@topics": "topics", "@companies": "companies", "@endtable": "endtable"}


def text_to_elements(text: str) -> list[Element]:
    """Split source text into elements; rows inside a table become `row` elements."""
    elements, in_table = [], False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        kind = _KINDS.get(word)
        if word.startswith("@") and kind is None:
            raise ValueError(f"unknown directive {word!r} in line: {line}")
        if kind == "table_title":
            in_table = True
        elif kind == "endtable":
            in_table = False
        if kind is None:
            kind = "row" if in_table else "para"
            rest = line
        elements.append(Element(kind, rest.strip()))
    return elements


def split_recipients(text: str) -> list[str]:
    return [part.strip() for part in LIST_SPLIT_RE.split(text) if part.strip()]


def _cell(text: str) -> str | int:
    return int(text) if text.isdigit() else text


def elements_to_source(elements: list[Element]) -> Source:
    """Build the expected bulletin (and labels) from elements."""
    meta: dict = {}
    masthead, articles, labels, tables, report, copy = [], [], [], [], [], []
    table: dict | None = None
    for el in elements:
        if el.kind == "masthead":
            masthead.append(el.text)
        elif el.kind == "issue":
            meta["year"], meta["issue_no"], meta["total_no"] = parse_issue_line(el.text)
        elif el.kind == "date":
            meta["date"] = parse_date(el.text)
        elif el.kind == "editor":
            meta["editor"] = el.text
        elif el.kind == "title":
            articles.append({"title": el.text, "subtitle": None, "paras": []})
            labels.append({"topics": (), "companies": ()})
        elif el.kind == "subtitle":
            articles[-1]["subtitle"] = el.text
        elif el.kind in ("topics", "companies"):
            labels[-1][el.kind] = tuple(el.text.split())
        elif el.kind in ("para", "heading"):
            articles[-1]["paras"].append(el.text)
        elif el.kind == "table_title":
            if table is None or table["header"]:
                table = {"title": [], "period": None, "note": None, "header": None, "rows": []}
                tables.append(table)
            table["title"].append(el.text)
        elif el.kind in ("period", "note"):
            table[el.kind] = el.text
        elif el.kind == "row":
            cells = [c.strip() for c in el.text.split("|")]
            if table["header"] is None:
                table["header"] = tuple(cells)
            else:
                table["rows"].append(tuple(_cell(c) for c in cells))
        elif el.kind == "report":
            report.extend(split_recipients(el.text))
        elif el.kind == "copy":
            copy.extend(split_recipients(el.text))
    bulletin = Bulletin(
        meta=IssueMeta(series="".join(masthead) or None, **meta),
        articles=tuple(Article(i, a["title"], a["subtitle"], tuple(a["paras"]), ())
                       for i, a in enumerate(articles, 1)),
        tables=tuple(Table("".join(t["title"]), t["period"], t["note"], t["header"] or (),
                           tuple(t["rows"])) for t in tables),
        distribution=Distribution(tuple(report), tuple(copy)),
    )
    return Source(tuple(elements), bulletin,
                  tuple(ExpectedLabels(lab["topics"], lab["companies"]) for lab in labels))


def parse_source(text: str) -> Source:
    return elements_to_source(text_to_elements(text))


def load_source(path: str | Path) -> Source:
    return parse_source(Path(path).read_text(encoding="utf-8"))
