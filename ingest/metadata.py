"""Pure parsers for the masthead's issue line and date, in Arabic or Chinese numerals."""

from __future__ import annotations

import datetime as dt
import re

_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
           "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = r"[0-9０-９〇零○Ｏ一二两三四五六七八九十百千]+"

ISSUE_RE = re.compile(rf"(?:(?P<year>{_NUM})年)?(?<!总)第(?P<no>{_NUM})期(?:[(（]?总第(?P<total>{_NUM})期[)）]?)?")
TOTAL_RE = re.compile(rf"总第(?P<total>{_NUM})期")
DATE_RE = re.compile(rf"(?P<y>{_NUM})年(?P<m>{_NUM})月(?P<d>{_NUM})日")
YEAR_RE = re.compile(rf"(?P<y>{_NUM})年")


def squeeze(text: str) -> str:
    """Drop all whitespace: extraction spaces digits apart ("2026 年第 1 期")."""
    return re.sub(r"\s+", "", text)


def cn_to_int(text: str) -> int | None:
    """'536' -> 536, '三' -> 3, '十五' -> 15, '二〇一九' -> 2019, '三百五十二' -> 352."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _DIGITS and ch not in _UNITS for ch in text):
        return None
    if not any(ch in _UNITS for ch in text):          # digit by digit: 二〇一九
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        else:
            total += (current or 1) * _UNITS[ch]
            current = 0
    return total + current


def parse_issue_line(text: str) -> tuple[int | None, int | None, int | None]:
    """Year, issue number and cumulative number from '2026 年第 1 期 (总第 536 期)'."""
    match = ISSUE_RE.search(squeeze(text))
    if not match:
        total = TOTAL_RE.search(squeeze(text))
        return None, None, cn_to_int(total["total"]) if total else None
    year = cn_to_int(match["year"]) if match["year"] else None
    total = cn_to_int(match["total"]) if match["total"] else None
    return year, cn_to_int(match["no"]), total


def parse_date(text: str) -> dt.date | None:
    """A date written 2026年1月9日, '2026 年 1 月 9 日' or 二〇一九年三月五日; None if invalid."""
    match = DATE_RE.search(squeeze(text))
    if not match:
        return None
    y, m, d = (cn_to_int(match[k]) for k in "ymd")
    try:
        return dt.date(y, m, d) if y and m and d else None
    except ValueError:
        return None
