"""The curator's loop in the store: the review queue, human labels, re-tagging with a given tagger."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from corpus.queries import article_filter, get_article
from corpus.store import ArticleTags, Corpus, now


@dataclass(frozen=True, slots=True)
class QueueItem:
    article_id: str
    margin: float            # distance of the closest score to its threshold (small = unsure)
    low_confidence: bool


def review_queue(conn, thresholds: dict[tuple[str, str], float], topic: str | None = None,
                 limit: int = 20, include_skipped: bool = False) -> list[QueueItem]:
    """Articles the model is least sure about (and low-confidence OCR first), not yet reviewed."""
    done = "('accepted', 'edited')" if include_skipped else "('accepted', 'edited', 'skipped')"
    rows = conn.execute(
        f"SELECT l.article_id, l.kind, l.label, l.score, a.low_confidence FROM labels l"
        f" JOIN articles a USING (article_id) WHERE l.source = 'model' AND l.score IS NOT NULL"
        f" AND l.article_id NOT IN (SELECT article_id FROM reviews WHERE action IN {done})"
        + (" AND l.kind = 'topic' AND l.label = ?" if topic else ""),
        (topic,) if topic else ()).fetchall()
    best: dict[str, QueueItem] = {}
    for r in rows:
        margin = abs(r["score"] - thresholds.get((r["kind"], r["label"]), 0.5))
        item = best.get(r["article_id"])
        if item is None or margin < item.margin:
            best[r["article_id"]] = QueueItem(r["article_id"], round(margin, 4), bool(r["low_confidence"]))
    return sorted(best.values(), key=lambda q: (not q.low_confidence, q.margin, q.article_id))[:limit]


def model_score(conn, article_id: str, kind: str, label: str) -> float | None:
    """The model's score of one label of an article (whether or not it passed its threshold)."""
    row = conn.execute("SELECT score FROM labels WHERE article_id = ? AND kind = ? AND label = ?"
                       " AND source = 'model'", (article_id, kind, label)).fetchone()
    return row[0] if row else None


def mark_reviewed(corpus: Corpus, article_id: str, action: str, who: str) -> None:
    with corpus.transaction() as conn:
        conn.execute("INSERT INTO reviews (article_id, action, who, at) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (article_id) DO UPDATE SET action = excluded.action, "
                     "who = excluded.who, at = excluded.at", (article_id, action, who, now()))


def human_labelled(conn) -> list[dict]:
    """Articles with any human label, with the tags in force (human over model) as lists."""
    ids = [r[0] for r in conn.execute(
        "SELECT DISTINCT article_id FROM labels WHERE source = 'human' ORDER BY article_id")]
    out = []
    for article_id in ids:
        record = get_article(conn, article_id)
        out.append({"id": f"corpus:{article_id}", "title": record["title"], "text": record["text"],
                    "topics": [t["label"] for t in record["topics"]],
                    "companies": [c["label"] for c in record["companies"]]})
    return out


@dataclass(slots=True)
class ReclassifyReport:
    articles: int = 0
    added: Counter = field(default_factory=Counter)      # (kind, label) -> model tags gained
    removed: Counter = field(default_factory=Counter)    # (kind, label) -> model tags lost
    model_version: str | None = None


def _selected(conn, article_id: str) -> set[tuple[str, str]]:
    return {(r["kind"], r["label"]) for r in conn.execute(
        "SELECT kind, label FROM labels WHERE article_id = ? AND source = 'model' AND value = 1",
        (article_id,))}


def reclassify(corpus: Corpus, tag: Callable[[list[tuple[str, str]]], list[ArticleTags]],
               since: str | None = None, until: str | None = None, batch: int = 64) -> ReclassifyReport:
    """Re-tag articles with a model; only model rows change, human labels are never touched."""
    where, params = article_filter(since=since, until=until)
    rows = corpus.conn.execute(
        f"SELECT a.article_id, a.title, a.subtitle, a.text FROM articles a JOIN issues i"
        f" USING (issue_id) WHERE {where} ORDER BY a.article_id", params).fetchall()
    report = ReclassifyReport(articles=len(rows))
    for start in range(0, len(rows), batch):
        chunk = rows[start:start + batch]
        tags = tag([(r["title"] + ("\n" + r["subtitle"] if r["subtitle"] else ""), r["text"])
                    for r in chunk])
        with corpus.transaction() as conn:
            for row, new in zip(chunk, tags):
                before = _selected(conn, row["article_id"])
                corpus.put_model_tags(conn, row["article_id"], new)
                after = _selected(conn, row["article_id"])
                report.added.update(after - before)
                report.removed.update(before - after)
                report.model_version = new.model_version
    return report


def unreviewed_labels(conn, article_id: str, keys: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """Taxonomy labels with no row at all for the article: 'not reviewed', never 'negative'."""
    have = {(r["kind"], r["label"]) for r in conn.execute(
        "SELECT kind, label FROM labels WHERE article_id = ?", (article_id,))}
    return [(kind, label) for kind, labels in keys.items() for label in labels
            if (kind, label) not in have]
