"""The dashboard as a person meets it: headless Chromium (fixtures/browser.py) opens each view of
a running `jianbao serve` and we read, from the page's own Performance API, the time from
navigation to the first chart drawn (the page marks `first-chart` when Plotly has drawn it) and
the bytes it transferred, cold (empty cache) and warm (Plotly.js cached for a day).

The raw references in the same run: the raw library, a blank page that loads the same
plotly.min.js from the server and draws one line (`first_chart_over_raw_plotly`, cold and warm,
each cold run in a fresh browser profile), and the API call behind the first chart
(`GET /trends?by=year` over http.client). Goal (issue 20): first chart <= 1 s on loopback over
20,000 articles.
"""

from __future__ import annotations

import http.client
import tempfile
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

VIEWS = {"trends": "", "trends_search_term": "?q=无人机", "heatmap": "?view=heatmap",
         "search": "?view=search&q=无人机", "issues": "?view=issues", "submissions": "?view=submissions"}
FIRST_CHART = "performance.getEntriesByName('first-chart').length && performance.getEntriesByName('first-chart')[0].startTime"
WEIGHT = ("(() => { const n = performance.getEntriesByType('navigation')[0];"
          " const r = performance.getEntriesByType('resource');"
          " return {transferred: n.transferSize + r.reduce((s, e) => s + e.transferSize, 0),"
          " decoded: n.decodedBodySize + r.reduce((s, e) => s + e.decodedBodySize, 0), requests: r.length + 1}; })()")


def api_ms(port: int, path: str, repeat: int = 5) -> float:
    """Best time of the raw API request over a fresh loopback connection."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        conn.request("GET", path)
        conn.getresponse().read()
        conn.close()
        best = min(best, time.perf_counter() - started)
    return round(1000 * best, 1)


RAW_PAGE = ("<!doctype html><div id=c></div><script src='{base}vendor/plotly.min.js'></script><script>"
            "Plotly.newPlot('c', [{{y: [1, 3, 2]}}]).then(() => performance.mark('first-chart'))</script>")


@contextmanager
def raw_page(base: str):
    """A loopback server of one blank page that draws one Plotly line (its URL): the raw library."""
    body = RAW_PAGE.format(base=base).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def first_chart(page, url: str) -> dict:
    page.goto(url)
    ms = page.wait(FIRST_CHART, timeout=120)
    return {"first_chart_ms": round(ms, 1), **page.eval(WEIGHT)}


def view_ms(page, base: str, query: str) -> float:
    """Navigation start to the view drawn (body[data-ready] set), warm cache."""
    page.goto(base + query)
    page.wait("document.body.dataset.ready", timeout=120)
    return float(page.eval("document.body.dataset.drawnMs"))


def bench_dashboard(port: int) -> dict:
    from fixtures.browser import find_chromium
    if find_chromium() is None:
        return {"skipped": "no chromium on PATH"}
    base = f"http://127.0.0.1:{port}/"
    api_ms(port, "/search?q=%E5%BF%AB%E9%80%92", repeat=1)     # the server's first search loads jieba (s)
    api = api_ms(port, "/trends?by=year")
    out = {}
    with raw_page(base) as raw:
        for name, url in (("raw_plotly", raw), ("dashboard", base)):
            measure(name, url, base, out)
    ratio = lambda k: round(out["dashboard"][k]["first_chart_ms"] / out["raw_plotly"][k]["first_chart_ms"], 2)  # noqa: E731
    return {"api_trends_ms": api, **out, "first_chart_over_raw_plotly": {"cold": ratio("cold"), "warm": ratio("warm")},
            "goal_first_chart_ms": 1000}


def measure(name: str, url: str, base: str, out: dict) -> None:
    """Cold (a fresh browser profile) and best-of-3 warm first chart of one page, into `out`."""
    from fixtures.browser import Browser
    with tempfile.TemporaryDirectory(prefix="jianbao-bench-dashboard-") as tmp, Browser(Path(tmp)) as browser:
        page = browser.page()
        page.goto("about:blank")
        cold = first_chart(page, url)                 # a fresh profile: nothing cached
        warm = min((first_chart(page, url) for _ in range(3)), key=lambda r: r["first_chart_ms"])
        out[name] = {"cold": cold, "warm": warm}
        if name == "dashboard":
            out["view_drawn_ms"] = {view: view_ms(page, base, query) for view, query in VIEWS.items()}
            out["page_errors"] = page.errors()[:5]


def main(argv: list[str] | None = None) -> int:
    """python -m bench.dashboard [--articles 20000] [--db PATH]: only this part of `bench serve`."""
    import argparse
    import json

    from bench.serve import ROOT, build_corpus, free_port, start_server
    from models import train_models
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--db", help="reuse (or build and keep) the corpus at this path")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jianbao-bench-dashboard-") as tmp:
        tmp = Path(tmp)
        path = Path(args.db) if args.db else tmp / "bench.db"
        corpus = build_corpus(path, args.articles) if not path.exists() else {"reused": str(path)}
        train_models(ROOT / "models" / "data", tmp / "models", seed=0)
        port = free_port()
        server = start_server(path, tmp / "models", tmp / "home", port)
        try:
            print(json.dumps({"dashboard": {"corpus": corpus, **bench_dashboard(port)}}, ensure_ascii=False))
        finally:
            server.terminate()
            server.wait(20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
