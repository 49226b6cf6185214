"""The segmenter on hand-built lines: every cue is relative, so sizes here are arbitrary."""

import datetime as dt

from ingest.document import BBox, Line, Page
from ingest.segment import pages_to_bulletin

LEFT, RIGHT, BODY = 80.0, 515.0, 12.0
WIDTH, HEIGHT = 595.0, 842.0


class PageBuilder:
    """Lays out lines top to bottom like a renderer would."""

    def __init__(self, number: int, top: float = 80.0):
        self.number, self.y, self.lines = number, top, []

    def add(self, text, size=BODY, x0=None, centred=False, bold=False, red=False, gap=0.0):
        self.y += gap
        width = size * len(text)
        if centred:
            x0 = (LEFT + RIGHT - width) / 2
        x0 = LEFT if x0 is None else x0
        self.lines.append(Line(text, BBox(x0, self.y, x0 + width, self.y + size), size, bold, red,
                               page=self.number))
        self.y += size * 1.5
        return self

    def para(self, text, size=BODY, indent=True):
        """Wrap text into full lines of the column, the first indented by two characters."""
        per_line = int((RIGHT - LEFT) // size)
        first = per_line - 2 if indent else per_line
        chunks = [text[:first]] + [text[i:i + per_line] for i in range(first, len(text), per_line)]
        for i, chunk in enumerate(chunks):
            self.add(chunk, size, x0=LEFT + 2 * size if (i == 0 and indent) else LEFT)
        return self

    def page(self):
        footer = Line(f"— {self.number} —", BBox(280, 790, 315, 800), 10, page=self.number)
        return Page(self.number, WIDTH, HEIGHT, tuple(self.lines) + (footer,))


BODY_A = "近日，某区邮政管理局组织辖区快递企业开展安全生产检查，重点查看收寄验视、实名收寄和过机安检制度落实情况，" * 2
BODY_B = "检查组要求各企业切实履行安全生产主体责任，对发现的问题立即整改，确保寄递渠道安全畅通。"


def masthead(p: PageBuilder) -> PageBuilder:
    p.add("某市邮政快递行业", 26, centred=True, bold=True, red=True)
    p.add("党建工作简报", 26, centred=True, bold=True, red=True)
    p.add("2025年第3期（总第500期）", 14, centred=True)
    p.add("某市邮政管理局党建办编", BODY, x0=LEFT)
    p.lines.append(Line("2025 年 3 月 5 日", BBox(420, p.lines[-1].bbox.top, 515, p.lines[-1].bbox.bottom), BODY, page=1))
    return p


def test_masthead_titles_subtitles_paragraphs():
    p = masthead(PageBuilder(1))
    p.add("区局开展寄递安全检查", 16, centred=True, bold=True, gap=20)
    p.add("——筑牢行业安全防线", 14, centred=True)
    p.para(BODY_A).para(BODY_B)
    p.add("一、压实责任", BODY, x0=LEFT + 2 * BODY, bold=True)
    p.para(BODY_B)
    p.add("（供稿：某区邮政管理局）", BODY, x0=LEFT + 2 * BODY)
    p.add("第二篇文章的标题比较长需要两行才能排得下因此会折到第二行去显示", 16, centred=True, bold=True, gap=20)
    p.add("的情况", 16, centred=True, bold=True)
    p.para(BODY_B)
    b = pages_to_bulletin([p.page()])
    assert b.meta.series == "某市邮政快递行业党建工作简报"
    assert (b.meta.year, b.meta.issue_no, b.meta.total_no) == (2025, 3, 500)
    assert b.meta.date == dt.date(2025, 3, 5)
    assert b.meta.editor == "某市邮政管理局党建办编"
    assert [(a.title, a.subtitle) for a in b.articles] == [
        ("区局开展寄递安全检查", "——筑牢行业安全防线"),
        ("第二篇文章的标题比较长需要两行才能排得下因此会折到第二行去显示的情况", None)]
    assert b.articles[0].paragraphs == (BODY_A, BODY_B, "一、压实责任", BODY_B, "（供稿：某区邮政管理局）")
    assert b.warnings == ()


def test_sentence_cut_by_a_page_break_is_rejoined_and_furniture_dropped():
    p1 = masthead(PageBuilder(1))
    p1.add("标题在第一页", 16, centred=True, bold=True, gap=20)
    long_text = BODY_A * 3
    cut = 34 + 2 * 36          # page 1 ends on a full line, mid-sentence (36 characters a line)
    p1.para(long_text[:cut])
    p2 = PageBuilder(2)
    p2.add("某市邮政快递行业党建工作简报", 9, centred=True)       # running header
    p2.lines.pop()
    p1.lines.insert(0, Line("某市邮政快递行业党建工作简报", BBox(240, 40, 360, 49), 9, page=1))
    p2.lines.append(Line("某市邮政快递行业党建工作简报", BBox(240, 40, 360, 49), 9, page=2))
    p2.para(long_text[cut:], indent=False)
    b = pages_to_bulletin([p1.page(), p2.page()])
    (article,) = b.articles
    assert article.paragraphs == (long_text,)
    assert article.pages == (1, 2)


def test_bold_lead_heading_inside_article_never_starts_an_article():
    p = masthead(PageBuilder(1))
    p.add("唯一的标题", 16, centred=True, bold=True, gap=20)
    p.add("编者按：这是一段编者按。", BODY, x0=LEFT + 2 * BODY)
    p.add("（一）强化部署", BODY, x0=LEFT + 2 * BODY, bold=True)
    p.para(BODY_B)
    b = pages_to_bulletin([p.page()])
    assert [a.title for a in b.articles] == ["唯一的标题"]
    assert b.articles[0].paragraphs[:2] == ("编者按：这是一段编者按。", "（一）强化部署")


def test_table_and_distribution_list():
    p = masthead(PageBuilder(1))
    p.add("唯一的标题", 16, centred=True, bold=True, gap=20)
    p.para(BODY_B)
    p.add("来稿及刊用情况", 14, centred=True, bold=True, gap=20)
    p.add("（2025年1月1日—3月31日）", BODY, centred=True)
    for row in (("序号", "企业名称", "来稿数", "刊用数"), ("1", "甲快递公司", "12", "5"),
                ("2", "乙速运有限公司", "3", "0")):
        y = p.y
        for x, cell in zip((90, 150, 380, 450), row):
            p.lines.append(Line(cell, BBox(x, y, x + BODY * len(cell), y + BODY), BODY, page=1))
        p.y += 24
    p.add("注：刊用数含公众号转载。", BODY)
    p.add("报：上级委员会", BODY, gap=30)
    p.add("上级办公室", BODY, x0=LEFT + 3 * BODY)
    p.add("送：局领导，各处室，各区局，", BODY)
    p.add("行业协会、各快递企业", BODY, x0=LEFT + 3 * BODY)
    b = pages_to_bulletin([p.page()])
    assert [a.title for a in b.articles] == ["唯一的标题"]
    assert b.articles[0].paragraphs == (BODY_B,)
    (table,) = b.tables
    assert table.title == "来稿及刊用情况"
    assert table.period == "（2025年1月1日—3月31日）"
    assert table.header == ("序号", "企业名称", "来稿数", "刊用数")
    assert table.rows == ((1, "甲快递公司", 12, 5), (2, "乙速运有限公司", 3, 0))
    assert table.note == "注：刊用数含公众号转载。"
    assert b.distribution.report_to == ("上级委员会", "上级办公室")
    assert b.distribution.copy_to == ("局领导", "各处室", "各区局", "行业协会", "各快递企业")


def test_a_document_without_masthead_is_generic_with_a_warning():
    p = PageBuilder(1)
    p.add("一份普通文件的标题", 16, centred=True, bold=True)
    p.para(BODY_B)
    b = pages_to_bulletin([p.page()])
    assert b.meta.series is None and b.meta.issue_no is None and b.meta.date is None
    assert [a.title for a in b.articles] == ["一份普通文件的标题"]
    assert [w.code for w in b.warnings] == ["not_series"]


def test_date_cut_across_lines():
    p = PageBuilder(1)
    p.add("某市邮政快递行业", 26, centred=True, red=True)
    p.add("2026 年第 1 期 (总第 536 期)", 14, centred=True)
    p.add("2026 年 1 月 9", BODY, x0=400)
    p.add("日", BODY, x0=400)
    p.add("标题", 16, centred=True, bold=True, gap=20)
    p.para(BODY_B)
    b = pages_to_bulletin([p.page()])
    assert b.meta.date == dt.date(2026, 1, 9)
    assert b.meta.editor is None                 # absent: null, never a guess
    assert [a.title for a in b.articles] == ["标题"]
