"""Pure: the structure cues of documents that are not bulletins.

A cover page is front matter, not an article. A 目录 page is navigation, and its entries
confirm which numbered lines are section headings. Numbered headings (一、 / （一） / 1. / 1.1 /
第一部分) at body size, bold or not, start sections; a heading followed directly by another
heading only groups the sections under it.
"""

from __future__ import annotations

import re

from ingest.assemble import Unit, starts_paragraph
from ingest.cues import CLOSING, Metrics
from ingest.document import Line
from ingest.metadata import squeeze
from ingest.text import cjk

_CN = "一二三四五六七八九十百零〇"
# (style, pattern): a heading's numbering; 1.1 and 1.1.1 are styles of their own depth.
NUMBERINGS = (
    ("part", rf"第[{_CN}0-9]+(?:部分|章|节|篇)"),
    ("cn", rf"[{_CN}]+[、.．]"),
    ("paren", rf"[（(][{_CN}]+[)）]"),
    ("decimal", r"\d{1,2}(?:[.．]\d{1,2})+[.．、]?"),
    ("arabic", r"\d{1,2}[.．、](?![\d.．])"),
    ("paren_arabic", r"[（(]\d{1,2}[)）]"),
)
NUMBER_RE = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in NUMBERINGS))
TOC_TITLES = {"目录", "目次", "contents", "tableofcontents"}
LEADER_RE = re.compile(r"\s*(?:[.．·•…⋯_]\s*){3,}\s*\d*\s*$")
MAX_HEADING = 40          # characters: a longer numbered line is a list item or a paragraph


def numbering(text: str) -> tuple[str, str] | None:
    """(style, rest) of a numbered heading's text: ('decimal2', '累计确诊') for '1.1累计确诊'."""
    match = NUMBER_RE.match(text.strip())
    if not match:
        return None
    style = match.lastgroup
    if style == "decimal":
        style += str(match[0].rstrip(".．、").count(".") + match[0].count("．") + 1)
    return style, text.strip()[match.end():].strip()


def entry_key(text: str) -> str:
    """A heading or 目录 entry compared without spaces, leaders or the width of its digits."""
    text = LEADER_RE.sub("", text)
    return squeeze(text).translate(str.maketrans("．０１２３４５６７８９（）", ".0123456789()")).lower()


# ---------------------------------------------------------------- cover and 目录


def is_cover(lines: list[Line], body: float, n_pages: int) -> bool:
    """A title page: a few short lines, one of them large, no sentence, more pages after it."""
    text = [ln.text.strip() for ln in lines]
    return n_pages >= 2 and 0 < len(lines) <= 12 and sum(map(len, text)) <= 200 and \
        any(ln.size >= 1.3 * body for ln in lines) and \
        not any(len(t) > 40 or t[-1:] in "。；！？" for t in text)


def has_leader(text: str) -> bool:
    return bool(LEADER_RE.search(text)) and len(LEADER_RE.sub("", text).strip()) > 0


def is_toc_page(lines: list[Line], continues: bool = False) -> bool:
    """A 目录 page: headed 目录 (or CONTENTS), or mostly entries with leaders to a page number
    (the page after a 目录 page, when `continues`)."""
    if not lines:
        return False
    top = min(lines, key=lambda ln: (ln.bbox.top, ln.bbox.x0))
    if squeeze(top.text).lower() in TOC_TITLES:
        return True
    leaders = sum(has_leader(ln.text) for ln in lines)
    return leaders >= 3 and leaders >= (0.5 if continues else 0.7) * len(lines)


def toc_entries(lines: list[Line]) -> tuple[str, ...]:
    """The entries of a 目录 page, leaders and page numbers dropped, the 目录 line itself kept out."""
    out = []
    for line in lines:
        text = LEADER_RE.sub("", line.text).strip()
        if text and squeeze(text).lower() not in TOC_TITLES and not text.isdigit():
            out.append(text)
    return tuple(out)


# ---------------------------------------------------------------- headings


def is_heading_shape(line: Line, m: Metrics) -> bool:
    """Numbered, short, no closing punctuation, at body size or larger (bold or not)."""
    text = line.text.strip()
    found = numbering(text)
    if found is None or len(text) > MAX_HEADING or text[-1] in CLOSING + "！？":
        return False
    return sum(map(cjk, found[1])) >= 2 and line.size >= 0.9 * m.size


def confirmed(text: str, keys: set[str]) -> bool:
    """A 目录 entry confirms a heading with the same text (a long one may be cut in either)."""
    key = entry_key(text)
    return any(key == k or (min(len(key), len(k)) >= 8 and (key.startswith(k) or k.startswith(key)))
               for k in keys)


def pick_headings(candidates: list[tuple[int, Line, bool]], entries: tuple[str, ...]) -> set[int]:
    """Which numbered lines are headings: those the 目录 lists when it numbers its entries;
    without one, those that neither run on into the next line nor are items of a list (two
    of one style in a row)."""
    keys = {entry_key(e) for e in entries if numbering(e)}
    if keys:
        return {i for i, line, _ in candidates if confirmed(line.text, keys)}
    candidates = [(i, line) for i, line, runs_on in candidates if not runs_on]
    picked = set()
    for k, (i, line) in enumerate(candidates):
        style = numbering(line.text)[0]
        near = [c for c in (candidates[k - 1] if k else None,
                            candidates[k + 1] if k + 1 < len(candidates) else None)
                if c is not None and abs(c[0] - i) == 1 and numbering(c[1].text)[0] == style]
        if not near:
            picked.add(i)
    return picked


def _runs_on(units: list[Unit], i: int) -> bool:
    """The numbered line continues into the next line: it opens a paragraph, not a section."""
    return i + 1 < len(units) and units[i + 1].kind == "body" and \
        not starts_paragraph(units[i], units[i + 1])


def mark_sections(units: list[Unit], entries: tuple[str, ...]) -> tuple[list[Unit], list[Line]]:
    """Numbered headings become section headings; a title or heading followed directly by a
    heading only groups sections: it leaves the stream (returned, for the navigation)."""
    candidates = [(i, u.lines[0], _runs_on(units, i)) for i, u in enumerate(units)
                  if u.kind == "body" and is_heading_shape(u.lines[0], u.metrics)]
    for i in pick_headings(candidates, entries):
        units[i].kind = "heading"
    out, groups = [], []
    for i, unit in enumerate(units):
        if unit.kind in ("title", "heading") and i + 1 < len(units) and units[i + 1].kind == "heading":
            groups += unit.lines
        else:
            out.append(unit)
    return out, groups
