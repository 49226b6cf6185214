"""The dashboard in a real browser: headless Chromium (Debian's `chromium`, installed by .ci/run)
loads the page from a live server over a real corpus; the chart and the article list must be
rendered by the page's script, and a screenshot is taken."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
import time

import pytest

from pipeline.resources import open_corpus
from pipeline.importer import import_paths
from jianbao.api import ApiConfig, create_app
from pipeline.settings import build_settings
from tests.conftest import ROOT

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium binary on PATH: install Debian's `chromium` (.ci/run does: apt-get install -y chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(env, models_dir):
    """uvicorn on a free loopback port in a thread, over a corpus of the four sample PDFs."""
    import uvicorn
    settings = build_settings()
    with open_corpus(settings.db) as corpus:
        report = import_paths(corpus, sorted((ROOT / "examples").glob("*.pdf")), models_dir)
    assert report.counts["imported"] == 4
    port = _free_port()
    app = create_app(settings, ApiConfig(token=None, upload_workers=0))
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


def chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'chromium-profile'}",
         "--virtual-time-budget=5000", *args],
        capture_output=True, text=True, timeout=90, check=False)


def test_dashboard_renders_chart_and_articles(server, tmp_path):
    run = chromium(tmp_path, "--dump-dom", server)
    dom = run.stdout
    assert run.returncode == 0 and "<html" in dom, run.stderr[-2000:]
    assert 'id="error"' in dom and not re.search(r'<p id="error"[^>]*>[^<]+</p>', dom), "the page shows an error"

    chart = re.search(r'<svg[^>]*id="trend-chart".*?</svg>', dom, re.S)
    assert chart, "no chart SVG in the rendered page"
    series = re.findall(r'<polyline[^>]*class="series"[^>]*points="([^"]+)"', chart[0])
    assert series and all(len(points.split()) >= 2 for points in series)
    assert re.search(r'data-periods="(\d+)"', chart[0])[1] == "8"          # 2019 .. 2026 by year
    legend = re.findall(r'<li data-label="([a-z_]+)"', dom)
    assert legend and len(legend) == len(series)

    items = re.findall(r'<li data-article-id="([^"]+)"', dom)
    assert len(items) == 20 and items[0] == "2019-03-01"                  # the first page of 38
    assert re.search(r'<span id="total"[^>]*>\(38\)</span>', dom)
    assert "市邮政管理局召开2019年行业党建和精神文明建设工作会议" in dom   # the article view, filled on load
    assert "4 issues · 38 articles" in dom

    shot = tmp_path / "dashboard.png"
    run = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,900", server)
    assert run.returncode == 0, run.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
