"""The HTTP service under load: `jianbao serve` on loopback, concurrent clients for a bounded time.

    python bench/serve.py [--articles 20000] [--seconds 10] [--clients 8] [--db PATH]

`bench_serve()` (the `serve` section of python -m bench):

1. builds a corpus of `n_articles` articles through the real store API (`Corpus.add_bulletin`,
   one transaction per issue of 10 articles, FTS rows segmented by jieba's search mode as in an
   import; article text is assembled from paragraphs of the training data, tags are the source
   example's labels with model-like scores), unless `--db` names one that exists already;
2. starts `jianbao serve` in its own process (one uvicorn worker) and waits for it;
3. opens the dashboard in headless Chromium (bench/dashboard.py): time to the first chart and
   page weight, cold and warm, and the time each view takes to draw;
4. drives `/trends` and then `/search` with `clients` keep-alive clients for `seconds` each,
   rotating realistic parameters: requests/s, p50/p99 latency, errors;
5. runs uploads (distinct issues rendered from examples/src), label corrections and reads all
   at once, then checks that nothing was lost: every upload imported with its 10 articles,
   every label in force and in the history, and no read failed.

The 200,000-article corpus of the issue is `--articles 200000` (building it takes minutes).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

from bench.dashboard import bench_dashboard

ROOT = Path(__file__).resolve().parent.parent

TOKEN = "bench-" + uuid.uuid4().hex
SERIES = "上海市邮政快递行业党建、文明创建工作简报"
ARTICLES_PER_ISSUE = 10
FIRST_YEAR, LAST_YEAR = 2005, 2025
TRENDS_PARAMS = [{"by": "month"}, {"by": "quarter", "companies": "true"}, {"by": "year", "topic": "anti_fraud"},
                 {"by": "month", "since": "2020-01", "until": "2022-12"}, {"by": "year", "company": "sf"}]
SEARCH_QUERIES = ["反诈", "无人机", "快递员", "绿色包装", "顺丰 安全", "党建 学习", "寄递 服务 保障", "见义勇为",
                  "妇联", "旺季", "实名收寄", "低空 物流"]


# ---------------------------------------------------------------------------- the corpus


def build_corpus(path: Path, n_articles: int, seed: int = 0) -> dict:
    """Issues of 10 articles over 2005-2025, written with Corpus.add_bulletin."""
    import datetime as dt

    from corpus import ArticleTags, Corpus
    from ingest.document import Article, Bulletin, IssueMeta, SourceInfo
    from models.tokenize import segment_for_search
    from models.train import load_examples

    rng = random.Random(seed)
    examples = load_examples()
    paragraphs = [p for e in examples for p in e.text.split("\n") if p.strip()]
    cached = lru_cache(maxsize=None)(segment_for_search)

    def segment(text: str) -> str:                 # jieba per paragraph, each segmented once
        return " ".join(cached(p) for p in text.split("\n"))

    n_issues = max(1, -(-n_articles // ARTICLES_PER_ISSUE))
    years = LAST_YEAR - FIRST_YEAR + 1
    per_year = -(-n_issues // years)
    started = time.perf_counter()
    with Corpus.open(path, segment=segment) as corpus:
        corpus.conn.execute("PRAGMA synchronous = NORMAL")     # a bulk load; WAL keeps it consistent
        written = 0
        for i in range(n_issues):
            year, issue_no = FIRST_YEAR + i // per_year, i % per_year + 1
            day = dt.date(year, 1, 1) + dt.timedelta(days=int(364 * (issue_no - 1) / per_year))
            articles, tags = [], []
            for seq in range(1, min(ARTICLES_PER_ISSUE, n_articles - written) + 1):
                source = rng.choice(examples)
                body = tuple(rng.sample(paragraphs, rng.randint(3, 6)))
                articles.append(Article(seq, source.title, None, body, (1 + seq // 3,)))
                topics = tuple((t, round(rng.uniform(0.55, 0.99), 4), True) for t in source.topics)
                companies = tuple((c, round(rng.uniform(0.6, 0.99), 4), True) for c in source.companies)
                tags.append(ArticleTags(topics, companies, (), "bench"))
            written += len(articles)
            bulletin = Bulletin(IssueMeta(SERIES, year, issue_no, 10_000 + i, day, "bench"), tuple(articles),
                                source=SourceInfo(f"bench/{i}.pdf", f"{i:064x}", "pdf", 4))
            result = corpus.add_bulletin(bulletin, tags)
            assert result.status == "imported", result
        corpus.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    seconds = time.perf_counter() - started
    return {"articles": written, "issues": n_issues, "build_seconds": round(seconds, 1),
            "build_articles_per_s": round(written / seconds, 1), "db_mb": round(path.stat().st_size / 2**20, 1)}


def render_uploads(folder: Path, n: int) -> list[Path]:
    """`n` distinct issues of 2031 rendered as text PDFs from examples/src/2025-06.txt."""
    from fixtures.source import parse_source
    from fixtures.render_bulletin import render_pdf

    text = (ROOT / "examples" / "src" / "2025-06.txt").read_text(encoding="utf-8")
    base = random.SystemRandom().randrange(100, 9000)      # new issues even in a reused corpus
    out = []
    for k in range(1, n + 1):
        changed = re.sub(r"@issue .*", f"@issue 2031年第{base + k}期（总第{base + 900 + k}期）", text)
        changed = re.sub(r"@date .*", f"@date 2031年{(k - 1) % 12 + 1}月20日", changed)
        path = folder / f"upload-{k}.pdf"
        render_pdf(parse_source(changed), path)
        out.append(path)
    return out


# ---------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, models: Path, home: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "JIANBAO_TOKEN": TOKEN, "JIANBAO_MODELS": str(models), "JIANBAO_HOME": str(home)}
    env.pop("JIANBAO_PUBLIC_READS", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", "from jianbao.cli import app; app()", "--db", str(db), "serve",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited: " + proc.stderr.read().decode(errors="replace")[-2000:])
        try:
            if request(port, "GET", "/stats")[0] == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start within 60 s")


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
            conn: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


def url(path: str, params: dict) -> str:
    return path + "?" + urllib.parse.urlencode(params)


# ---------------------------------------------------------------------------- load


def drive(port: int, paths: list[str], clients: int, seconds: float) -> dict:
    """`clients` keep-alive connections cycling through `paths` until the time is up."""
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        mine, i = [], k
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                status, _ = request(port, "GET", paths[i % len(paths)], conn=conn)
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            mine.append(time.perf_counter() - started)
            if status != 200:
                with lock:
                    errors[0] += 1
            i += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"requests": len(latencies), "errors": errors[0], "clients": clients, "seconds": round(wall, 1),
            "requests_per_s": round(len(latencies) / wall, 1), **percentiles(latencies)}


def percentiles(latencies: list[float]) -> dict:
    if not latencies:
        return {"p50_ms": None, "p99_ms": None}
    ordered = sorted(latencies)
    pick = lambda q: round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)  # noqa: E731
    return {"p50_ms": pick(0.50), "p99_ms": pick(0.99), "mean_ms": round(1000 * statistics.fmean(ordered), 1)}


def multipart(path: Path) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{path.name}\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode()
    return head + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def mixed(port: int, uploads: list[Path], label_ids: list[str], readers: int) -> dict:
    """Uploads, label corrections and reads at once; then check that every write is there."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    stop = threading.Event()
    reads = {"ok": 0, "failed": 0}
    lock = threading.Lock()
    before = json.loads(request(port, "GET", "/stats")[1])

    def reader(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        paths = [url("/articles", {"limit": 20, "offset": 100 * k}), url("/search", {"q": SEARCH_QUERIES[k % 12]}),
                 "/issues?limit=50", url("/trends", {"by": "year", "topic": "anti_fraud"}), "/stats"]
        i = 0
        while not stop.is_set():
            status, _ = request(port, "GET", paths[i % len(paths)], conn=conn)
            with lock:
                reads["ok" if status == 200 else "failed"] += 1
            i += 1
        conn.close()

    def upload(path: Path) -> tuple[int, dict]:
        body, ctype = multipart(path)
        status, data = request(port, "POST", "/documents", body, {**auth, "Content-Type": ctype})
        return status, json.loads(data)

    def label(article_id: str) -> tuple[int, dict]:
        body = json.dumps({"topics": ["+anti_fraud"], "companies": ["-sf"], "by": f"bench-{article_id}"}).encode()
        status, data = request(port, "POST", f"/articles/{article_id}/labels", body,
                               {**auth, "Content-Type": "application/json"})
        return status, json.loads(data)

    started = time.perf_counter()
    threads = [threading.Thread(target=reader, args=(k,)) for k in range(readers)]
    for t in threads:
        t.start()
    with ThreadPoolExecutor(8) as pool:
        up = list(pool.map(upload, uploads))
        lab = list(pool.map(label, label_ids))
    stop.set()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started

    after = json.loads(request(port, "GET", "/stats")[1])
    lost = []
    for path, (status, body) in zip(uploads, up):
        if status != 201 or body.get("status") != "imported" or len(body.get("articles", [])) != 10:
            lost.append(f"upload {path.name}: {status} {body.get('detail') or body.get('status')}")
            continue
        doc = json.loads(request(port, "GET", f"/documents/{body['sha256']}")[1])
        if doc.get("status") != "imported" or (doc.get("issue") or {}).get("n_articles") != 10:
            lost.append(f"upload {path.name}: stored as {doc}")
    for article_id, (status, body) in zip(label_ids, lab):
        record = json.loads(request(port, "GET", f"/articles/{article_id}")[1])
        history = json.loads(request(port, "GET", f"/articles/{article_id}/history")[1])
        human = {t["label"] for t in record.get("topics", []) if t["source"] == "human"}
        if status != 200 or "anti_fraud" not in human or not any(h["who"] == f"bench-{article_id}" for h in history):
            lost.append(f"label {article_id}: {status} {body}")
    expected_articles = before["articles"] + 10 * len(uploads)
    if after["articles"] != expected_articles or after["issues"] != before["issues"] + len(uploads):
        lost.append(f"corpus has {after['articles']} articles, expected {expected_articles}")
    return {"uploads": len(uploads), "uploads_imported": sum(s == 201 for s, _ in up),
            "label_posts": len(label_ids), "labels_ok": sum(s == 200 for s, _ in lab),
            "concurrent_reads": reads["ok"] + reads["failed"], "reads_failed": reads["failed"],
            "seconds": round(seconds, 1), "lost": lost}


# ---------------------------------------------------------------------------- the section


def bench_serve(n_articles: int = 20_000, seconds: float = 10.0, clients: int = 8, uploads: int = 6,
                labels: int = 40, db: str | Path | None = None, seed: int = 0) -> dict:
    from models import train_models

    with tempfile.TemporaryDirectory(prefix="jianbao-bench-serve-") as tmp:
        tmp = Path(tmp)
        path = Path(db) if db else tmp / "bench.db"
        corpus = build_corpus(path, n_articles, seed) if not path.exists() else {"reused": str(path)}
        train_models(ROOT / "models" / "data", tmp / "models", seed=seed)
        pdfs = render_uploads(tmp, uploads)
        port = free_port()
        server = start_server(path, tmp / "models", tmp / "home", port)
        try:
            stats = json.loads(request(port, "GET", "/stats")[1])
            for p in TRENDS_PARAMS:                       # warm: imports, jieba, the page cache
                request(port, "GET", url("/trends", p))
            request(port, "GET", url("/search", {"q": SEARCH_QUERIES[0]}))
            dashboard = bench_dashboard(port)             # on a quiet server, before the load
            trends = drive(port, [url("/trends", p) for p in TRENDS_PARAMS], clients, seconds)
            search = drive(port, [url("/search", {"q": q, "limit": 20}) for q in SEARCH_QUERIES], clients, seconds)
            articles = drive(port, [url("/articles", {"limit": 20, "offset": 1000 * k}) for k in range(10)],
                             clients, seconds / 2)
            offset = random.Random(seed).randrange(max(1, stats["articles"] - labels))
            listed = json.loads(request(port, "GET", url("/articles", {"limit": labels, "offset": offset}))[1])
            concurrent = mixed(port, pdfs, [a["article_id"] for a in listed["items"]], readers=4)
        finally:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
    return {"corpus": {**corpus, "articles_in_corpus": stats["articles"]}, "cpus": os.cpu_count(),
            "dashboard": dashboard, "trends": trends, "search": search, "articles": articles, "concurrent_writes": concurrent}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000, help="corpus size (the issue's figure: 200000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="load time per endpoint")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--uploads", type=int, default=6)
    parser.add_argument("--db", help="reuse (or build and keep) the corpus at this path")
    args = parser.parse_args(argv)
    result = bench_serve(args.articles, args.seconds, args.clients, args.uploads, db=args.db)
    print(json.dumps({"serve": result}, ensure_ascii=False))
    return 1 if result["concurrent_writes"]["lost"] or result["concurrent_writes"]["reads_failed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
