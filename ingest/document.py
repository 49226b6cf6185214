"""The page/line model every reader produces and the bulletin the segmenter builds from it.

Frozen dataclasses flow one way: Page(lines) -> Unit(kind, lines) -> Bulletin(meta, articles,
tables, distribution, warnings). A scanned page and a text page produce the same Page/Line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class BBox:
    """A box in PDF points, origin top-left (pdfplumber's `top`/`bottom` convention)."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def xmid(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def ymid(self) -> float:
        return (self.top + self.bottom) / 2

    def union(self, other: BBox) -> BBox:
        return BBox(min(self.x0, other.x0), min(self.top, other.top),
                    max(self.x1, other.x1), max(self.bottom, other.bottom))


@dataclass(frozen=True, slots=True)
class Line:
    """One horizontal run of text: a PDF text line (split at wide gaps) or one OCR box."""

    text: str
    bbox: BBox
    size: float                  # font size (text PDFs) or glyph height (OCR), in points
    bold: bool = False
    red: bool = False
    confidence: float | None = None   # OCR recognition score; None for a text layer
    page: int = 1

    @property
    def char_pitch(self) -> float:
        """Width per character: titles are set wider than body text on the same page."""
        return self.bbox.width / max(len(self.text), 1)


@dataclass(frozen=True, slots=True)
class Grid:
    """A ruled table as a table finder drew it: rows of cell boxes, None where a merged cell
    (spanning columns or rows) covers the position, so a merge never shifts its neighbours."""

    bbox: BBox
    rows: tuple[tuple[BBox | None, ...], ...]

    @property
    def n_columns(self) -> int:
        return max((len(row) for row in self.rows), default=0)


@dataclass(frozen=True, slots=True)
class Page:
    number: int                  # 1-based
    width: float
    height: float
    lines: tuple[Line, ...]
    rules: tuple[BBox, ...] = ()     # ruling lines and thin rectangles (table borders)
    source: str = "text"             # "pdfium" (pypdfium2), "text" (pdfplumber) or "ocr"
    grids: tuple[Grid, ...] = ()     # ruled tables found by pdfplumber's finder (text pages)
    text_chars: int | None = None    # non-space characters of the text layer; None: the lines


@dataclass(frozen=True, slots=True)
class IngestWarning:
    """A recoverable problem, kept as data so tests and the corpus can see it."""

    code: str
    page: int | None
    message: str


@dataclass(frozen=True, slots=True)
class IssueMeta:
    series: str | None = None
    year: int | None = None
    issue_no: int | None = None
    total_no: int | None = None
    date: dt.date | None = None
    editor: str | None = None

    @property
    def key(self) -> str | None:
        """Series + year + issue number identify an issue whatever file it came from."""
        if self.series and self.year and self.issue_no:
            return f"{self.year}-{self.issue_no:02d}"
        return None


@dataclass(frozen=True, slots=True)
class Article:
    seq: int                     # 1-based order in the issue
    title: str
    subtitle: str | None
    paragraphs: tuple[str, ...]
    pages: tuple[int, ...]
    ocr_confidence: float | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    period: str | None
    note: str | None
    header: tuple[str, ...]
    rows: tuple[tuple[str | int, ...], ...]
    pages: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Distribution:
    report_to: tuple[str, ...] = ()
    copy_to: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceInfo:
    path: str
    sha256: str
    kind: str                    # "pdf" | "image" | "images"
    n_pages: int
    ocr_pages: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Bulletin:
    meta: IssueMeta
    articles: tuple[Article, ...]
    tables: tuple[Table, ...] = ()
    distribution: Distribution = field(default_factory=Distribution)
    warnings: tuple[IngestWarning, ...] = ()
    source: SourceInfo | None = None
    front: tuple[str, ...] = ()          # a cover page, or masthead lines that fill no field
    navigation: tuple[str, ...] = ()     # 目录 entries and headings that only group sections


def bulletin_to_dict(bulletin: Bulletin, pages: bool = True) -> dict:
    """A JSON-ready dict of a bulletin (dates as ISO strings); `pages=False` drops page numbers
    so a parse can be compared with its source, which has no pages."""
    import json
    from dataclasses import asdict
    data = asdict(bulletin)
    data["meta"]["date"] = bulletin.meta.date.isoformat() if bulletin.meta.date else None
    data["warnings"] = [asdict(w) for w in bulletin.warnings]
    for key in ("front", "navigation"):          # front matter only where a document has it
        if not data[key]:
            del data[key]
    if not pages:
        for part in data["articles"] + data["tables"]:
            part.pop("pages", None)
        data.pop("source", None)
    return json.loads(json.dumps(data, ensure_ascii=False))     # tuples -> lists, as in JSON
