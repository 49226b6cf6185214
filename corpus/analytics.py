"""Trends, cross-tabs and full-text search: the analysts' questions, as pandas DataFrames."""

from __future__ import annotations

import re
from typing import Callable

from errors import InvalidValue
from corpus.counts import (articles_per_issue, articles_per_month, mentions_per_issue, mentions_per_month,
                           pairs_in_window, tags_per_issue, tags_per_month)
from corpus.queries import month_bounds

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


def _period_sql(by: str, table: str) -> str:
    d = f"{table}.date"
    return {"month": f"substr({d}, 1, 7)", "year": f"substr({d}, 1, 4)",
            "quarter": f"substr({d}, 1, 4) || '-Q' || ((CAST(substr({d}, 6, 2) AS INTEGER) + 2) / 3)",
            "issue": f"{table}.issue_id"}[by]


def _date_clause(table: str, start: str | None, end: str | None) -> tuple[str, list]:
    """SQL for dated rows between two dates (inclusive; None: open)."""
    clauses, params = [f"{table}.date IS NOT NULL"], []
    if start:
        clauses.append(f"{table}.date >= ?")
        params.append(start)
    if end:
        clauses.append(f"{table}.date <= ?")
        params.append(end)
    return " AND ".join(clauses), params


def trends(conn, by: str = "month", kind: str = "topic", label: str | None = None,
           since: str | None = None, until: str | None = None, mentions: bool = False):
    """Articles per period for each label of `kind` (or one label): count and share of the
    period's articles. Periods with no articles are rows of zeros. `mentions` (companies): count
    the articles that name a firm in any role, not only those that concern it."""
    import pandas as pd
    if by not in PERIODS:
        raise InvalidValue(f"--by must be one of {', '.join(PERIODS)}")
    start, end = month_bounds(since, until)
    if by == "issue":
        totals, counts, span = _issue_counts(conn, kind, label, start, end, mentions)
    else:
        totals, counts, span = _table_counts(conn, by, kind, label, start, end, mentions)
    if not totals:
        return pd.DataFrame(columns=["period", "label", "count", "articles", "share"])
    periods = sorted(totals) if by == "issue" else period_range(start or span[0], end or span[1], by)
    labels = [label] if label else sorted({lab for _, lab in counts})
    frame = pd.DataFrame([(p, lab, counts.get((p, lab), 0), totals.get(p, 0))
                          for p in periods for lab in labels],
                         columns=["period", "label", "count", "articles"])
    frame["share"] = (frame["count"] / frame["articles"].where(frame["articles"] > 0)).fillna(0).round(4)
    return frame


def _table_counts(conn, by, kind, label, start, end, mentions=False) -> tuple[dict, dict, tuple]:
    """Articles per period, (period, label) counts and the first and last month with articles,
    from the monthly count tables (trends over 200,000 articles read ~5,000 counts, not every tag)."""
    months = articles_per_month(conn, start, end)
    totals: dict[str, int] = {}
    for month, n in months.items():
        key = _period_key(month, by)
        totals[key] = totals.get(key, 0) + n
    counts: dict[tuple[str, str], int] = {}
    per_month = (mentions_per_month(conn, label, start, end) if mentions
                 else tags_per_month(conn, kind, label, start, end))
    for (month, lab), n in per_month.items():
        key = (_period_key(month, by), lab)
        counts[key] = counts.get(key, 0) + n
    return totals, counts, (min(months, default=None), max(months, default=None))


def _issue_counts(conn, kind, label, start, end, mentions=False) -> tuple[dict, dict, tuple]:
    """The same per issue, from the issue count tables (schema v10; grouping 200,000 articles'
    tags by issue took 2.6 s); the span is not needed (the periods are the issues counted)."""
    totals = articles_per_issue(conn, start, end)
    counts = (mentions_per_issue(conn, label, start, end) if mentions
              else tags_per_issue(conn, kind, label, start, end))
    return totals, counts, (None, None)


def _scan_counts(conn, by, kind, label, start, end, mentions) -> tuple[dict, dict, tuple]:
    """The same, grouped from the articles and their tags or mentions (by issue)."""
    where, params = _date_clause("a", start, end)
    totals = dict(conn.execute(f"SELECT {_period_sql(by, 'a')} p, COUNT(*) FROM articles a"
                               f" WHERE {where} GROUP BY p", params).fetchall())
    one = " AND t.label = ?" if label else ""
    if mentions:     # articles that name the firm at all, whatever the role (company mentions)
        rows = conn.execute(
            f"SELECT {_period_sql(by, 'a')} p, t.label, COUNT(DISTINCT t.article_id) FROM entities t"
            f" JOIN articles a USING (article_id) WHERE t.kind = 'company'{one} AND {where}"
            f" GROUP BY p, t.label", [*([label] if label else []), *params]).fetchall()
    else:
        twhere, tparams = _date_clause("t", start, end)
        join = " JOIN articles a USING (article_id)" if by == "issue" else ""
        rows = conn.execute(
            f"SELECT {_period_sql(by, 'a' if join else 't')} p, t.label, COUNT(*) FROM tags t{join}"
            f" WHERE t.kind = ?{one} AND {twhere} GROUP BY p, t.label",
            [kind, *([label] if label else []), *tparams]).fetchall()
    span = conn.execute(f"SELECT MIN(a.date), MAX(a.date) FROM articles a WHERE {where}", params).fetchone()
    return totals, {(p, lab): n for p, lab, n in rows}, tuple(span)


def crosstab(conn, topic: str | None = None, company: str | None = None,
             since: str | None = None, until: str | None = None):
    """Articles per topic × company (restricted to one topic or one company if given), summed
    from the monthly pair counts (a self-join of 200,000 articles' tags took 400 ms)."""
    import pandas as pd
    rows = [(t, c, n) for (t, c), n in pairs_in_window(conn, *month_bounds(since, until)).items()
            if (not topic or t == topic) and (not company or c == company)]
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame(rows, columns=["topic", "company", "count"])
    return frame.pivot_table(index="topic", columns="company", values="count", fill_value=0,
                             aggfunc="sum").astype(int)


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


SEARCH_COLUMNS = ("article_id", "date", "title", "score", "snippet")


def _search_scope(topic, company, since, until) -> tuple[str, list]:
    """The filter of a search as the rowids of the articles in scope, read from covering indexes
    only (tags by label and date, articles by date): a filter that read each article's row took
    1.6 s against 78 ms for a topic since 2020 at 200,000 articles. `+rowid` keeps SQLite from
    handing the rowid list to FTS5, which would look each one up in the index (slower still)."""
    start, end = month_bounds(since, until)
    if not (topic or company or start or end):
        return "", []
    table = "t" if topic or company else "articles"
    clauses, params = [], []
    for kind, label in (("topic", topic), ("company", company)):
        if label and not clauses:
            clauses.append("t.kind = ? AND t.label = ?")
            params += [kind, label]
        elif label:
            clauses.append("t.article_id IN (SELECT article_id FROM tags WHERE kind = ? AND label = ?)")
            params += [kind, label]
    for op, value in ((">=", start), ("<=", end)):
        if value:
            clauses.append(f"{table}.date {op} ?")
            params.append(value)
    rowids = ("SELECT a.rowid FROM tags t CROSS JOIN articles a ON a.article_id = t.article_id"
              if table == "t" else "SELECT rowid FROM articles")
    return f" AND +rowid IN ({rowids} WHERE {' AND '.join(clauses)})", params


def search(conn, query: str, segment: Callable[[str], str], topic: str | None = None,
           company: str | None = None, since: str | None = None, until: str | None = None,
           limit: int = 20):
    """Chinese full-text search as a DataFrame (the rows of `search_rows`)."""
    import pandas as pd
    return pd.DataFrame(search_rows(conn, query, segment, topic, company, since, until, limit),
                        columns=list(SEARCH_COLUMNS))


def search_rows(conn, query: str, segment: Callable[[str], str], topic: str | None = None,
                company: str | None = None, since: str | None = None, until: str | None = None,
                limit: int = 20) -> list[tuple]:
    """Chinese full-text search: BM25 over jieba-segmented title and text (title weighs 5x);
    rows of SEARCH_COLUMNS, best first (no pandas: the CLI prints them as they are)."""
    segmented = segment(query)
    if not segmented.strip():
        return []
    scope, params = _search_scope(topic, company, since, until)
    # rank inside the FTS index by rowid (an article's rowid, schema v9; equal ranks in the order
    # stored) and join only the top hits: reading each match's stored article_id cost 516 ms
    # against 166 ms for 48,000 matches of 200,000 articles (python -m bench corpus)
    rows = conn.execute(
        f"SELECT a.article_id, a.date, a.title, a.text, h.rank FROM (SELECT rowid,"
        f" bm25(articles_fts, 0, 5.0, 1.0) rank FROM articles_fts WHERE articles_fts MATCH ?"
        f"{scope} ORDER BY rank, rowid LIMIT ?) h CROSS JOIN articles a ON a.rowid = h.rowid"
        f" ORDER BY h.rank, h.rowid", [fts_query(segmented), *params, limit]).fetchall()
    words = [w for w in segmented.split() if len(w) > 1] or segmented.split()
    return [(r["article_id"], r["date"], r["title"], round(-r["rank"], 3), snippet(r["text"], words))
            for r in rows]


SUBMITTED, PUBLISHED = "来稿数", "刊用数"


def submissions(conn, by: str = "quarter", since: str | None = None, until: str | None = None,
                resolve_company: Callable[[str], str | None] | None = None):
    """The 来稿及刊用情况 tables as data: articles submitted and published per company and period
    (the issue's date), company names resolved to taxonomy keys by `resolve_company`."""
    import json

    import pandas as pd

    if by not in ("quarter", "year", "month", "issue"):
        raise InvalidValue(f"--by must be one of month, quarter, year, issue, not {by!r}")
    where, params = _date_clause("i", *month_bounds(since, until))
    out = []
    for t in conn.execute(
            f"SELECT t.table_id, t.header, i.issue_id, i.date, {_period_sql(by, 'i')} period"
            f" FROM doc_tables t JOIN issues i USING (issue_id) WHERE {where}",
            params).fetchall():
        header = json.loads(t["header"])
        if SUBMITTED not in header or PUBLISHED not in header:
            continue
        name_col = next((i for i, h in enumerate(header) if "名称" in h or "单位" in h), 1)
        for (cells,) in conn.execute("SELECT cells FROM table_rows WHERE table_id = ? ORDER BY row_no",
                                     (t["table_id"],)):
            row = json.loads(cells)
            name = str(row[name_col])
            out.append((t["period"], resolve_company(name) if resolve_company else None, name,
                        _int(row[header.index(SUBMITTED)]), _int(row[header.index(PUBLISHED)])))
    frame = pd.DataFrame(out, columns=["period", "company", "name", "submitted", "published"])
    if frame.empty:
        return frame
    frame = (frame.groupby(["period", "company", "name"], dropna=False, as_index=False)
             [["submitted", "published"]].sum().sort_values(["period", "submitted"], ascending=[True, False]))
    return frame.astype({"company": object}).where(frame.notna(), None)


def _int(value) -> int:
    return value if isinstance(value, int) else int(value) if str(value).isdigit() else 0
