"""The count tables per month (schema v9) and per issue (v10) equal a plain GROUP BY after every
kind of write, and the trends and cross-tabs read from them equal those grouped from the articles
and tags."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import pytest

from corpus import ArticleTags, Corpus
from corpus.analytics import _issue_counts, _scan_counts, _table_counts, crosstab, trends
from corpus.counts import MonthWindow, month_window
from corpus.curation import reclassify
from corpus.labels import LabelChange, apply_changes
from corpus.schema import SCHEMA_VERSION
from ingest.document import Article, Bulletin, IssueMeta, SourceInfo

TOPICS = ("anti_fraud", "low_altitude", "heroic_deeds", "party_building")
COMPANIES = ("sf", "yto", "zto", "jd")
DATES = (dt.date(2024, 11, 3), dt.date(2024, 12, 28), dt.date(2025, 1, 10), dt.date(2025, 1, 24),
         dt.date(2025, 2, 14), dt.date(2025, 4, 1), dt.date(2025, 4, 30), None)


def _tags(n: int, version: str = "v1") -> ArticleTags:
    """Topics and companies picked from the article number (0 to 2 of each); mentions of the
    firms concerned (one of them named twice) and of one named in passing."""
    firms = [c for i, c in enumerate(COMPANIES) if (n * (i + 1)) % 5 == 1]
    named = [*firms, *firms[:1], COMPANIES[n % 4]] if n % 2 else firms
    return ArticleTags(tuple((t, 0.9, (n + i) % 3 == 0) for i, t in enumerate(TOPICS)),
                       tuple((c, 0.8, c in firms) for c in COMPANIES),
                       tuple(("company", c, "某快递", i, i + 3, "text", "actor", 0.9, None)
                             for i, c in enumerate(named)), version)


def _bulletin(no: int, date, n_articles: int, sha: str | None = None, ocr: bool = False) -> Bulletin:
    arts = tuple(Article(i, f"标题{no}-{i}", None, (f"第{no}期第{i}篇的正文。",), (1,))
                 for i in range(1, n_articles + 1))
    sha = sha or f"{no:064x}"
    return Bulletin(IssueMeta("某简报", 2025, no, 600 + no, date, None), arts,
                    source=SourceInfo(f"{no}.pdf", sha, "pdf", 1, (1,) if ocr else ()))


def _fill(corpus: Corpus) -> None:
    for no, date in enumerate(DATES, 1):
        k = 3 + no % 3
        corpus.add_bulletin(_bulletin(no, date, k, ocr=no == 3), [_tags(no * 7 + i) for i in range(k)])


@pytest.fixture
def corpus():
    with Corpus.in_memory(segment=lambda text: " ".join(text)) as c:
        _fill(c)
        yield c


def _rows(conn, sql: str) -> set[tuple]:
    return {tuple(r) for r in conn.execute(sql)}


def assert_counts_exact(conn) -> None:
    assert _rows(conn, "SELECT month, n FROM month_articles") == _rows(
        conn, "SELECT substr(date, 1, 7), COUNT(*) FROM articles WHERE date IS NOT NULL GROUP BY 1")
    assert _rows(conn, "SELECT kind, label, month, n FROM month_tags") == _rows(
        conn, "SELECT kind, label, substr(date, 1, 7), COUNT(*) FROM tags WHERE date IS NOT NULL"
              " GROUP BY 1, 2, 3")
    assert _rows(conn, "SELECT month, topic, company, n FROM month_pairs") == _rows(
        conn, "SELECT substr(a.date, 1, 7), t.label, c.label, COUNT(*) FROM articles a"
              " JOIN tags t ON t.article_id = a.article_id AND t.kind = 'topic'"
              " JOIN tags c ON c.article_id = a.article_id AND c.kind = 'company'"
              " WHERE a.date IS NOT NULL GROUP BY 1, 2, 3")
    assert _rows(conn, "SELECT label, month, n FROM month_mentions") == _rows(
        conn, "SELECT e.label, substr(a.date, 1, 7), COUNT(DISTINCT e.article_id) FROM entities e"
              " JOIN articles a USING (article_id) WHERE e.kind = 'company' AND a.date IS NOT NULL"
              " GROUP BY 1, 2")
    assert _rows(conn, "SELECT issue_id, date, n FROM issue_articles") == _rows(
        conn, "SELECT issue_id, date, COUNT(*) FROM articles WHERE date IS NOT NULL GROUP BY 1, 2")
    assert _rows(conn, "SELECT kind, label, issue_id, date, n FROM issue_tags") == _rows(
        conn, "SELECT t.kind, t.label, a.issue_id, t.date, COUNT(*) FROM tags t JOIN articles a"
              " USING (article_id) WHERE t.date IS NOT NULL GROUP BY 1, 2, 3, 4")
    assert _rows(conn, "SELECT label, issue_id, date, n FROM issue_mentions") == _rows(
        conn, "SELECT e.label, a.issue_id, a.date, COUNT(DISTINCT e.article_id) FROM entities e"
              " JOIN articles a USING (article_id) WHERE e.kind = 'company' AND a.date IS NOT NULL"
              " GROUP BY 1, 2, 3")


ISSUE_COUNTS = ("SELECT kind, label, issue_id, date, n FROM issue_tags UNION ALL SELECT 'mention', label,"
                " issue_id, date, n FROM issue_mentions UNION ALL SELECT '', '', issue_id, date, n"
                " FROM issue_articles")


def assert_search_rows_are_the_articles(conn) -> None:
    """Each article has one search row, under its own rowid (search ranks by rowid)."""
    assert _rows(conn, "SELECT rowid, article_id FROM articles_fts") == _rows(
        conn, "SELECT rowid, article_id FROM articles")


def test_counts_equal_a_group_by_after_ingest(corpus):
    assert_counts_exact(corpus.conn)
    assert corpus.conn.execute("SELECT SUM(n) FROM month_articles").fetchone()[0] == \
        corpus.conn.execute("SELECT COUNT(*) FROM articles WHERE date IS NOT NULL").fetchone()[0] > 20


def test_counts_follow_human_labels(corpus):
    ids = [r[0] for r in corpus.conn.execute("SELECT article_id FROM articles ORDER BY 1")]
    before = _rows(corpus.conn, "SELECT * FROM month_tags")
    apply_changes(corpus, [LabelChange(ids[0], "topic", "anti_fraud", 0),
                           LabelChange(ids[0], "company", "jd", 1),
                           LabelChange(ids[5], "topic", "heroic_deeds", 1),
                           LabelChange(ids[5], "company", "sf", 0),
                           LabelChange(ids[-1], "topic", "low_altitude", 1)], who="ann")
    assert _rows(corpus.conn, "SELECT * FROM month_tags") != before
    assert_counts_exact(corpus.conn)
    apply_changes(corpus, [LabelChange(ids[0], "topic", "anti_fraud", 1)], who="ann")
    assert_counts_exact(corpus.conn)


def test_counts_follow_reclassify(corpus):
    before = _rows(corpus.conn, "SELECT * FROM month_pairs")
    report = reclassify(corpus, lambda texts: [_tags(len(title) + 2 * len(text), "v2")
                                               for title, text in texts], since="2025-01-15")
    assert report.articles > 0 and report.added
    assert _rows(corpus.conn, "SELECT * FROM month_pairs") != before
    assert_counts_exact(corpus.conn)


def test_counts_follow_deletes_and_replaced_issues(corpus):
    ids = [r[0] for r in corpus.conn.execute("SELECT article_id FROM articles WHERE issue_id = '2025-03'")]
    apply_changes(corpus, [LabelChange(ids[0], "company", "zto", 1)], who="ann")
    # the text PDF of issue 3 replaces its scan: the old articles go, human labels come back
    result = corpus.add_bulletin(_bulletin(3, DATES[2], 2, sha="f" * 64),
                                 [_tags(100), _tags(101)])
    assert result.status == "replaced"
    assert_counts_exact(corpus.conn)
    with corpus.transaction() as conn:
        conn.execute("DELETE FROM issues WHERE issue_id = '2025-05'")      # cascades to articles
        conn.execute("DELETE FROM articles WHERE article_id = ?", (ids[0],))
    assert_counts_exact(corpus.conn)
    assert_search_rows_are_the_articles(corpus.conn)
    corpus.add_bulletin(_bulletin(5, DATES[4], 3, sha="e" * 64), [_tags(7)] * 3)   # rowids reused
    assert_search_rows_are_the_articles(corpus.conn)
    with corpus.transaction() as conn:
        conn.execute("DELETE FROM issues")
    assert _rows(corpus.conn, "SELECT * FROM month_tags UNION ALL SELECT month, '', '', n FROM"
                              " month_articles UNION ALL SELECT * FROM month_pairs UNION ALL"
                              " SELECT label, month, '', n FROM month_mentions") == set()
    assert _rows(corpus.conn, ISSUE_COUNTS) == set()


def test_migration_from_v8_fills_the_counts(tmp_path):
    path = tmp_path / "v8.db"
    with Corpus.open(path, segment=lambda text: " ".join(text)) as c:
        _fill(c)
        expected = _rows(c.conn, "SELECT * FROM month_tags UNION ALL SELECT * FROM month_pairs"
                                 " UNION ALL SELECT label, month, n, '' FROM month_mentions")
    conn = sqlite3.connect(path)        # back to v8: the same data without the count tables,
    conn.execute("DELETE FROM label_bits WHERE label = 'party_building'")     # and a mask short
    conn.execute("UPDATE articles SET topic_mask = 0 WHERE article_id = '2025-01-01'")  # of a bit
    conn.execute("DROP TRIGGER articles_fts_delete")                   # search rows out of step:
    conn.execute("INSERT INTO articles_fts (rowid, article_id, title, text) SELECT 1000 + rowid,"
                 " article_id, title, text FROM articles_fts WHERE rowid IN (2, 3)")
    conn.execute("DELETE FROM articles_fts WHERE rowid IN (2, 3)")
    conn.execute("INSERT INTO articles_fts (rowid, article_id, title, text) VALUES (2, 'gone', '', '')")
    for kind, name in conn.execute("SELECT type, name FROM sqlite_master WHERE (name LIKE 'month_%'"
                                   " OR name GLOB 'issue_*') AND type IN ('table', 'trigger')").fetchall():
        conn.execute(f"DROP {kind} IF EXISTS {name}")
    conn.execute("ALTER TABLE entities DROP COLUMN aside")            # added by v11
    conn.execute("PRAGMA user_version = 8")
    conn.commit()
    conn.close()
    with Corpus.open(path) as c:
        assert c.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert_counts_exact(c.conn)
        assert _rows(c.conn, "SELECT * FROM month_tags UNION ALL SELECT * FROM month_pairs"
                             " UNION ALL SELECT label, month, n, '' FROM month_mentions") == expected
        assert_search_rows_are_the_articles(c.conn)


def test_migration_from_v9_fills_the_issue_counts(tmp_path):
    path = tmp_path / "v9.db"
    with Corpus.open(path, segment=lambda text: " ".join(text)) as c:
        _fill(c)
        expected = _rows(c.conn, ISSUE_COUNTS)
    conn = sqlite3.connect(path)        # back to v9: the same data without the issue counts
    for kind, name in conn.execute("SELECT type, name FROM sqlite_master WHERE name GLOB 'issue_*'"
                                   " AND type IN ('table', 'trigger')").fetchall():
        conn.execute(f"DROP {kind} IF EXISTS {name}")
    conn.execute("ALTER TABLE entities DROP COLUMN aside")            # added by v11
    conn.execute("PRAGMA user_version = 9")
    conn.commit()
    conn.close()
    with Corpus.open(path, segment=lambda text: " ".join(text)) as c:
        assert c.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert _rows(c.conn, ISSUE_COUNTS) == expected != set()
        c.add_bulletin(_bulletin(20, DATES[1], 2), [_tags(3), _tags(4)])     # and kept from then on
        with c.transaction() as conn:
            conn.execute("DELETE FROM issues WHERE issue_id = '2025-02'")
        assert_counts_exact(c.conn)


def test_labels_an_article_brings_in_together_each_get_a_bit():
    with Corpus.in_memory(segment=lambda text: " ".join(text)) as c:
        c.add_bulletin(_bulletin(1, DATES[0], 1), [ArticleTags(
            (("anti_fraud", 0.9, True), ("low_altitude", 0.9, True)), (("sf", 0.9, True), ("jd", 0.9, True)))])
        assert _rows(c.conn, "SELECT kind, label, bit FROM label_bits") == {
            ("topic", "anti_fraud", 0), ("topic", "low_altitude", 1), ("company", "jd", 0), ("company", "sf", 1)}
        assert _rows(c.conn, "SELECT topic_mask, company_mask FROM articles") == {(3, 3)}
        assert crosstab(c.conn).to_dict() == {"jd": {"anti_fraud": 1, "low_altitude": 1},
                                              "sf": {"anti_fraud": 1, "low_altitude": 1}}


@pytest.mark.parametrize(("start", "end", "window"), [
    (None, None, MonthWindow(None, None, ())),
    ("2025-01-01", "2025-03-31", MonthWindow("2025-01", "2025-03", ())),
    ("2025-01-15", "2025-03-10", MonthWindow("2025-02", "2025-02", (("2025-01-15", "2025-01-31"),
                                                                    ("2025-03-01", "2025-03-10")))),
    ("2025-01-15", "2025-01-20", MonthWindow("2025-02", "2024-12", (("2025-01-15", "2025-01-20"),), True)),
    ("2024-12-02", None, MonthWindow("2025-01", None, (("2024-12-02", "2024-12-31"),))),
    (None, "2024-02-28", MonthWindow(None, "2024-01", (("2024-02-01", "2024-02-28"),))),
    ("2025-03-09", "2025-01-01", MonthWindow("2025-04", "2024-12", (), True)),
])
def test_a_date_window_is_whole_months_and_cut_days(start, end, window):
    assert month_window(start, end) == window


WINDOWS = [(None, None), ("2025-01", None), (None, "2025-01"), ("2024-12-28", "2025-04-01"),
           ("2025-01-11", "2025-01-24"), ("2025-01-25", "2025-02-13"), ("2026", None),
           ("2024-11-04", None), (None, "2025-04-29")]


@pytest.mark.parametrize(("since", "until"), WINDOWS)
def test_trends_from_counts_equal_trends_grouped_from_tags(corpus, since, until):
    from corpus.queries import month_bounds
    start, end = month_bounds(since, until)
    apply_changes(corpus, [LabelChange("2025-04-01", "topic", "heroic_deeds", 1)], who="ann")
    for by in ("month", "quarter", "year", "issue"):
        for kind, label in (("topic", None), ("company", None), ("topic", "anti_fraud"), ("company", "sf")):
            for mentions in ((False, True) if kind == "company" else (False,)):
                if by == "issue":
                    table = _issue_counts(corpus.conn, kind, label, start, end, mentions)
                    assert table[:2] == _scan_counts(corpus.conn, by, kind, label, start, end, mentions)[:2]
                    continue
                table = _table_counts(corpus.conn, by, kind, label, start, end, mentions)
                scan = _scan_counts(corpus.conn, by, kind, label, start, end, mentions)
                assert table[:2] == scan[:2]
                assert (table[2][0] or "")[:7] == (scan[2][0] or "")[:7]
                assert (table[2][1] or "")[:7] == (scan[2][1] or "")[:7]
        frame = trends(corpus.conn, by, since=since, until=until)
        assert list(frame.columns) == ["period", "label", "count", "articles", "share"]


def _crosstab_from_tags(conn, since, until) -> pd.DataFrame:
    from corpus.queries import month_bounds
    start, end = month_bounds(since, until)
    rows = conn.execute(
        "SELECT t.label topic, c.label company, COUNT(*) count FROM articles a"
        " JOIN tags t ON t.article_id = a.article_id AND t.kind = 'topic'"
        " JOIN tags c ON c.article_id = a.article_id AND c.kind = 'company'"
        " WHERE a.date IS NOT NULL AND a.date >= ? AND a.date <= ? GROUP BY 1, 2",
        (start or "", end or "9999")).fetchall()
    if not rows:
        return pd.DataFrame()
    return pd.DataFrame([tuple(r) for r in rows], columns=["topic", "company", "count"]).pivot_table(
        index="topic", columns="company", values="count", fill_value=0, aggfunc="sum").astype(int)


@pytest.mark.parametrize(("since", "until"), WINDOWS)
def test_crosstab_from_counts_equals_a_join_of_the_tags(corpus, since, until):
    pd.testing.assert_frame_equal(crosstab(corpus.conn, since=since, until=until),
                                  _crosstab_from_tags(corpus.conn, since, until))
