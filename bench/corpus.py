"""Benchmark the corpus at archive scale: a generated corpus through the real store API, then
the analysts' queries timed on it.

    python -m bench corpus [--articles 200000]
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from functools import lru_cache
from pathlib import Path

from pipeline.resources import open_corpus
from pipeline.resources import notebook
from corpus import ArticleTags, Corpus
from ingest.document import Article, Bulletin, IssueMeta, SourceInfo

TOPICS = ("anti_fraud", "low_altitude", "womens_federation", "heroic_deeds", "service_guarantee",
          "worker_care", "party_building", "safety_regulation", "culture_publicity", "green_packaging")
COMPANIES = ("china_post", "sf", "yto", "yunda", "zto", "sto", "jt", "jd", "deppon", "cainiao")


def _pool() -> list[tuple[str, str]]:
    from fixtures.make_archive import article_pool
    return [(a["title"], a["text"]) for a in article_pool()]


def _tags(rng: random.Random) -> ArticleTags:
    picked = set(rng.sample(TOPICS, rng.choice((1, 1, 2, 2, 3))))
    firms = set(rng.sample(COMPANIES, rng.choice((0, 1, 1, 2))))
    score = lambda hit: round(rng.uniform(0.6, 0.99) if hit else rng.uniform(0.0, 0.3), 4)  # noqa: E731
    return ArticleTags(tuple((t, score(t in picked), t in picked) for t in TOPICS),
                       tuple((c, score(c in firms), c in firms) for c in COMPANIES), (), "bench")


def build_corpus(path: Path, n_articles: int, years: int = 20, seed: int = 0) -> float:
    """Fill a corpus with n_articles over `years` years of issues; returns seconds taken."""
    from models.tokenize import segment_for_search
    rng = random.Random(seed)
    pool = _pool()
    segment = lru_cache(maxsize=None)(segment_for_search)      # the pool's texts repeat
    per_issue = max(1, n_articles // (years * 24))
    started = time.perf_counter()
    with Corpus.open(path, segment=segment) as corpus:
        made, no = 0, 0
        day = dt.date(2026 - years, 1, 5)
        while made < n_articles:
            no = no + 1 if day.year == (day - dt.timedelta(days=15)).year else 1
            k = min(per_issue, n_articles - made)
            arts = tuple(Article(i, *pool[rng.randrange(len(pool))][:1], None,
                                 tuple(pool[rng.randrange(len(pool))][1].split("\n")), (1,))
                         for i in range(1, k + 1))
            sha = f"{made:064x}"
            corpus.add_bulletin(Bulletin(IssueMeta("基准简报", day.year, no, made, day, None), arts,
                                         source=SourceInfo(f"{sha[-8:]}.pdf", sha, "pdf", 8)),
                                [_tags(rng) for _ in arts])
            made += k
            day += dt.timedelta(days=15)
    return time.perf_counter() - started


def _time(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 1)


def bench_corpus(n_articles: int = 200_000, folder: str | None = None) -> dict:
    folder = Path(folder or tempfile.mkdtemp(prefix="jianbao-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "bench.db"
    build_s = build_corpus(db, n_articles) if not db.exists() else 0.0
    with open_corpus(db) as corpus:
        n = corpus.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        out = {"articles": n, "build_seconds": round(build_s, 1),
               "trends_quarter_topic_ms": _time(lambda: notebook(corpus).trends(by="quarter", topic="anti_fraud")),
               "trends_month_all_topics_ms": _time(lambda: notebook(corpus).trends(by="month")),
               "crosstab_ms": _time(lambda: notebook(corpus).crosstab()),
               "search_ms": _time(lambda: notebook(corpus).search("无人机", limit=20)),
               "search_filtered_ms": _time(lambda: notebook(corpus).search("反诈", topic="anti_fraud", since="2020-01")),
               "goal_ms": {"trends": 200, "crosstab": 300, "search": 300}}
        start = time.perf_counter()
        notebook(corpus).export("articles", "parquet", folder / "articles.parquet")
        out["export_parquet_seconds"] = round(time.perf_counter() - start, 1)
    out["db_mb"] = round(db.stat().st_size / 2**20, 1)
    return out
