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


@pytest.mark.parametrize("text, expected", [
    ("2025年第6期（总第529期）", True),
    ("第 3 期", True),
    ("2026 年第 1 期 (总第 536 期)", True),
    ("某公司2024年度第四期中期票据募集说明书", False),      # a tranche, not an issue
    ("本区第四期培训班于三月开班。", False),
])
def test_issue_line_is_the_number_alone(text, expected):
    from ingest.masthead import is_issue_line
    assert is_issue_line(text) is expected


def test_series_names_editor_lines_and_bare_years():
    from ingest.masthead import bare_year, is_editor_text, is_series_name
    assert is_series_name("某市邮政快递行业党建工作简报") and is_series_name("行业动态（内部资料）")
    assert not is_series_name("关于开展安全检查的通知")
    assert is_series_name("邮政安全观察", ("邮政安全观察",))
    assert is_editor_text("某市邮政管理局办公室编") and is_editor_text("主办：某区邮政管理局")
    assert not is_editor_text("根据规定，本单位编")       # a sentence; editors are read in a masthead only
    assert [bare_year(t) for t in ("2025年", "二〇二五年", "十年", "2025年3月")] == [2025, 2025, None, None]
