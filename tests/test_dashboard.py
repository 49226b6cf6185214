"""The dashboard in a real browser: Debian's headless Chromium (installed by .ci/run), driven over
the DevTools pipe (fixtures/browser.py), loads each view from a live server over a corpus of
the four sample bulletins and we assert what a person would see. One server, one corpus and one
browser serve the whole module. `pytest tests/test_dashboard.py --update-golden` also rewrites
the screenshots in docs/screenshots/ (review them)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import socket
import threading
import time

import pytest
from typer.testing import CliRunner

from fixtures.browser import Browser, find_chromium
from jianbao.api import ApiConfig, create_app
from jianbao.cli import app as cli
from pipeline.settings import build_settings
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(
    find_chromium() is None,
    reason="no chromium binary on PATH: install Debian's `chromium` (.ci/run does: apt-get install -y chromium)")

TOKEN = "dashboard-test-token"
SHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, examples_db, models_dir):
    folder = tmp_path_factory.mktemp("dashboard")
    shutil.copy(examples_db, folder / "corpus.db")
    return build_settings(environ={"JIANBAO_DB": str(folder / "corpus.db"), "JIANBAO_HOME": str(folder / "home"),
                                   "JIANBAO_MODELS": str(models_dir)})


@pytest.fixture(scope="module")
def server(corpus):
    """uvicorn on a free loopback port in a thread; the base URL."""
    import uvicorn
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(corpus, ApiConfig(token=TOKEN, upload_workers=0))
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    uv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with Browser(tmp_path_factory.mktemp("chromium")) as b:
        yield b


@pytest.fixture
def page(browser, server):
    """A fresh tab; `page.open(query)` loads the dashboard at that URL and waits until it is drawn."""
    tab = browser.page()

    def open_(query: str = ""):
        tab.goto(server + query)
        return drawn(tab)
    tab.open = open_
    yield tab
    assert tab.errors() == [], "the page logged errors"
    browser.send("Target.closeTarget", {"targetId": tab.send("Target.getTargetInfo")["targetInfo"]["targetId"]})


def drawn(tab, previous: str | None = None) -> str:
    """Wait until the view is drawn (body[data-ready] is the URL it drew); no error shown."""
    ready = tab.wait("document.body.dataset.ready" if previous is None else
                     f"document.body.dataset.ready !== {previous!r} && document.body.dataset.ready")
    assert tab.eval("document.getElementById('error').hidden"), tab.eval("document.getElementById('error').textContent")
    return ready


def texts(tab, selector: str) -> list[str]:
    return tab.eval(f"[...document.querySelectorAll({selector!r})].map(n => n.textContent.trim())")


def plotted(tab, chart: str) -> list[dict]:
    """The series Plotly drew in a chart: name, visibility, x, y."""
    return tab.eval(f"document.getElementById({chart!r}).data.map(t => ({{name: t.name, visible: t.visible, "
                    "x: [...t.x], y: [...t.y], stack: t.stackgroup || null}))")


def shot(tab, name: str, update_golden: bool, tmp_path) -> None:
    path = tab.screenshot((SHOTS if update_golden else tmp_path) / f"{name}.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


# ---------------------------------------------------------------------------- trends


def test_trends_draws_a_series_per_topic_with_chinese_names(page, update_golden, tmp_path):
    page.open()
    assert re.fullmatch(r"4 issues · 38 articles · \d+ pages · 2019-03-05 – 2026-01-23", texts(page, "#summary")[0])
    series = plotted(page, "trends-chart")
    assert len(series) >= 8 and all(s["x"] == [str(y) for y in range(2019, 2027)] for s in series)
    assert "反诈" in texts(page, "#trends-chart .legendtext")
    drawn_lines = page.eval("[...document.querySelectorAll('#trends-chart .scatterlayer path.js-line')]"
                            ".map(p => p.getAttribute('d'))")
    # each visible series is drawn; years without an issue (2020-2024) cut its line in two
    assert len(drawn_lines) == 2 * sum(s["visible"] is True for s in series)
    assert all(re.fullmatch(r"M[\d.,L]+", d) for d in drawn_lines)
    shot(page, "trends", update_golden, tmp_path)


def test_a_search_term_is_drawn_as_a_series(page, update_golden, tmp_path):
    page.open("?q=无人机")
    series = {s["name"]: s for s in plotted(page, "trends-chart")}
    term = series["“无人机”"]
    # 4 matching articles; 2020-2024 had no issue: gaps, not zeros
    assert term["visible"] is True and term["y"] == [1, None, None, None, None, None, 2, 1]
    assert all(s["visible"] == "legendonly" for name, s in series.items() if name != "“无人机”")
    assert "“无人机”" in texts(page, "#trends-chart .legendtext")
    # one series, its line cut in two by the years without an issue
    assert page.eval("document.querySelectorAll('#trends-chart .scatterlayer path.js-line').length") == 2
    page.open("?q=无人机、反诈&kind=none&by=quarter&measure=share&mode=area&since=2025&until=2026")
    series = plotted(page, "trends-chart")
    assert [s["name"] for s in series] == ["“无人机”", "“反诈”"] and all(s["stack"] == "one" for s in series)
    assert series[0]["x"][:2] == ["2025-Q1", "2025-Q2"] and max(y for y in series[0]["y"] if y is not None) < 1       # shares
    shot(page, "trends-search-terms", update_golden, tmp_path)


def test_the_csv_download_has_the_numbers_of_jianbao_trends_and_the_png_the_chart(page, corpus):
    page.open("?by=year")
    page.eval("document.getElementById('trends-csv').click()")
    rows = list(csv.DictReader(io.StringIO(page.downloaded("jianbao-trends-year.csv").read_text("utf-8-sig"))))
    printed = CliRunner().invoke(cli, ["--db", str(corpus.db), "trends", "--by", "year", "--format", "csv"])
    assert printed.exit_code == 0, printed.output
    expected = list(csv.DictReader(io.StringIO(printed.stdout)))
    assert len(rows) == len(expected) > 0
    for got, want in zip(rows, expected):
        assert (got["period"], got["label"], int(got["count"]), int(got["articles"])) == \
               (want["period"], want["label"], int(want["count"]), int(want["articles"]))
        assert float(got["share"]) == pytest.approx(float(want["share"]))
    page.eval("document.getElementById('trends-png').click()")
    png = page.downloaded("jianbao-trends-year.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000


# ---------------------------------------------------------------------------- the other views


def test_heat_map_cells_are_the_topic_company_crosstab(page, corpus, update_golden, tmp_path):
    page.open("?view=heatmap")
    heat = page.eval("(() => { const t = document.getElementById('heatmap-chart').data[0];"
                     " return {x: t.x, y: t.y, z: t.z}; })()")
    cell = heat["z"][heat["y"].index("安全生产·行业监管·社会监督")][heat["x"].index("顺丰")]
    printed = CliRunner().invoke(cli, ["--db", str(corpus.db), "trends", "--by", "company", "--format", "json"])
    table = {r["topic"]: r for r in __import__("json").loads(printed.stdout)}
    assert cell == table["safety_regulation"]["sf"] > 0
    cells = texts(page, "#heatmap-chart .hm text")        # the counts written in the cells
    assert len(cells) == len(heat["x"]) * len(heat["y"]) and str(cell) in cells
    shot(page, "heatmap", update_golden, tmp_path)


def test_search_ranks_highlights_filters_and_pages(page, update_golden, tmp_path):
    page.open("?view=search&q=无人机")
    assert texts(page, "#search-total") == ["(4)"]
    assert texts(page, "#results li > a")[0] == "韵达快递无人机航线助力崇明乡村寄递"
    assert set(texts(page, "#results mark")) == {"无人机"}
    shot(page, "search", update_golden, tmp_path)
    page.open("?view=search&q=快递")
    total = int(texts(page, "#search-total")[0].strip("()"))
    first = page.eval("[...document.querySelectorAll('#results li')].map(li => li.dataset.articleId)")
    assert total > 20 and len(first) == 20
    before = page.eval("document.body.dataset.ready")
    page.eval("document.getElementById('next').click()")
    drawn(page, before)
    assert "offset=20" in page.eval("location.search")
    second = page.eval("[...document.querySelectorAll('#results li')].map(li => li.dataset.articleId)")
    assert len(second) == total - 20 and not set(first) & set(second)
    page.open("?view=search&q=快递&topic=anti_fraud&since=2025")
    narrowed = int(texts(page, "#search-total")[0].strip("()"))
    assert 0 < narrowed < total and page.eval("document.querySelector('[name=topic]').value") == "anti_fraud"


def test_issue_browser_shows_masthead_articles_distribution_and_table(page, update_golden, tmp_path):
    page.open("?view=issues&issue=2019-03")
    assert texts(page, "#issue-list li a") == ["2019年第3期", "2025年第6期", "2025年第11期", "2026年第2期"]
    assert texts(page, ".masthead .series") == ["上海市邮政快递行业党建、文明创建工作简报"]
    assert texts(page, ".issue-articles li a")[0] == "市邮政管理局召开2019年行业党建和精神文明建设工作会议"
    assert len(texts(page, ".issue-articles li")) == 10
    assert texts(page, "#report-to")[0].startswith("国家邮政局精神文明建设指导委员会办公室")
    assert "上海市快递行业协会" in texts(page, "#copy-to")[0]
    assert texts(page, ".doc-table tbody tr")[0] == "1中国邮政集团有限公司上海市分公司166"
    source = page.eval("fetch(document.querySelector('a.source').href).then(r => r.headers.get('content-type'))")
    assert source == "application/pdf"
    shot(page, "issues", update_golden, tmp_path)


def test_article_view_shows_tags_mentions_and_label_history(page, server, update_golden, tmp_path):
    import httpx
    answer = httpx.post(server + "articles/2025-06-03/labels", headers={"Authorization": f"Bearer {TOKEN}"},
                        json={"topics": ["+party_building"], "by": "ann"})
    assert answer.status_code == 200
    page.open("?view=article&article=2025-06-03")
    assert texts(page, "#article-view h2") == ["极兔速递开展“反诈护航618”主题宣传"]
    assert any(t.startswith("反诈") for t in texts(page, ".tags[data-kind=topic] .tag"))
    assert "党建引领" in texts(page, ".tags[data-kind=topic] .tag.human")[0]
    assert texts(page, "#article-view table")[0].startswith("company")                 # mentions
    history = texts(page, "#article-view table:last-of-type tbody tr")
    assert any("ann" in row and "党建引领" in row for row in history)
    shot(page, "article", update_golden, tmp_path)


def test_submissions_per_company_over_time(page, update_golden, tmp_path):
    page.open("?view=submissions&by=year")
    series = {s["name"]: s for s in plotted(page, "submissions-chart")}
    assert series["中国邮政"]["x"] == ["2019", "2025", "2026"] and series["中国邮政"]["y"][0] == 16
    assert "中国邮政集团有限公司上海市分公司" in texts(page, "#submissions-table tbody tr")[0]
    shot(page, "submissions", update_golden, tmp_path)


# ---------------------------------------------------------------------------- the URL


def test_a_shared_url_restores_the_view_and_back_forward_work(page):
    url = "?view=trends&kind=company&by=quarter&measure=share&mode=area&since=2025&until=2025-12"
    page.open(url)
    form = page.eval("Object.fromEntries(['kind','by','measure','mode','since','until']"
                     ".map(n => [n, document.querySelector(`[name=${n}]`).value]))")
    assert form == {"kind": "company", "by": "quarter", "measure": "share", "mode": "area", "since": "2025",
                    "until": "2025-12"}
    series = plotted(page, "trends-chart")
    assert "顺丰" in [s["name"] for s in series] and all(s["stack"] == "one" for s in series)
    assert all(s["x"] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"] for s in series)

    steps = [page.eval("location.search")]
    for action in ("document.querySelector('#tabs a[data-view=heatmap]').click()",
                   "document.querySelector('#tabs a[data-view=issues]').click()"):
        before = page.eval("document.body.dataset.ready")
        page.eval(action)
        drawn(page, before)
        steps.append(page.eval("location.search"))
    assert [re.search(r"view=(\w+)", s)[1] for s in steps] == ["trends", "heatmap", "issues"]
    assert "since=2025" in steps[1]                                      # a tab keeps the filters
    for move, expected in (("history.back()", steps[1]), ("history.back()", steps[0]), ("history.forward()", steps[1])):
        before = page.eval("document.body.dataset.ready")
        page.eval(move)
        drawn(page, before)
        assert page.eval("location.search") == expected
        assert page.eval("document.body.dataset.view") == re.search(r"view=(\w+)", expected)[1]
    assert not page.eval("document.getElementById('heatmap').hidden")
