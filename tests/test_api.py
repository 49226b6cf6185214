"""The HTTP API against a real corpus: status codes, auth, limits, uploads end to end, labels,
trends and search (the library behind it is tested in the packages)."""

from __future__ import annotations

import hashlib
import shutil
import warnings
from pathlib import Path

import pytest

from pipeline.resources import open_corpus
from pipeline.importer import import_paths
from fixtures.source import load_source
from jianbao.api import ApiConfig, create_app, display_name
from pipeline.settings import build_settings
from tests.conftest import ROOT

with warnings.catch_warnings():          # starlette nudges towards httpx2; httpx is what we have
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SAMPLE = ROOT / "examples" / "2025-06.pdf"
TOKEN = "test-token-5f1c"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LOCAL = ("127.0.0.1", 50000)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory, models_dir) -> Path:
    """A corpus holding examples/2025-06.pdf (10 articles), built once and copied per test."""
    path = tmp_path_factory.mktemp("api") / "sample.db"
    with open_corpus(path) as corpus:
        report = import_paths(corpus, [SAMPLE], models_dir)
    assert report.counts["imported"] == 1
    return path


@pytest.fixture
def make_client(env):
    """make_client(db=None, client=LOCAL, **config) -> a TestClient over a fresh app."""
    clients = []

    def make(db: Path | None = None, client=LOCAL, raise_errors: bool = True, **config):
        settings = build_settings()
        if db is not None:
            shutil.copy(db, settings.db)
        config = {"token": TOKEN, "upload_workers": 0, **config}
        test_client = TestClient(create_app(settings, ApiConfig(**config)), base_url="http://127.0.0.1",
                                 client=client, raise_server_exceptions=raise_errors)
        clients.append(test_client.__enter__())
        return test_client
    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def api(make_client, sample_db):
    return make_client(sample_db)


# ---------------------------------------------------------------------------- reads


def test_issues_articles_and_schema(api):
    issues = api.get("/issues").json()
    assert [i["issue_id"] for i in issues] == ["2025-06"] and issues[0]["n_articles"] == 10
    by_total = api.get("/issues/529").json()
    assert by_total["issue_id"] == "2025-06" and len(by_total["articles"]) == 10
    assert api.get("/issues/2025-06").json()["total_no"] == 529
    assert api.get("/issues/1999-01").status_code == 404

    page = api.get("/articles", params={"limit": 3, "offset": 3}).json()
    assert page["total"] == 10 and [a["seq"] for a in page["items"]] == [4, 5, 6]
    assert api.get("/articles", params={"limit": 1000}).status_code == 422
    found = api.get("/articles", params={"q": "反诈"}).json()
    assert found["total"] >= 1 and all("诈" in a["title"] + a["text"] for a in found["items"])
    assert api.get("/articles", params={"q": "！？"}).json()["total"] == 0
    article = api.get("/articles/2025-06-03").json()
    assert article["title"].startswith("极兔速递") and article["topics"]
    assert api.get("/articles/2025-06-99").status_code == 404
    assert api.get("/articles", params={"since": "last-year"}).json()["detail"].startswith("dates are")

    schema = api.get("/openapi.json").json()
    assert {"/documents", "/documents/{sha256}", "/issues", "/issues/{key}", "/articles",
            "/articles/{article_id}", "/trends", "/search", "/articles/{article_id}/labels", "/models",
            "/models/{version}/promote"} <= set(schema["paths"])
    assert api.get("/stats").json()["articles"] == 10
    assert {t["key"] for t in api.get("/taxonomy").json()["topics"]} >= {"anti_fraud"}
    page = api.get("/")
    assert page.status_code == 200 and "dashboard.js" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_every_parameter_is_data_not_sql(api):
    # a name that is no label is refused before any query (422), never run as SQL
    assert api.get("/articles", params={"topic": "x' OR '1'='1"}).status_code == 422
    assert api.get("/articles", params={"company": "sf\"; DROP TABLE articles; --"}).status_code == 422
    assert api.get("/articles", params={"q": "x' OR '1'='1"}).json()["total"] == 0
    assert api.get("/articles/2025-06-01' OR '1'='1").status_code == 404
    assert api.get("/search", params={"q": '" OR * NEAR('}).status_code == 200
    assert api.get("/issues/1 OR 1=1").status_code == 404
    assert api.get("/stats").json()["articles"] == 10


def test_trends_json_and_csv(api):
    data = api.get("/trends", params={"by": "month"}).json()
    assert data["by"] == "month" and data["kind"] == "topic"
    rows = data["rows"]
    assert {r["period"] for r in rows} == {"2025-06"} and all(r["articles"] == 10 for r in rows)
    assert sum(r["count"] for r in rows) >= 10
    csv = api.get("/trends", params={"by": "year", "companies": True, "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0] == "period,label,count,articles,share" and all(l.startswith("2025,") for l in lines[1:])
    one = api.get("/trends", params={"topic": "anti_fraud"}).json()["rows"]
    assert {r["label"] for r in one} == {"anti_fraud"}
    cross = api.get("/trends", params={"by": "company"}).json()
    assert cross["kind"] == "crosstab" and all("topic" in r for r in cross["rows"])
    assert api.get("/trends", params={"by": "week"}).status_code == 422
    assert api.get("/trends", params={"since": "soon"}).status_code == 422


def test_search(api):
    hits = api.get("/search", params={"q": "无人机"}).json()["items"]
    assert hits and hits[0]["article_id"] == "2025-06-02" and "【无人机】" in hits[0]["snippet"]
    csv = api.get("/search", params={"q": "无人机", "format": "csv", "limit": 1})
    assert csv.text.splitlines()[0] == "article_id,date,title,score,snippet" and len(csv.text.splitlines()) == 2
    assert api.get("/search").status_code == 422
    assert api.get("/search", params={"q": "无人机", "until": "2024"}).json()["items"] == []


def test_huge_integers_are_refused_not_500(api):
    assert api.get("/articles", params={"offset": 2**63}).status_code == 422
    assert api.get("/issues", params={"offset": 2**63}).status_code == 422
    assert api.get("/issues/99999999999999999999").status_code == 404


def test_a_wrong_label_name_is_422_with_a_suggestion_not_an_empty_answer(api):
    wrong = api.get("/articles", params={"topic": "antifraud"})
    assert wrong.status_code == 422 and "anti_fraud" in wrong.json()["detail"]
    assert api.get("/trends", params={"company": "shunfeng"}).status_code == 422
    assert api.get("/articles", params={"company": "顺丰"}).json()["items"] == \
        api.get("/articles", params={"company": "sf"}).json()["items"]


# ---------------------------------------------------------------------------- access


def test_writes_need_the_token(make_client, sample_db):
    body = {"topics": ["+anti_fraud"]}
    closed = make_client(sample_db, token=None)
    refused = closed.post("/articles/2025-06-01/labels", json=body, headers=AUTH)
    assert refused.status_code == 403 and "JIANBAO_TOKEN" in refused.json()["detail"]
    api = make_client(sample_db)
    missing = api.post("/articles/2025-06-01/labels", json=body)
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    for header in (f"Bearer {TOKEN}x", f"Basic {TOKEN}", "Bearer", TOKEN):
        assert api.post("/articles/2025-06-01/labels", json=body,
                        headers={"Authorization": header}).status_code == 401, header
    assert api.post("/models/whatever/promote").status_code == 401
    assert api.post("/documents", files={"file": ("a.pdf", b"%PDF-1.4")}).status_code == 401
    assert api.post("/articles/2025-06-01/labels", json=body, headers=AUTH).status_code == 200


def test_reads_are_for_loopback_unless_configured(make_client, sample_db):
    remote = make_client(sample_db, client=("203.0.113.7", 4000))
    refused = remote.get("/stats")
    assert refused.status_code == 403 and "JIANBAO_PUBLIC_READS" in refused.json()["detail"]
    assert remote.get("/").status_code == 403
    assert remote.get("/stats", headers=AUTH).status_code == 200
    api = make_client(sample_db)
    assert api.get("/stats", headers={"Host": "attacker.example"}).status_code == 403   # DNS rebinding
    assert api.get("/stats", headers={"Host": "localhost:8000"}).status_code == 200
    public = make_client(sample_db, client=("203.0.113.7", 4000), public_reads=True)
    assert public.get("/stats").status_code == 200
    assert public.post("/articles/2025-06-01/labels", json={"topics": ["x"]}).status_code == 401


def test_errors_never_echo_internals(make_client, sample_db, monkeypatch):
    from corpus import queries

    def broken(conn):
        raise RuntimeError("secret detail at /srv/jianbao/internal.py")
    monkeypatch.setattr(queries, "stats", broken)
    api = make_client(sample_db, raise_errors=False)
    response = api.get("/stats")
    assert response.status_code == 500
    error_id = response.json()["error_id"]
    assert response.json() == {"detail": f"internal error (logged on the server as {error_id})",
                               "error_id": error_id}
    assert "secret" not in response.text and "Traceback" not in response.text


# ---------------------------------------------------------------------------- labels and models


def test_label_then_get_shows_the_human_label(api):
    before = api.get("/articles/2025-06-01").json()
    model_topic = before["topics"][0]["label"]
    assert "anti_fraud" not in {t["label"] for t in before["topics"]}
    done = api.post("/articles/2025-06-01/labels", headers=AUTH,
                    json={"topics": ["+anti_fraud", f"-{model_topic}"], "companies": ["sf"], "by": "tester"})
    assert done.status_code == 200, done.text
    assert done.json()["changed"] == 3 and done.json()["unchanged"] == 0
    after = api.get("/articles/2025-06-01").json()
    topics = {t["label"]: t["source"] for t in after["topics"]}
    assert topics.get("anti_fraud") == "human" and model_topic not in topics
    assert {"label": "sf", "score": None, "source": "human"} in after["companies"]
    history = api.get("/articles/2025-06-01/history").json()
    assert [(h["label"], h["new_value"], h["who"]) for h in history] == \
        [("anti_fraud", 1, "tester"), (model_topic, 0, "tester"), ("sf", 1, "tester")]
    again = api.post("/articles/2025-06-01/labels", headers=AUTH, json={"topics": ["anti_fraud"]}).json()
    assert again["changed"] == 0 and again["unchanged"] == 1
    assert api.get("/articles", params={"topic": "anti_fraud"}).json()["total"] >= 2
    trends = api.get("/trends", params={"topic": "anti_fraud"}).json()["rows"]
    assert trends[0]["count"] >= 2

    unknown = api.post("/articles/2025-06-01/labels", headers=AUTH, json={"topics": ["+anti_frau"]})
    assert unknown.status_code == 422 and "did you mean 'anti_fraud'" in unknown.json()["detail"]
    assert api.post("/articles/2025-06-99/labels", headers=AUTH, json={"topics": ["+anti_fraud"]}).status_code == 404
    assert api.post("/articles/2025-06-01/labels", headers=AUTH, json={}).status_code == 422
    assert api.post("/articles/2025-06-01/labels", headers=AUTH, json={"topics": "anti_fraud"}).status_code == 422


def test_models_list_and_promote(api, models_dir):
    listed = api.get("/models").json()
    active = listed["active"]
    assert active and [m["version"] for m in listed["models"] if m["active"]] == [active]
    assert 0 < listed["models"][0]["test_macro_f1"] <= 1
    assert api.post(f"/models/{active}/promote", headers=AUTH).json() == {"active": active}
    missing = api.post("/models/19990101-000000-deadbeef/promote", headers=AUTH)
    assert missing.status_code == 404 and str(models_dir) not in missing.text and "<models>" in missing.text
    assert api.post("/models/..%2F..%2Fetc/promote", headers=AUTH).status_code in (404, 422)


# ---------------------------------------------------------------------------- uploads


def test_upload_end_to_end_in_a_worker_process(make_client):
    api = make_client(upload_workers=1)
    response = api.post("/documents", headers=AUTH,
                        files={"file": ("../../../2025-06.pdf", SAMPLE.read_bytes(), "application/pdf")})
    assert response.status_code == 201, response.text
    body = response.json()
    digest = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert body["status"] == "imported" and body["sha256"] == digest
    issue = body["issue"]
    assert (issue["issue_id"], issue["total_no"], issue["date"]) == ("2025-06", 529, "2025-06-20")
    assert issue["source_file"] == "2025-06.pdf"                  # a label, never a path
    source = load_source(ROOT / "examples" / "src" / "2025-06.txt")
    assert [(a["seq"], a["title"]) for a in body["articles"]] == \
        [(a.seq, a.title) for a in source.bulletin.articles]
    assert all(a["topics"] for a in body["articles"])
    document = api.get(f"/documents/{digest}").json()
    assert document["status"] == "imported" and document["issue"]["n_articles"] == 10
    assert api.get("/articles", params={"issue": "529"}).json()["total"] == 10
    again = api.post("/documents", headers=AUTH, files={"file": ("again.pdf", SAMPLE.read_bytes())})
    assert again.status_code == 200 and again.json()["status"] == "present"
    assert api.get("/documents/" + "0" * 64).status_code == 404
    assert api.get("/documents/not-a-hash").status_code == 422


def test_upload_size_limit(make_client):
    api = make_client(max_upload_bytes=1000)
    big = api.post("/documents", headers=AUTH, files={"file": ("big.pdf", b"%PDF-1.4\n" + b"0" * 200_000)})
    assert big.status_code == 413 and "MB limit" in big.json()["detail"]

    def chunks():                          # no Content-Length: the stream itself is counted
        yield b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.pdf\"\r\n\r\n"
        for _ in range(50):
            yield b"0" * 10_000
        yield b"\r\n--b--\r\n"
    streamed = api.post("/documents", headers={**AUTH, "Content-Type": "multipart/form-data; boundary=b"},
                        content=chunks())
    assert streamed.status_code == 413
    assert api.get("/stats").json()["documents"] == {}


def test_upload_page_limit(make_client):
    api = make_client(max_pages=2)
    response = api.post("/documents", headers=AUTH, files={"file": ("long.pdf", SAMPLE.read_bytes())})
    assert response.status_code == 413 and "more than the 2-page limit" in response.json()["detail"]


def test_bad_uploads_are_named_by_their_label_only(make_client, env):
    api = make_client()
    junk = api.post("/documents", headers=AUTH, files={"file": ("../../../../etc/passwd", b"root:x:0:0")})
    assert junk.status_code == 415
    assert junk.json()["detail"].startswith("passwd: unsupported file type")
    truncated = SAMPLE.read_bytes()[:2000]
    bad = api.post("/documents", headers=AUTH, files={"file": ("..\\..\\bad.pdf", truncated)})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("bad.pdf: not a readable PDF")
    assert "jianbao-upload" not in bad.text and "/tmp" not in bad.text
    failed = api.get("/documents/" + hashlib.sha256(truncated).hexdigest()).json()
    assert failed["status"] == "failed" and failed["source_file"] == "bad.pdf"
    assert api.post("/documents", headers=AUTH, files={"file": ("empty.pdf", b"")}).status_code == 422
    assert api.post("/documents", headers=AUTH, data={"file": "not a file"}).status_code == 422
    assert not list(env.parent.glob("**/passwd")) and not list(env.parent.glob("**/bad.pdf"))


def test_upload_without_a_model_is_refused(make_client, monkeypatch, tmp_path):
    monkeypatch.setenv("JIANBAO_MODELS", str(tmp_path / "no-models"))
    api = make_client()
    response = api.post("/documents", headers=AUTH, files={"file": ("x.pdf", SAMPLE.read_bytes())})
    assert response.status_code == 503 and "jianbao train" in response.json()["detail"]


@pytest.mark.parametrize("raw, shown", [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\me\\简报.pdf", "简报.pdf"), ("", "upload"),
    ("..", "upload"), (".hidden.pdf", "hidden.pdf"), ("a\x00b\nc.pdf", "abc.pdf"), (None, "upload"),
])
def test_display_name(raw, shown):
    assert display_name(raw) == shown


def test_serve_command_runs_uvicorn_on_loopback(env, monkeypatch):
    import uvicorn
    from fastapi import FastAPI
    from typer.testing import CliRunner

    from jianbao.cli import app
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **kw: calls.append((application, kw)))
    monkeypatch.delenv("JIANBAO_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    (application, kw), = calls
    assert isinstance(application, FastAPI) and (kw["host"], kw["port"]) == ("127.0.0.1", 8123)
    assert "JIANBAO_TOKEN is not set" in result.stderr
    assert CliRunner().invoke(app, ["serve", "--port", "0"]).exit_code == 2
