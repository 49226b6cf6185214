import datetime as dt

import pytest

from ingest.metadata import cn_to_int, parse_date, parse_issue_line


@pytest.mark.parametrize("text, expected", [
    ("2026 年第 1 期 (总第 536 期)", (2026, 1, 536)),
    ("2025年第6期（总第529期）", (2025, 6, 529)),
    ("2019年第三期（总第352期）", (2019, 3, 352)),
    ("二〇一九年第十二期", (2019, 12, None)),
    ("第一期", (None, 1, None)),
    ("（总第三百五十二期）", (None, None, 352)),
    ("上海市邮政管理局党建办编", (None, None, None)),
])
def test_issue_line(text, expected):
    assert parse_issue_line(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("2026年1月9日", dt.date(2026, 1, 9)),
    ("2026 年 1 月 9 日", dt.date(2026, 1, 9)),
    ("二〇一九年三月五日", dt.date(2019, 3, 5)),
    ("二〇一九年十二月三十一日", dt.date(2019, 12, 31)),
    ("2026年2月30日", None),          # not a date: null, never a guess
    ("1月9日", None),
])
def test_dates(text, expected):
    assert parse_date(text) == expected


def test_chinese_numerals():
    assert [cn_to_int(t) for t in ("十", "十五", "二十", "一百零五", "５３６")] == [10, 15, 20, 105, 536]
    assert cn_to_int("abc") is None
