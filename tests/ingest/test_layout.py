"""Pure layout functions on hand-built glyphs and lines."""

from ingest.document import BBox, Line, Page
from ingest.layout import (Glyph, body_size, column_split, folio, furniture_texts, glyphs_to_lines,
                           is_furniture, is_page_number, reading_order, running_head)


def glyph_run(text, x0, top, size=12.0, gap=0.0, **kw):
    out, x = [], x0
    for ch in text:
        width = size if ord(ch) > 0x2000 else size / 2
        out.append(Glyph(ch, x, top, x + width, top + size, size, **kw))
        x += width + gap
    return out


def test_cjk_lines_have_no_spaces_and_latin_words_keep_theirs():
    glyphs = glyph_run("快递小哥", 72, 100, gap=2.0)                 # justified: spread glyphs
    glyphs += glyph_run("J&T", 72 + 4 * 14 + 4, 100) + glyph_run("Express", 72 + 4 * 14 + 4 + 22, 100)
    (line,) = glyphs_to_lines(glyphs, page=1)
    assert line.text == "快递小哥J&T Express"


def test_wide_gap_splits_a_row_into_two_lines():
    left = glyph_run("上海市邮政管理局编", 72, 100)
    right = glyph_run("2026年1月9日", 400, 100)
    lines = glyphs_to_lines(left + right, page=1)
    assert [ln.text for ln in lines] == ["上海市邮政管理局编", "2026年1月9日"]


def test_vertical_rule_splits_cells_even_without_a_gap():
    glyphs = glyph_run("来稿数刊用数", 300, 100)
    wall = BBox(336, 95, 336, 115)
    lines = glyphs_to_lines(glyphs, page=1, rules=(wall,))
    assert [ln.text for ln in lines] == ["来稿数", "刊用数"]


def test_bold_and_red_are_majority_votes():
    glyphs = glyph_run("简报", 72, 50, bold=True, red=True) + glyph_run("标", 96, 50)
    (line,) = glyphs_to_lines(glyphs, page=1)
    assert line.bold and line.red


def test_page_numbers():
    for text in ("— 3 —", "-3-", "第3页", "3/9", "－ 12 －", "3"):
        assert is_page_number(text), text
    for text in ("第3期", "2026年", "3月5日"):
        assert not is_page_number(text), text


def _line(text, top, x0=72.0, page=1, size=12.0):
    return Line(text, BBox(x0, top, x0 + size * len(text), top + size), size, page=page)


def test_running_header_and_page_number_are_furniture():
    pages = []
    for n in (1, 2, 3):
        lines = (_line("某某行业工作简报", 40, page=n), _line("正文一行。" * 5, 300, page=n),
                 _line(f"— {n} —", 800, x0=280, page=n))
        pages.append(Page(n, 595, 842, lines))
    recurring = furniture_texts(pages)
    page = pages[1]
    assert [is_furniture(ln, page, recurring) for ln in page.lines] == [True, False, True]


def test_two_column_page_reads_left_column_first():
    left = [_line("左栏正文内容第%d行文字。" % i, 100 + 20 * i, x0=60, size=10) for i in range(6)]
    right = [_line("右栏正文内容第%d行文字。" % i, 100 + 20 * i, x0=320, size=10) for i in range(6)]
    lines = sorted(left + right, key=lambda ln: (ln.bbox.top, ln.bbox.x0))
    assert column_split(lines, 595) is not None
    ordered = reading_order(lines, 595)
    assert ordered == left + right


def test_body_size_is_the_size_of_sentences_not_of_chart_labels():
    labels = [_line(f"{i}.0%", 100 + 10 * i, size=8) for i in range(60)]
    captions = [_line("图1-%d各地恢复情况（数据来源于某平台）" % i, 400 + 20 * i, size=10) for i in range(6)]
    prose = [_line("本周新增确诊八十四例，累计境外输入一千余例。", 600 + 20 * i, size=16) for i in range(6)]
    assert body_size(labels + captions + prose) == 16
    assert body_size(labels) == 8


def test_a_small_line_alone_at_the_top_is_a_running_head_and_a_low_number_a_folio():
    head = _line("某公司募集说明书", 40, size=9)
    body = [_line("正文一行。" * 6, 80 + 16 * i) for i in range(10)]
    number = _line("251", 780, x0=290, size=9)
    page = Page(1, 595, 842, (head, *body, number))
    assert running_head(list(page.lines), page, 12) is head
    assert running_head(body, page, 12) is None
    assert folio(list(page.lines), page) is number


def test_a_table_box_is_read_whole_and_never_splits_the_page_into_columns():
    cells = [_line(t, 300 + 20 * r, x0=x, size=10) for r in range(6)
             for x, t in ((60, "某某银行某某支行营业部"), (330, "一十二万元整的授信额度"))]
    above = _line("正文一行。" * 6, 200)
    below = _line("正文一行。" * 6, 500)
    box = BBox(50, 295, 545, 420)
    ordered = reading_order([below, *reversed(cells), above], 595, (box,))
    assert ordered[0] is above and ordered[-1] is below
    assert ordered[1:-1] == sorted(cells, key=lambda ln: (ln.bbox.top, ln.bbox.x0))
