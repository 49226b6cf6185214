"""`jianbao browse`: the corpus in Datasette, read-only, articles searched by jieba words as
`jianbao search`, facets on the label columns; without the extra, a clear error."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from corpus.browse import build_datasette
from pipeline.resources import notebook, open_corpus
from tests.conftest import ROOT

pytest.importorskip("datasette", reason="the browse extra: pip install 'jianbao[browse]'")


def get(datasette, path: str) -> dict:
    async def go():
        await datasette.invoke_startup()
        return await datasette.client.get(path)
    answer = asyncio.run(go())
    assert answer.status_code == 200, answer.text[:500]
    return answer.json()


def test_articles_search_finds_what_jianbao_search_finds(examples_db):
    with open_corpus(examples_db) as corpus:
        segment = corpus.segment
        expected = set(notebook(corpus).search("无人机", limit=100)["article_id"])
    ds = build_datasette(examples_db, segment)
    rows = get(ds, "/examples/articles.json?_search=无人机&_shape=array&_col=title")
    assert {r["article_id"] for r in rows} == expected and len(expected) == 4
    assert get(ds, "/examples/articles.json?_search=顺丰 无人机&_shape=array") and \
        len(get(ds, "/examples/articles.json?_search=顺丰 无人机&_shape=array")) < 4     # every word must match
    assert get(ds, "/examples/articles.json?_search=！？&_shape=array") == []


def test_label_facets_and_hidden_index(examples_db):
    ds = build_datasette(examples_db, lambda text: text, immutable=True)
    tags = get(ds, "/examples/tags.json?_size=0")
    facets = tags["facet_results"]
    facets = facets.get("results", facets)            # the shape changed across Datasette releases
    assert {"kind", "label", "source"} <= set(facets)
    labels = {v["value"]: v["count"] for v in facets["label"]["results"]}
    assert labels["anti_fraud"] > 0 and labels["sf"] > 0
    tables = {t["name"]: t for t in get(ds, "/examples.json")["tables"]}
    assert tables["articles_fts"]["hidden"] and not tables["articles"]["hidden"]


def test_the_corpus_cannot_be_changed_through_datasette(examples_db):
    ds = build_datasette(examples_db, lambda text: text)

    async def go():
        await ds.invoke_startup()
        return await ds.client.get("/examples.json?sql=DELETE+FROM+articles")
    assert asyncio.run(go()).status_code == 400
    assert get(ds, "/examples.json?sql=select+count(*)+n+from+articles&_shape=array") == [{"n": 38}]


def test_browse_serves_the_corpus(examples_db, env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "jianbao", "--db", str(examples_db), "browse", "--no-open",
                             "--port", str(port)], cwd=ROOT, env=os.environ.copy(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read()
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/examples/articles?_search=无人机", timeout=120)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "browse did not start"
                time.sleep(0.2)
        assert page.status_code == 200 and 'name="_search" value="无人机"' in page.text
        assert "4 rows" in page.text and "顺丰在崇明横沙岛开展无人机末端投递试飞" in page.text
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_without_the_extra_browse_names_it_and_exits_2(examples_db):
    blocked = "import sys; sys.modules['datasette'] = None; from jianbao.cli import app; app()"
    run = subprocess.run([sys.executable, "-c", blocked, "--db", str(examples_db), "browse", "--no-open"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.strip() == ("Error: jianbao browse needs Datasette, which is not installed. "
                                  "pip install 'jianbao[browse]'")
