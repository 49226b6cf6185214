"""Trends, cross-tabs and search over a small hand-built corpus."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.resources import notebook
from corpus import ArticleTags, Corpus
from ingest.document import Article, Bulletin, IssueMeta, SourceInfo
from models.tokenize import segment_for_search

ISSUES = [  # (date, issue_no, [(title, text, topic, company)])
    (dt.date(2025, 1, 10), 1, [("反诈宣传进网点", "顺丰速运开展反诈宣传，提醒防范冒充快递客服诈骗。", "anti_fraud", "sf"),
                               ("无人机航线开通", "低空物流无人机航线在金山开通。", "low_altitude", None)]),
    (dt.date(2025, 2, 14), 2, [("快递小哥见义勇为", "中通快递员勇救落水儿童。", "heroic_deeds", "zto")]),
    (dt.date(2025, 7, 1), 7, [("再谈反诈", "圆通网点拦截涉诈包裹三件。", "anti_fraud", "yto"),
                              ("反诈与安全", "邮政管理局检查寄递安全，并开展反诈宣传。", "anti_fraud", None)]),
]


def _bulletin(date, no, arts) -> Bulletin:
    articles = tuple(Article(i, t, None, (x,), (1,)) for i, (t, x, _, _) in enumerate(arts, 1))
    return Bulletin(IssueMeta("某简报", date.year, no, 500 + no, date, None), articles,
                    source=SourceInfo(f"{no}.pdf", f"{no:064d}", "pdf", 1))


@pytest.fixture(scope="module")
def corpus():
    c = Corpus.in_memory(segment=segment_for_search)
    for date, no, arts in ISSUES:
        tags = [ArticleTags(((topic, 0.9, True),), ((company, 0.9, True),) if company else (), (), "v")
                for _, _, topic, company in arts]
        c.add_bulletin(_bulletin(date, no, arts), tags)
    yield c
    c.close()


def test_monthly_trend_counts_share_and_empty_months(corpus):
    frame = notebook(corpus).trends(by="month", topic="anti_fraud")
    got = {r.period: (r.count, r.articles, r.share) for r in frame.itertuples()}
    assert list(got) == [f"2025-{m:02d}" for m in range(1, 8)]          # March–June are zeros
    assert got["2025-01"] == (1, 2, 0.5)
    assert got["2025-04"] == (0, 0, 0.0)
    assert got["2025-07"] == (2, 2, 1.0)


def test_quarterly_trend_of_all_topics_and_date_window(corpus):
    frame = notebook(corpus).trends(by="quarter", since="2025-01", until="2025-06")
    q1 = frame[frame.period == "2025-Q1"].set_index("label")["count"].to_dict()
    assert q1 == {"anti_fraud": 1, "heroic_deeds": 1, "low_altitude": 1}
    assert set(frame.period) == {"2025-Q1", "2025-Q2"}


def test_company_trend_and_crosstab(corpus):
    frame = notebook(corpus).trends(by="year", kind="company")
    assert frame.set_index("label")["count"].to_dict() == {"sf": 1, "yto": 1, "zto": 1}
    tab = notebook(corpus).crosstab(topic="anti_fraud")
    assert tab.loc["anti_fraud"].to_dict() == {"sf": 1, "yto": 1}


def test_crosstab_table_has_a_row_per_topic_or_per_company(corpus):
    by_company = notebook(corpus).crosstab_table("company")
    assert list(by_company.columns) == ["topic", "sf", "yto", "zto"]
    assert by_company.set_index("topic").loc["anti_fraud"].to_dict() == {"sf": 1, "yto": 1, "zto": 0}
    by_topic = notebook(corpus).crosstab_table("topic")
    assert by_topic.columns[0] == "company" and set(by_topic.company) == {"sf", "yto", "zto"}
    assert notebook(corpus).crosstab_table("topic", since="2030").empty


def test_search_ranks_titles_and_highlights(corpus):
    hits = notebook(corpus).search("反诈")
    assert set(hits.article_id) == {"2025-01-01", "2025-07-01", "2025-07-02"}
    assert list(hits.score) == sorted(hits.score, reverse=True)
    marked = dict(zip(hits.article_id, hits.snippet))
    assert "【反诈】宣传" in marked["2025-01-01"] and "【" not in marked["2025-07-01"]
    assert list(notebook(corpus).search("无人机").article_id) == ["2025-01-02"]   # title hit, text hit
    two_char = notebook(corpus).search("包裹")                    # two-character words are found
    assert list(two_char.article_id) == ["2025-07-01"]
    assert list(notebook(corpus).search("反诈", company="sf").article_id) == ["2025-01-01"]
    assert notebook(corpus).search("不存在的词语组合").empty


def test_submission_tables_per_company_and_period(tmp_path):
    from ingest.document import Table
    table = Table("来稿及刊用情况", "（2025年1月1日—3月31日）", None, ("序号", "企业名称", "来稿数", "刊用数"),
                  ((1, "中国邮政集团有限公司上海市分公司", 12, 5), (2, "顺丰速运上海区", 3, 1),
                   (3, "某某物流公司", 2, 0)))
    with Corpus.in_memory(segment=segment_for_search) as c:
        for no, day in ((1, dt.date(2025, 4, 3)), (2, dt.date(2025, 5, 8))):
            b = _bulletin(day, no, [("标题", "正文。", "anti_fraud", None)])
            c.add_bulletin(Bulletin(b.meta, b.articles, (table,), source=b.source))
        frame = notebook(c).submissions(by="quarter")
    got = {(r.period, r.company, r.submitted, r.published) for r in frame.itertuples()}
    assert got == {("2025-Q2", "china_post", 24, 10), ("2025-Q2", "sf", 6, 2), ("2025-Q2", None, 4, 0)}


def test_company_trends_count_concerned_articles_or_every_mention():
    """Default: articles that concern a firm; mentions=True: every article that names it."""
    from corpus import ArticleTags
    from pipeline.resources import memory_corpus, notebook
    with memory_corpus() as c:
        c.conn.execute("INSERT INTO documents (sha256, path, status, added_at) VALUES ('s', 'x.pdf', 'imported', 'now')")
        c.conn.execute("INSERT INTO issues (issue_id, sha256, source_kind, n_pages, date) VALUES ('i', 's', 'text', 1, '2025-03-01')")
        for n, role in ((1, "actor"), (2, "impersonated")):
            c.conn.execute("INSERT INTO articles (article_id, issue_id, seq, title, text, pages, date)"
                           " VALUES (?, 'i', ?, 't', 'x', '[1]', '2025-03-01')", (f"a{n}", n))
            selected = role == "actor"
            with c.transaction() as conn:
                c.put_model_tags(conn, f"a{n}", ArticleTags((), (("jd", 0.9 if selected else 0.1, selected),),
                                                            (("company", "jd", "京东", 0, 2, "text", role, 0.9, None),),
                                                            "v"))
        nb = notebook(c)
        assert nb.trends(by="year", company="jd")["count"].tolist() == [1]
        assert nb.trends(by="year", company="jd", mentions=True)["count"].tolist() == [2]
        from corpus.queries import iter_article_records
        ids = lambda **f: [r["article_id"] for r in iter_article_records(c.conn, company="jd", **f)]
        assert ids() == ["a1"] and ids(role="any") == ["a1", "a2"] and ids(role="impersonated") == ["a2"]
        assert [m["role"] for m in next(iter_article_records(c.conn, company="jd"))["mentions"]] == ["actor"]


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, {"2025-01-01", "2025-07-01", "2025-07-02"}),
    ({"topic": "anti_fraud"}, {"2025-01-01", "2025-07-01", "2025-07-02"}),
    ({"company": "sf"}, {"2025-01-01"}),
    ({"since": "2025-02"}, {"2025-07-01", "2025-07-02"}),
    ({"until": "2025-06-30"}, {"2025-01-01"}),
    ({"topic": "anti_fraud", "company": "yto", "since": "2025-07-01"}, {"2025-07-01"}),
    ({"topic": "heroic_deeds"}, set()),
    ({"company": "sf", "since": "2025-01-11"}, set()),
])
def test_search_keeps_to_the_topic_company_and_dates_asked(corpus, filters, expected):
    assert set(notebook(corpus).search("反诈", **filters).article_id) == expected


def test_a_set_aside_mention_keeps_its_reason_in_the_corpus(models_dir):
    """The tagger's reason for setting a name aside is stored, exported and shown."""
    from corpus.queries import iter_article_records
    from jianbao.render import _aside
    from models import Tagger
    from pipeline.resources import memory_corpus
    from pipeline.tagging import tags_to_article_tags

    tags = Tagger.load(models_dir).tag("警惕快递理赔诈骗", "市民赵女士网购了一件外套，包裹由韵达快递从广州寄往本市。"
                                       "随后一名自称客服的男子来电称包裹丢失，赵女士被骗走3000元。")
    with memory_corpus() as c:
        c.conn.execute("INSERT INTO documents (sha256, path, status, added_at) VALUES ('s', 'x.pdf', 'imported', 'now')")
        c.conn.execute("INSERT INTO issues (issue_id, sha256, source_kind, n_pages, date) VALUES ('i', 's', 'text', 1, '2025-03-01')")
        c.conn.execute("INSERT INTO articles (article_id, issue_id, seq, title, text, pages, date)"
                       " VALUES ('a1', 'i', 1, 't', 'x', '[1]', '2025-03-01')")
        with c.transaction() as conn:
            c.put_model_tags(conn, "a1", tags_to_article_tags(tags))
        (mention,) = next(iter_article_records(c.conn))["mentions"]
    assert (mention["label"], mention["role"], mention["aside"]) == ("yunda", "passing", "case")
    assert _aside(mention) == ": a fraud victim's carrier"
