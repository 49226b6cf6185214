"""Pure: issue metadata from the head of page 1, read only where a masthead is evidenced.

A document is a bulletin when the head of its first page carries a series line (a name ending in
a bulletin word such as 简报 or 动态, or a series the user configured) together with a 第N期
line. Only then are the issue number, cumulative number, date and editor read, and only from
that zone. Anything else keeps its series fields empty, with a warning that says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.document import IngestWarning, IssueMeta, Line
from ingest.metadata import (DATE_RE, ISSUE_RE, TOTAL_RE, YEAR_RE, cn_to_int, parse_date,
                             parse_issue_line, squeeze)

HEAD_WINDOW = 10          # the masthead sits within the first lines of page 1
# Words a bulletin's series name ends in (工作简报, 党建动态, 行业通讯, 信息快报, 统计周报 ...).
BULLETIN_WORDS = ("简报", "动态", "通讯", "快报", "信息", "周报", "旬报", "月报", "专报", "通报",
                  "要情", "内参", "参阅")
EDITOR_RE = re.compile(r"^(?:(?:编辑|主编|主办|编印|编)[：:].+|.+(?:编印|主办|编辑|编))$")
ISSUE_LEFTOVER = 8        # characters an issue line may carry besides 年/第N期/总第N期/date
HEAD_TAIL_RE = re.compile(r"[（(][^（()）]*[)）]$")
STRIP_RE = re.compile(r"[\s()（）\[\]【】〔〕<>《》,，.。:：;；、\-—–－]")


@dataclass(frozen=True, slots=True)
class Masthead:
    """What the head of page 1 says, and the lines it used (kept out of the articles)."""

    meta: IssueMeta
    lines: tuple[Line, ...] = ()         # every line of the masthead zone
    spare: tuple[Line, ...] = ()         # the zone's lines that fill no field (kept as front matter)
    warnings: tuple[IngestWarning, ...] = ()

    @property
    def is_bulletin(self) -> bool:
        return self.meta.series is not None


def is_issue_line(text: str) -> bool:
    """A line that is an issue number: 第N期 with at most a year, 总第N期 and a date beside it,
    never a phrase such as 第四期超短期融资券募集说明书."""
    text = squeeze(text)
    match = ISSUE_RE.search(text)
    if not match:
        return False
    rest = text[:match.start()] + text[match.end():]
    for pattern in (TOTAL_RE, DATE_RE):
        rest = pattern.sub("", rest)
    rest = STRIP_RE.sub("", rest)
    return len(rest) <= ISSUE_LEFTOVER or is_editor_text(rest)


def is_editor_text(text: str) -> bool:
    """An 编/编印/主办/编辑 line: short, no sentence punctuation."""
    text = squeeze(text)
    return len(text) <= 40 and not re.search(r"[，。；！？,;]", text) and bool(EDITOR_RE.match(text))


def is_series_name(text: str, series: tuple[str, ...] = ()) -> bool:
    """A series line ends in a bulletin word, or holds a series the user configured."""
    text = HEAD_TAIL_RE.sub("", squeeze(text))
    if any(squeeze(name) and squeeze(name) in text for name in series):
        return True
    return len(text) >= 3 and text.endswith(BULLETIN_WORDS)


def bare_year(text: str) -> int | None:
    """'2025年' or '二〇二五年' alone on a line: a year, never a date."""
    match = YEAR_RE.fullmatch(squeeze(text))
    year = cn_to_int(match["y"]) if match else None
    return year if year is not None and 1900 <= year <= 2100 else None


def _styled(line: Line, body: float) -> bool:
    return line.red or line.size >= 1.4 * body


def _series_lines(before: list[Line], body: float, series: tuple[str, ...]) -> list[Line]:
    """The masthead's name: its red or large lines above the issue line; else the one line right
    above it (a typed masthead), if that reads as a series name."""
    styled = [ln for ln in before if _styled(ln, body)]
    if styled and is_series_name("".join(ln.text for ln in styled), series):
        return styled
    named = [ln for ln in before if any(squeeze(n) and squeeze(n) in squeeze(ln.text) for n in series)]
    if named:
        return named[:1]
    if before and is_series_name(before[-1].text) and len(squeeze(before[-1].text)) <= 30:
        return [before[-1]]
    return []


def _read_fields(window: list[Line]) -> tuple[dict, list[int]]:
    """Date, editor and bare year in the lines after the issue line, until the first line of
    content; returns them and the indexes of the lines they filled."""
    found: dict = {}
    used: list[int] = []
    i = 0
    while i < len(window):
        text = squeeze(window[i].text)
        date = DATE_RE.search(text) if "date" not in found else None
        if date:
            found["date"] = parse_date(date[0])
            text = (text[:date.start()] + text[date.end():]).strip()
        if text and "editor" not in found and is_editor_text(text):
            found["editor"] = text
            text = ""
        if text and "year" not in found and bare_year(text):
            found["year"] = bare_year(text)
            text = ""
        span = _cut_date(window, i) if text and "date" not in found else 0
        if span:
            found["date"] = parse_date("".join(squeeze(ln.text) for ln in window[i:i + span]))
            used += list(range(i, i + span))
            i += span
            continue
        if text:                                # the first line of content ends the zone
            break
        used.append(i)
        i += 1
    return found, used


def _cut_date(window: list[Line], i: int) -> int:
    """A date set across two or three lines (1 月 9 / 日): how many lines it takes, or 0."""
    for span in (2, 3):
        if DATE_RE.fullmatch("".join(squeeze(ln.text) for ln in window[i:i + span])):
            return span
    return 0


def read_masthead(lines: list[Line], body: float, series: tuple[str, ...] = ()) -> Masthead:
    """The head of page 1 (lines in reading order) -> issue metadata, only with evidence."""
    window = lines[:HEAD_WINDOW]
    at = next((i for i, ln in enumerate(window) if is_issue_line(ln.text)), None)
    names = _series_lines(window[:at], body, series) if at is not None else []
    if not names:
        return not_a_bulletin(window, "no 第N期 line" if at is None else
                              "no series line (a name ending in 简报, 动态, 通讯 ...) above 第N期")
    year, issue_no, total_no = parse_issue_line(window[at].text)
    found, used = _read_fields(window[at + 1:])
    date = found.get("date")
    meta = IssueMeta(series="".join(squeeze(ln.text) for ln in names),
                     year=year or (date.year if date else found.get("year")),
                     issue_no=issue_no, total_no=total_no, date=date, editor=found.get("editor"))
    last = max([at] + [at + 1 + i for i in used])
    filled = {id(ln) for ln in names} | {id(window[at])} | {id(window[at + 1 + i]) for i in used}
    warnings = () if date else (IngestWarning("no_date", 1, "masthead has no date"),)
    zone = tuple(window[:last + 1])
    return Masthead(meta, zone, tuple(ln for ln in zone if id(ln) not in filled), warnings)


def not_a_bulletin(window: list[Line], why: str) -> Masthead:
    """No masthead: series fields stay empty. A line that is only a date dates the document;
    a bare year sets the year alone."""
    date = next((parse_date(ln.text) for ln in window if DATE_RE.fullmatch(squeeze(ln.text))), None)
    year = date.year if date else next((bare_year(ln.text) for ln in window if bare_year(ln.text)), None)
    warning = IngestWarning("not_bulletin", 1, f"not a bulletin: no masthead ({why}); "
                                               "series, issue number and editor left empty")
    return Masthead(IssueMeta(year=year, date=date), warnings=(warning,))
