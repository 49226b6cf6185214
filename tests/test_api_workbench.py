"""What the dashboard reads from the API, on a corpus of the four sample bulletins: a search
term as a trend series, paged search, submissions, an issue's tables and source file, and
Plotly.js served from the installed package."""

from __future__ import annotations

import hashlib
import shutil
import warnings

import pytest

from jianbao.api import ApiConfig, create_app
from pipeline.resources import notebook, open_corpus
from pipeline.settings import build_settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture
def api(env, examples_db):
    settings = build_settings()
    shutil.copy(examples_db, settings.db)
    with TestClient(create_app(settings, ApiConfig(token=None, upload_workers=0)), base_url="http://127.0.0.1",
                    client=("127.0.0.1", 50000)) as client:
        yield client


def test_a_search_term_is_a_series_of_the_articles_that_match_it(api):
    data = api.get("/trends", params={"by": "year", "q": "无人机"}).json()
    assert data["kind"] == "query"
    rows = data["rows"]
    assert [r["period"] for r in rows] == [str(y) for y in range(2019, 2027)]      # empty years are zeros
    assert {r["label"] for r in rows} == {"无人机"}
    hits = api.get("/search", params={"q": "无人机", "limit": 200}).json()["items"]
    per_year = {str(y): sum(h["date"].startswith(str(y)) for h in hits) for y in range(2019, 2027)}
    assert {r["period"]: r["count"] for r in rows} == per_year and sum(per_year.values()) == 4
    assert all(r["share"] == round(r["count"] / r["articles"], 4) for r in rows if r["articles"])
    narrowed = api.get("/trends", params={"by": "year", "q": "无人机", "company": "sf"}).json()["rows"]
    assert 0 < sum(r["count"] for r in narrowed) < 4
    assert sum(r["count"] for r in api.get("/trends", params={"q": "！？"}).json()["rows"]) == 0


def test_term_trends_from_python_match_the_api(examples_db):
    with open_corpus(examples_db) as corpus:
        frame = notebook(corpus).term_trends("无人机", by="quarter", since="2025", until="2025")
    assert list(frame["period"]) == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert list(frame["count"]) == [0, 1, 0, 1]


def test_search_pages_through_one_ranking_and_counts_every_match(api):
    whole = api.get("/search", params={"q": "快递", "limit": 200}).json()
    assert whole["total"] == len(whole["items"]) > 10
    first = api.get("/search", params={"q": "快递", "limit": 5}).json()
    second = api.get("/search", params={"q": "快递", "limit": 5, "offset": 5}).json()
    assert [h["article_id"] for h in first["items"] + second["items"]] == [h["article_id"] for h in whole["items"][:10]]
    assert second["total"] == whole["total"] and second["offset"] == 5
    assert api.get("/search", params={"q": "快递", "topic": "anti_fraud"}).json()["total"] < whole["total"]
    assert api.get("/search", params={"q": "快递", "offset": 10**6}).status_code == 422


def test_submissions_are_the_tables_numbers_per_company(api):
    rows = api.get("/submissions", params={"by": "year"}).json()["rows"]
    first = [r for r in rows if r["period"] == "2019"]
    assert first[0] == {"period": "2019", "company": "china_post", "name": "中国邮政集团有限公司上海市分公司",
                        "submitted": 16, "published": 6}
    csv = api.get("/submissions", params={"by": "year", "format": "csv"}).text.splitlines()
    assert csv[0] == "period,company,name,submitted,published" and len(csv) == len(rows) + 1


def test_an_issue_has_its_tables_distribution_and_source_file(api):
    issue = api.get("/issues/2019-03").json()
    assert issue["report_to"][0] == "国家邮政局精神文明建设指导委员会办公室" and "局领导" in issue["copy_to"]
    table = issue["tables"][0]
    assert table["title"] == "来稿及刊用情况" and {"来稿数", "刊用数"} <= set(table["header"])
    assert table["rows"][0] == [1, "中国邮政集团有限公司上海市分公司", 16, 6]
    source = api.get(f"/documents/{issue['sha256']}/file")
    assert source.status_code == 200 and source.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(source.content).hexdigest() == issue["sha256"]
    assert api.get(f"/documents/{'0' * 64}/file").status_code == 404


def test_a_source_file_that_changed_since_import_is_not_served(api, tmp_path):
    from corpus.store import Corpus
    moved = tmp_path / "moved.pdf"
    moved.write_bytes(b"%PDF-1.4 something else")
    issue = api.get("/issues/2019-03").json()
    with Corpus.open(build_settings().db) as corpus:
        corpus.conn.execute("UPDATE documents SET path = ? WHERE sha256 = ?", (str(moved), issue["sha256"]))
        corpus.conn.commit()
    answer = api.get(f"/documents/{issue['sha256']}/file")
    assert answer.status_code == 404 and "changed" in answer.json()["detail"]


def test_plotly_is_served_from_the_installed_package_compressed_and_cached(api):
    from jianbao.api.dashboard import plotly_js
    js = api.get("/vendor/plotly.min.js", headers={"Accept-Encoding": "gzip"})
    assert js.status_code == 200 and js.headers["content-encoding"] == "gzip"
    assert js.content == plotly_js().read_bytes() and js.content.startswith(b"/**\n* plotly.js v")
    assert "max-age" in js.headers["cache-control"]
    page = api.get("/").text
    assert '<script src="/vendor/plotly.min.js"' in page and "cdn" not in page.lower()


def test_companies_named_count_at_least_the_articles_that_concern_them(api):
    concern = api.get("/trends", params={"by": "year", "companies": True}).json()
    named = api.get("/trends", params={"by": "year", "mentions": True}).json()
    assert named["kind"] == concern["kind"] == "company"
    totals = lambda rows: {lab: sum(r["count"] for r in rows if r["label"] == lab) for lab in {r["label"] for r in rows}}  # noqa: E731
    named_totals, concern_totals = totals(named["rows"]), totals(concern["rows"])
    assert all(named_totals.get(lab, 0) >= n for lab, n in concern_totals.items())
    assert sum(named_totals.values()) > sum(concern_totals.values())


def test_a_term_series_counts_a_whole_until_year(examples_db):
    # before: --until 2026 was compared as the string '2026', so the period totals lost every
    # article of 2026 while the matches kept them (share 0 beside a match)
    with open_corpus(examples_db) as corpus:
        frame = notebook(corpus).term_trends("无人机", by="quarter", since="2025", until="2026")
    assert (frame["count"] <= frame["articles"]).all()
    assert frame.set_index("period").loc["2026-Q1", "articles"] > 0
