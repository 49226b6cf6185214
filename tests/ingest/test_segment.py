"""The segmenter on hand-built lines: every cue is relative, so sizes here are arbitrary."""

import datetime as dt

from ingest.document import BBox, IssueMeta, Line, Page
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
    assert [w.code for w in b.warnings] == ["not_bulletin"]
    assert b.warnings[0].message.startswith("not a bulletin: no masthead")


def test_date_cut_across_lines():
    p = PageBuilder(1)
    p.add("某市邮政快递行业简报", 26, centred=True, red=True)
    p.add("2026 年第 1 期 (总第 536 期)", 14, centred=True)
    p.add("2026 年 1 月 9", BODY, x0=400)
    p.add("日", BODY, x0=400)
    p.add("标题", 16, centred=True, bold=True, gap=20)
    p.para(BODY_B)
    b = pages_to_bulletin([p.page()])
    assert b.meta.date == dt.date(2026, 1, 9)
    assert b.meta.editor is None                 # absent: null, never a guess
    assert [a.title for a in b.articles] == ["标题"]


# ---------------------------------------------------------------- evidence before metadata


def test_a_red_headline_without_an_issue_line_is_no_masthead():
    p = PageBuilder(1)
    p.add("关于开展寄递安全宣传的倡议", 26, centred=True, bold=True, red=True)
    p.para(BODY_B)
    b = pages_to_bulletin([p.page()])
    assert b.meta == IssueMeta()
    assert [a.title for a in b.articles] == ["关于开展寄递安全宣传的倡议"]


def test_a_sentence_with_di_si_qi_is_no_issue_number():
    p = PageBuilder(1)
    p.add("某公司2024年度第四期中期票据募集说明书", 16, centred=True, bold=True)
    p.add("关于本期票据的说明", 16, centred=True, bold=True, gap=20)
    p.para("本公司第四期中期票据的发行规模为五亿元，募集资金用于偿还到期债务。")
    b = pages_to_bulletin([p.page()])
    assert b.meta.issue_no is None and b.meta.series is None
    assert [w.code for w in b.warnings] == ["not_bulletin"]


def test_an_editor_is_never_cut_out_of_a_sentence():
    p = PageBuilder(1)
    p.add("年度工作报告", 26, centred=True, bold=True)
    p.para("本单位根据有关规定编")
    p.add("制本报告，报告期为一个自然年度。", BODY)
    b = pages_to_bulletin([p.page()])
    assert b.meta.editor is None


def test_a_bare_year_sets_the_year_never_a_date():
    p = PageBuilder(1)
    p.add("某市邮政快递行业简报", 26, centred=True, red=True)
    p.add("第 3 期", 14, centred=True)
    p.add("2025年", BODY, centred=True)
    p.add("标题", 16, centred=True, bold=True, gap=20)
    p.para(BODY_B)
    b = pages_to_bulletin([p.page()])
    assert (b.meta.year, b.meta.issue_no, b.meta.date) == (2025, 3, None)
    assert [w.code for w in b.warnings] == ["no_date"]
    assert [a.title for a in b.articles] == ["标题"]


def custom_masthead() -> PageBuilder:
    p = PageBuilder(1)
    p.add("邮政安全观察", 26, centred=True, bold=True, red=True)
    p.add("2025年第4期", 14, centred=True)
    p.add("某区邮政管理局编", BODY, x0=LEFT)
    p.add("标题", 16, centred=True, bold=True, gap=20)
    p.para(BODY_B)
    return p


def test_a_configured_series_is_a_masthead():
    assert pages_to_bulletin([custom_masthead().page()]).meta.series is None
    b = pages_to_bulletin([custom_masthead().page()], series=("邮政安全观察",))
    assert (b.meta.series, b.meta.year, b.meta.issue_no) == ("邮政安全观察", 2025, 4)
    assert b.meta.editor == "某区邮政管理局编"
    assert [a.title for a in b.articles] == ["标题"]


# ---------------------------------------------------------------- every character accounted for


def test_a_table_without_data_rows_is_text():
    p = masthead(PageBuilder(1))
    p.add("唯一的标题", 16, centred=True, bold=True, gap=20)
    p.para(BODY_B)
    y = p.y
    for x, cell in zip((90, 200, 310, 420), ("甲地", "乙地", "丙地", "丁地")):
        p.lines.append(Line(cell, BBox(x, y, x + 2 * BODY, y + BODY), BODY, page=1))
    b = pages_to_bulletin([p.page()])
    assert b.tables == ()
    assert b.articles[0].paragraphs[-1] == "甲地 乙地 丙地 丁地"


def test_a_page_whose_text_does_not_reach_the_bulletin_is_named():
    p = masthead(PageBuilder(1))
    p.add("唯一的标题", 16, centred=True, bold=True, gap=20)
    p.para(BODY_B)
    page = p.page()
    shown = sum(len(ln.text.replace(" ", "")) for ln in page.lines)
    b = pages_to_bulletin([Page(1, WIDTH, HEIGHT, page.lines, text_chars=shown + 40)])
    (warning,) = [w for w in b.warnings if w.code == "text_not_placed"]
    assert warning.page == 1 and "%" in warning.message
    assert not [w for w in pages_to_bulletin([page]).warnings if w.code == "text_not_placed"]


def test_one_line_of_text_is_an_article_titled_by_it():
    page = Page(1, 300, 100, (Line("包裹", BBox(20, 30, 80, 60), 30, page=1),), source="ocr")
    b = pages_to_bulletin([page])
    assert [(a.title, a.paragraphs) for a in b.articles] == [("包裹", ())]


# ---------------------------------------------------------------- headings as documents mark them


def report_pages(toc: bool) -> list[Page]:
    pages = []
    if toc:
        t = PageBuilder(1)
        t.add("目录", 18, centred=True, bold=True)
        for entry in ("一、总体情况......3", "（一）业务规模......3", "（二）网点建设......3"):
            t.add(entry, BODY, x0=LEFT)
        pages.append(t.page())
    p = PageBuilder(len(pages) + 1)
    p.add("一、总体情况", BODY, x0=LEFT, bold=True)
    p.add("（一）业务规模", BODY, x0=LEFT + 2 * BODY)
    p.para(BODY_B)
    p.add("（二）网点建设", BODY, x0=LEFT + 2 * BODY)
    p.para(BODY_B)
    p.add("1.驿站统一标识。", BODY, x0=LEFT + 2 * BODY)
    p.add("2.网点每季检查", BODY, x0=LEFT + 2 * BODY)
    p.add("3.站点夜间值守", BODY, x0=LEFT + 2 * BODY)
    pages.append(p.page())
    return pages


def test_numbered_headings_start_sections_and_a_heading_over_headings_groups_them():
    b = pages_to_bulletin(report_pages(toc=False))
    assert [a.title for a in b.articles] == ["（一）业务规模", "（二）网点建设"]
    assert b.articles[1].paragraphs == (BODY_B, "1.驿站统一标识。", "2.网点每季检查", "3.站点夜间值守")
    assert b.navigation == ("一、总体情况",)


def test_a_toc_page_is_navigation_and_its_entries_confirm_the_headings():
    b = pages_to_bulletin(report_pages(toc=True))
    assert [a.title for a in b.articles] == ["（一）业务规模", "（二）网点建设"]
    assert b.navigation[:2] == ("目录", "一、总体情况......3")
    assert b.navigation[-1] == "一、总体情况"
    assert all(a.pages == (2,) for a in b.articles)


def test_in_a_bulletin_numbered_lines_stay_in_their_article():
    p = masthead(PageBuilder(1))
    p.add("唯一的标题", 16, centred=True, bold=True, gap=20)
    p.add("（一）业务规模", BODY, x0=LEFT + 2 * BODY)
    p.para(BODY_B)
    b = pages_to_bulletin([p.page()])
    assert [a.title for a in b.articles] == ["唯一的标题"]
    assert b.articles[0].paragraphs[0] == "（一）业务规模"


def test_a_cover_page_is_front_matter():
    cover = PageBuilder(1, top=300)
    cover.add("某区工作报告", 30, centred=True, bold=True)
    cover.add("2025年", 16, centred=True, gap=30)
    body = PageBuilder(2)
    body.add("一、总体情况", BODY, x0=LEFT + 2 * BODY)
    body.para(BODY_B)
    b = pages_to_bulletin([cover.page(), body.page()])
    assert b.front == ("某区工作报告", "2025年")
    assert b.meta == IssueMeta(year=2025)
    assert [a.title for a in b.articles] == ["一、总体情况"]


def test_ocr_running_text_enlarged_by_perspective_is_no_title():
    def ocr(text, top, size, x0=LEFT, x1=RIGHT):
        return Line(text, BBox(x0, top, x1, top + size), size, confidence=0.9, page=1)
    lines = [ocr("一篇讲话的标题", 60, 12, 200, 390)]
    lines += [ocr("正文第%d行，照片上离镜头越近的字越大，但它仍是正文的一行" % i, 90 + 20 * i, 13.5 - 0.3 * i)
              for i in range(6)]
    lines += [ocr("正文一行。" * 6, 220 + 16 * i, 12) for i in range(8)]
    b = pages_to_bulletin([Page(1, WIDTH, HEIGHT, tuple(lines), source="ocr")])
    assert [a.title for a in b.articles] == ["一篇讲话的标题"]
