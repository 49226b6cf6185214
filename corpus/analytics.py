"""Trends, cross-tabs and full-text search: the analysts' questions, as pandas DataFrames."""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable

from corpus.queries import article_filter, month_bounds

PERIODS = ("month", "quarter", "year", "issue")


def _period_key(date: str, by: str) -> str:
    year, month = int(date[:4]), int(date[5:7])
    if by == "year":
        return f"{year}"
    if by == "quarter":
        return f"{year}-Q{(month - 1) // 3 + 1}"
    return f"{year}-{month:02d}"


def period_range(first: str, last: str, by: str) -> list[str]:
    """Every period from the first date to the last, so empty periods show as zero."""
    y, m = int(first[:4]), int(first[5:7])
    out: list[str] = []
    while (y, m) <= (int(last[:4]), int(last[5:7])):
        key = _period_key(f"{y:04d}-{m:02d}-01", by)
        if not out or out[-1] != key:
            out.append(key)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def trends(conn, by: str = "month", kind: str = "topic", label: str | None = None,
           since: str | None = None, until: str | None = None):
    """Articles per period for each label of `kind` (or one label): count and share of the
    period's articles. Periods with no articles are rows of zeros."""
    import pandas as pd
    if by not in PERIODS:
        raise ValueError(f"--by must be one of {', '.join(PERIODS)}")
    where, params = article_filter(since=since, until=until)
    rows = conn.execute(
        f"SELECT a.article_id, i.issue_id, i.date FROM articles a JOIN issues i USING (issue_id)"
        f" WHERE {where} AND i.date IS NOT NULL", params).fetchall()
    if not rows:
        return pd.DataFrame(columns=["period", "label", "count", "articles", "share"])
    arts = pd.DataFrame([tuple(r) for r in rows], columns=["article_id", "issue_id", "date"])
    arts["period"] = arts["issue_id"] if by == "issue" else [_period_key(d, by) for d in arts["date"]]
    tags = pd.DataFrame([tuple(r) for r in conn.execute(
        "SELECT article_id, label FROM tags_in_force WHERE kind = ? AND value = 1", (kind,))],
        columns=["article_id", "label"])
    if label:
        tags = tags[tags["label"] == label]
    start, end = month_bounds(since, until)
    periods = sorted(arts["period"].unique()) if by == "issue" else period_range(
        start or arts["date"].min(), end or arts["date"].max(), by)
    labels = [label] if label else sorted(set(tags["label"])) or []
    totals = arts.groupby("period").size().reindex(periods, fill_value=0)
    counts = (arts.merge(tags, on="article_id").groupby(["period", "label"]).size()
              .reindex(pd.MultiIndex.from_product([periods, labels], names=["period", "label"]),
                       fill_value=0).rename("count").reset_index())
    counts["articles"] = counts["period"].map(totals).astype(int)
    counts["share"] = (counts["count"] / counts["articles"].where(counts["articles"] > 0)).fillna(0).round(4)
    return counts


def crosstab(conn, topic: str | None = None, company: str | None = None,
             since: str | None = None, until: str | None = None):
    """Articles per topic × company (restricted to one topic or one company if given)."""
    import pandas as pd
    where, params = article_filter(since=since, until=until)
    rows = conn.execute(
        f"SELECT t.label topic, c.label company, COUNT(DISTINCT a.article_id) n"
        f" FROM articles a JOIN issues i USING (issue_id)"
        f" JOIN tags_in_force t ON t.article_id = a.article_id AND t.kind = 'topic' AND t.value = 1"
        f" JOIN tags_in_force c ON c.article_id = a.article_id AND c.kind = 'company' AND c.value = 1"
        f" WHERE {where} GROUP BY t.label, c.label", params).fetchall()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["topic", "company", "count"])
    if topic:
        frame = frame[frame["topic"] == topic]
    if company:
        frame = frame[frame["company"] == company]
    return frame.pivot_table(index="topic", columns="company", values="count", fill_value=0,
                             aggfunc="sum").astype(int) if len(frame) else pd.DataFrame()


def fts_query(segmented: str) -> str:
    """Every query word must appear (FTS5 AND); words are quoted so nothing is syntax."""
    words = [w.replace('"', '""') for w in segmented.split()]
    return " ".join(f'"{w}"' for w in dict.fromkeys(words))


def snippet(text: str, words: list[str], width: int = 60, mark: tuple[str, str] = ("【", "】")) -> str:
    """A window of the original text around the first hit, hits marked."""
    hits = [m for w in sorted(words, key=len, reverse=True) for m in re.finditer(re.escape(w), text)]
    first = min((m.start() for m in hits), default=0)
    lo = max(0, first - width // 3)
    window = text[lo:lo + width]
    pattern = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True) if w)
    marked = re.sub(pattern, lambda m: mark[0] + m[0] + mark[1], window) if pattern else window
    return ("…" if lo else "") + marked.replace("\n", " ") + ("…" if lo + width < len(text) else "")


def search(conn, query: str, segment: Callable[[str], str], topic: str | None = None,
           company: str | None = None, since: str | None = None, until: str | None = None,
           limit: int = 20):
    """Chinese full-text search: BM25 over jieba-segmented title and text (title weighs 5x)."""
    import pandas as pd
    segmented = segment(query)
    if not segmented.strip():
        return pd.DataFrame(columns=["article_id", "date", "title", "score", "snippet"])
    where, params = article_filter(topic=topic, company=company, since=since, until=until)
    rows = conn.execute(
        f"SELECT a.article_id, i.date, a.title, a.text, bm25(articles_fts, 0, 5.0, 1.0) rank"
        f" FROM articles_fts JOIN articles a ON a.article_id = articles_fts.article_id"
        f" JOIN issues i USING (issue_id) WHERE articles_fts MATCH ? AND {where}"
        f" ORDER BY rank LIMIT ?", [fts_query(segmented), *params, limit]).fetchall()
    words = [w for w in segmented.split() if len(w) > 1] or segmented.split()
    return pd.DataFrame([(r["article_id"], r["date"], r["title"], round(-r["rank"], 3),
                          snippet(r["text"], words)) for r in rows],
                        columns=["article_id", "date", "title", "score", "snippet"])
