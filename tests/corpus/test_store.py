"""The store: migrations, idempotent upserts, duplicate issues, human labels in force."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3

import pytest

from pipeline.resources import open_corpus
from corpus import ArticleTags, Corpus
from corpus.labels import LabelChange, apply_changes
from corpus.queries import get_article, iter_article_records, stats
from corpus.schema import SCHEMA_VERSION
from ingest.document import Article, Bulletin, IssueMeta, SourceInfo
from errors import SchemaOutOfDate


def bulletin(sha="a" * 64, ocr=False, titles=("标题一", "标题二")) -> Bulletin:
    meta = IssueMeta("某简报", 2025, 6, 529, dt.date(2025, 6, 20), "某办编")
    arts = tuple(Article(i, t, None, (f"{t}的正文。",), (1,), 0.7 if ocr else None)
                 for i, t in enumerate(titles, 1))
    return Bulletin(meta, arts, source=SourceInfo(f"/x/{sha[:4]}.pdf", sha, "pdf", 2,
                                                  (1, 2) if ocr else ()))


def tags(topic="anti_fraud", version="v1") -> ArticleTags:
    return ArticleTags(topics=((topic, 0.9, True), ("party_building", 0.2, False)),
                       companies=(("sf", 0.8, True),), model_version=version)


def search_segment(text: str) -> str:
    return " ".join(text)


@pytest.fixture
def corpus():
    with Corpus.in_memory(segment=search_segment) as c:
        yield c


def test_same_file_twice_adds_nothing(corpus):
    assert corpus.add_bulletin(bulletin(), [tags(), tags()]).status == "imported"
    assert corpus.add_bulletin(bulletin(), [tags(), tags()]).status == "present"
    assert stats(corpus.conn)["articles"] == 2


def test_same_issue_from_a_second_file_is_a_duplicate(corpus):
    corpus.add_bulletin(bulletin("a" * 64), [tags(), tags()])
    result = corpus.add_bulletin(bulletin("b" * 64), [tags(), tags()])
    assert result.status == "duplicate" and result.issue_id == "2025-06"
    assert stats(corpus.conn)["documents"] == {"imported": 1, "duplicate": 1}


def test_text_issues_follow_writes_of_this_and_of_another_connection(tmp_path):
    path = tmp_path / "c.db"
    with Corpus.open(path, segment=search_segment) as here, Corpus.open(path, segment=search_segment) as there:
        assert here.text_issues() == frozenset()
        here.add_bulletin(bulletin("c" * 64, ocr=True), [tags(), tags()])
        assert here.text_issues() == frozenset()                    # a scan is no text source
        there.add_bulletin(bulletin("d" * 64), [tags(), tags()])     # its text PDF, from elsewhere
        assert here.text_issues() == frozenset({"2025-06"})
        with here.transaction() as conn:
            conn.execute("DELETE FROM issues")
        assert here.text_issues() == there.text_issues() == frozenset()


def test_unsynced_commits_are_kept_and_the_sync_setting_comes_back(tmp_path):
    path = tmp_path / "c.db"
    with Corpus.open(path, segment=search_segment) as c:
        before = c.conn.execute("PRAGMA synchronous").fetchone()[0]
        with c.unsynced_commits():
            assert c.conn.execute("PRAGMA synchronous").fetchone()[0] == 1          # NORMAL
            c.add_bulletin(bulletin(), [tags(), tags()])
        assert c.conn.execute("PRAGMA synchronous").fetchone()[0] == before
    with Corpus.open(path, segment=search_segment) as c:
        assert stats(c.conn)["articles"] == 2


def test_text_source_replaces_ocr_and_keeps_human_labels(corpus):
    corpus.add_bulletin(bulletin("c" * 64, ocr=True), [tags(), tags()])
    apply_changes(corpus, [LabelChange("2025-06-01", "topic", "worker_care", 1)], "ann")
    result = corpus.add_bulletin(bulletin("d" * 64), [tags(), tags()])
    assert result.status == "replaced"
    record = get_article(corpus.conn, "2025-06-01")
    assert record["ocr_confidence"] is None            # the text source is kept
    assert {(t["label"], t["source"]) for t in record["topics"]} == {
        ("anti_fraud", "model"), ("worker_care", "human")}
    assert stats(corpus.conn)["documents"] == {"imported": 1, "duplicate": 1}


def test_human_label_beats_model_everywhere(corpus):
    corpus.add_bulletin(bulletin(), [tags(), tags()])
    # a curator says: not anti_fraud
    apply_changes(corpus, [LabelChange("2025-06-01", "topic", "anti_fraud", 0)], "ann")
    first = get_article(corpus.conn, "2025-06-01")
    assert first["topics"] == []
    assert [r["article_id"] for r in iter_article_records(corpus.conn, topic="anti_fraud")] == ["2025-06-02"]
    # and a new model run cannot undo it: model rows are separate from human rows
    with corpus.transaction() as conn:
        corpus.put_model_tags(conn, "2025-06-01", tags(version="v2"))
    assert get_article(corpus.conn, "2025-06-01")["topics"] == []


def test_low_ocr_confidence_is_flagged(corpus):
    corpus.add_bulletin(bulletin(ocr=True), [tags(), tags()])
    assert get_article(corpus.conn, "2025-06-01")["low_confidence"] is True


def test_a_failed_write_leaves_nothing_behind(corpus):
    broken = dataclasses.replace(bulletin(), articles=bulletin().articles * 2)   # seq collides
    with pytest.raises(sqlite3.IntegrityError):
        corpus.add_bulletin(broken, [tags()] * 4)
    counts = stats(corpus.conn)
    assert (counts["issues"], counts["articles"], counts["documents"]) == (0, 0, {})


def test_new_database_is_current_and_newer_is_refused(tmp_path):
    path = tmp_path / "c.db"
    with open_corpus(path) as c:
        assert c.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert c.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaOutOfDate, match="newer than this jianbao"):
        open_corpus(path)


def test_older_database_upgrades_in_place(tmp_path):
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()                      # an empty v0 database
    with open_corpus(path) as c:
        c.add_bulletin(bulletin(), [tags(), tags()])
    with open_corpus(path) as c:                       # reopening migrates nothing, loses nothing
        assert stats(c.conn)["articles"] == 2


def test_search_index_is_filled(corpus):
    corpus.add_bulletin(bulletin(), [tags(), tags()])
    hits = corpus.conn.execute("SELECT article_id FROM articles_fts WHERE articles_fts MATCH ?",
                               ('"标 题 二"',)).fetchall()
    assert [h[0] for h in hits] == ["2025-06-02"]


def test_which_file_of_an_issue_is_kept_does_not_depend_on_order():
    kept = []
    for order in (("a" * 64, "b" * 64), ("b" * 64, "a" * 64)):
        with Corpus.in_memory(segment=search_segment) as c:
            for sha in order:
                c.add_bulletin(bulletin(sha), [tags(), tags()])
            kept.append(c.conn.execute("SELECT sha256 FROM issues").fetchone()[0])
            assert stats(c.conn)["documents"] == {"imported": 1, "duplicate": 1}
    assert kept == ["a" * 64, "a" * 64]


def test_export_is_one_snapshot_while_labels_change(tmp_path, rendered):
    """A labels import committed in the middle of an export does not show up half-applied."""
    import io

    from corpus.export import export
    from corpus.labels import LabelChange as Change, apply_changes as apply
    from ingest import parse_file
    from pipeline.resources import open_corpus
    db = tmp_path / "c.db"
    with open_corpus(db) as c:
        c.add_bulletin(parse_file(rendered("2025-06")))
    other = open_corpus(db)

    class Meddling(io.StringIO):
        def write(self, text):
            if not self.getvalue():                  # after the first record: another writer commits
                apply(other, [Change(f"2025-06-{n:02d}", "topic", "anti_fraud", 1) for n in range(1, 11)], "x")
            return super().write(text)

    out = Meddling()
    with open_corpus(db) as c:
        export(c.conn, "articles", "jsonl", None, stdout=out)
    import json
    tagged = [any(t["label"] == "anti_fraud" and t["source"] == "human" for t in json.loads(line)["topics"])
              for line in out.getvalue().splitlines()]
    other.close()
    assert len(tagged) == 10 and not any(tagged)


@pytest.mark.parametrize("question", ["trends"])
def test_trends_read_one_snapshot_while_labels_change(tmp_path, rendered, question):
    """A labels import committed between the queries of one question does not show up in it
    (search is one query: one snapshot whatever happens)."""
    from corpus.labels import LabelChange as Change, apply_changes as apply
    from ingest import parse_file
    from pipeline.resources import notebook, open_corpus
    db = tmp_path / "c.db"
    with open_corpus(db) as c:
        c.add_bulletin(parse_file(rendered("2025-06")))
    other = open_corpus(db)
    selects = []

    def meddle(statement):                      # after the first query: another writer commits
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)
            if len(selects) == 2:
                apply(other, [Change(f"2025-06-{n:02d}", "topic", "anti_fraud", 1) for n in range(1, 11)], "x")

    with open_corpus(db) as c:
        c.conn.set_trace_callback(meddle)
        if question == "trends":
            frame = notebook(c).trends("year", topic="anti_fraud")
            counts = list(frame["count"])
        else:
            frame = notebook(c).crosstab(topic="anti_fraud")
            counts = [int(frame.values.sum())]
        c.conn.set_trace_callback(None)
        after = notebook(c).trends("year", topic="anti_fraud")
    other.close()
    assert len(selects) >= 2 and counts == [0] and list(after["count"]) == [10]


def test_a_reports_cover_and_contents_are_stored_not_lost(tmp_path):
    """Front matter and the 目录 are not articles, but their text stays in the corpus."""
    from corpus.queries import get_issue, iter_issue_records
    from fixtures.render_report import render_report
    from ingest import parse_file
    from pipeline.resources import open_corpus
    pdf = tmp_path / "report.pdf"
    render_report(pdf)
    bulletin = parse_file(pdf)
    assert bulletin.front and bulletin.navigation
    with open_corpus(tmp_path / "c.db") as c:
        result = c.add_bulletin(bulletin)
        issue = get_issue(c.conn, result.issue_id)
        assert issue["front"] == list(bulletin.front) and issue["navigation"] == list(bulletin.navigation)
        assert next(iter_issue_records(c.conn))["navigation"] == list(bulletin.navigation)


def test_a_crosstab_is_one_query_so_one_snapshot(tmp_path, rendered):
    """The cross-tab reads the monthly pair counts in one statement: no writer can land between
    two of its reads (trends, with several, hold one read transaction: the test above)."""
    from ingest import parse_file
    from pipeline.resources import notebook, open_corpus
    with open_corpus(tmp_path / "c.db") as c:
        c.add_bulletin(parse_file(rendered("2025-06")))
        selects = []
        c.conn.set_trace_callback(lambda s: s.lstrip().upper().startswith("SELECT") and selects.append(s))
        notebook(c).crosstab()
        c.conn.set_trace_callback(None)
    assert len(selects) == 1
