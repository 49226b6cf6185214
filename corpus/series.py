"""Search-term series: how many articles match a full-text query in each period, the same
shape as `analytics.trends` (period, label, count, articles, share), so a query such as
"无人机" is drawn beside the topics."""

from __future__ import annotations

from typing import Callable

from corpus.analytics import PERIODS, _date_clause, _period_sql, fts_query, period_range
from corpus.queries import article_filter, month_bounds
from errors import InvalidValue

COLUMNS = ["period", "label", "count", "articles", "share"]


def term_trends(conn, query: str, segment: Callable[[str], str], by: str = "month",
                topic: str | None = None, company: str | None = None,
                since: str | None = None, until: str | None = None):
    """Articles matching `query` (every word, as `search`) per period, with their share of the
    period's articles; `topic`/`company` narrow the matches, not the period totals."""
    import pandas as pd
    if by not in PERIODS:
        raise InvalidValue(f"--by must be one of {', '.join(PERIODS)}")
    start, end = month_bounds(since, until)       # --until 2026 ends 2026-12-31, not at '2026'
    where, params = _date_clause("a", start, end)
    totals = dict(conn.execute(f"SELECT {_period_sql(by, 'a')} p, COUNT(*) FROM articles a"
                               f" WHERE {where} GROUP BY p", params).fetchall())
    match = fts_query(segment(query))
    if not totals or not match:
        return pd.DataFrame(columns=COLUMNS)
    fwhere, fparams = article_filter(topic=topic, company=company, since=since, until=until, match=match)
    counts = dict(conn.execute(
        f"SELECT {_period_sql(by, 'a')} p, COUNT(*) FROM articles a JOIN issues i USING (issue_id)"
        f" WHERE a.date IS NOT NULL AND {fwhere} GROUP BY p", fparams).fetchall())
    first, last = conn.execute(f"SELECT MIN(a.date), MAX(a.date) FROM articles a WHERE {where}", params).fetchone()
    periods = sorted(totals) if by == "issue" else period_range(start or first, end or last, by)
    frame = pd.DataFrame([(p, query, counts.get(p, 0), totals.get(p, 0)) for p in periods], columns=COLUMNS[:4])
    frame["share"] = (frame["count"] / frame["articles"].where(frame["articles"] > 0)).fillna(0).round(4)
    return frame
