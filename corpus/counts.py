"""Counts per month (schema v9) and per issue (v10) read from the count tables that triggers
keep on every write.

A date window cuts whole months out of the count tables; a month cut in part (`--since
2025-06-15`) is counted from the articles themselves, so every answer equals a GROUP BY over
the articles and tags in that window.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MonthWindow:
    """A date window as whole months (first..last, None: open) plus days of cut months."""

    first: str | None                   # first whole month, YYYY-MM
    last: str | None                    # last whole month
    cut: tuple[tuple[str, str], ...]    # (from, to) dates inside months the window cuts
    empty: bool = False                 # no whole month (first > last)


def _month_end(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{month}-{calendar.monthrange(year, mon)[1]:02d}"


def _shift(month: str, step: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + step
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_window(start: str | None, end: str | None) -> MonthWindow:
    """Dates (YYYY-MM-DD, inclusive, None: open) -> the whole months and the cut days between."""
    first = None if start is None else start[:7] if start.endswith("-01") else _shift(start[:7], 1)
    last = None if end is None else end[:7] if end == _month_end(end[:7]) else _shift(end[:7], -1)
    cut: list[tuple[str, str]] = []
    if start is not None and not start.endswith("-01"):
        cut.append((start, min(_month_end(start[:7]), end or "9999")))
    if end is not None and end != _month_end(end[:7]) and (start is None or end[:7] != start[:7]):
        cut.append((max(f"{end[:7]}-01", start or ""), end))
    cut = [(lo, hi) for lo, hi in cut if lo <= hi]
    return MonthWindow(first, last, tuple(cut), bool(first and last and first > last))


def _whole(window: MonthWindow) -> tuple[str, list]:
    if window.empty:
        return "0", []
    clauses, params = ["1"], []
    if window.first:
        clauses.append("month >= ?")
        params.append(window.first)
    if window.last:
        clauses.append("month <= ?")
        params.append(window.last)
    return " AND ".join(clauses), params


def articles_per_month(conn, start: str | None, end: str | None) -> dict[str, int]:
    """Dated articles per month (YYYY-MM) in the window; months without any are absent."""
    window = month_window(start, end)
    where, params = _whole(window)
    out = dict(conn.execute(f"SELECT month, n FROM month_articles WHERE {where}", params).fetchall())
    for lo, hi in window.cut:
        for month, n in conn.execute("SELECT substr(date, 1, 7), COUNT(*) FROM articles"
                                     " WHERE date BETWEEN ? AND ? GROUP BY 1", (lo, hi)):
            out[month] = out.get(month, 0) + n
    return out


def tags_per_month(conn, kind: str, label: str | None, start: str | None,
                   end: str | None) -> dict[tuple[str, str], int]:
    """Articles tagged with each label of `kind` (or one label) per month: (month, label) -> n."""
    window = month_window(start, end)
    where, params = _whole(window)
    one = " AND label = ?" if label else ""
    picked = [kind, *([label] if label else [])]
    out = {(m, lab): n for lab, m, n in conn.execute(
        f"SELECT label, month, n FROM month_tags WHERE kind = ?{one} AND {where}", [*picked, *params])}
    for lo, hi in window.cut:
        for month, lab, n in conn.execute(
                f"SELECT substr(a.date, 1, 7), t.label, COUNT(*) FROM articles a CROSS JOIN tags t"
                f" ON t.article_id = a.article_id WHERE a.date BETWEEN ? AND ? AND t.kind = ?"
                f"{one.replace('label', 't.label')} GROUP BY 1, 2", (lo, hi, *picked)):
            out[(month, lab)] = out.get((month, lab), 0) + n
    return out


def pairs_in_window(conn, start: str | None, end: str | None) -> dict[tuple[str, str], int]:
    """Dated articles per topic x company in the window: (topic, company) -> n."""
    window = month_window(start, end)
    where, params = _whole(window)
    out = {(t, c): n for t, c, n in conn.execute(
        f"SELECT topic, company, SUM(n) FROM month_pairs WHERE {where} GROUP BY 1, 2", params)}
    for lo, hi in window.cut:
        for t, c, n in conn.execute(
                "SELECT t.label, c.label, COUNT(*) FROM articles a CROSS JOIN tags t"
                " ON t.article_id = a.article_id AND t.kind = 'topic' CROSS JOIN tags c"
                " ON c.article_id = a.article_id AND c.kind = 'company'"
                " WHERE a.date BETWEEN ? AND ? GROUP BY 1, 2", (lo, hi)):
            out[(t, c)] = out.get((t, c), 0) + n
    return out


def mentions_per_month(conn, label: str | None, start: str | None,
                       end: str | None) -> dict[tuple[str, str], int]:
    """Articles that name each company (or one) in any role per month: (month, label) -> n."""
    window = month_window(start, end)
    where, params = _whole(window)
    one, picked = (" AND label = ?", [label]) if label else ("", [])
    out = {(m, lab): n for lab, m, n in conn.execute(
        f"SELECT label, month, n FROM month_mentions WHERE 1{one} AND {where}", [*picked, *params])}
    for lo, hi in window.cut:
        for month, lab, n in conn.execute(
                f"SELECT substr(a.date, 1, 7), e.label, COUNT(DISTINCT e.article_id) FROM articles a"
                f" CROSS JOIN entities e ON e.article_id = a.article_id WHERE a.date BETWEEN ? AND ?"
                f" AND e.kind = 'company' AND e.label IS NOT NULL{one.replace('label', 'e.label')}"
                f" GROUP BY 1, 2", (lo, hi, *picked)):
            out[(month, lab)] = out.get((month, lab), 0) + n
    return out


def _dates(start: str | None, end: str | None) -> tuple[str, list]:
    """SQL for count rows dated between two dates (inclusive; None: open)."""
    clauses, params = ["1"], []
    if start:
        clauses.append("date >= ?")
        params.append(start)
    if end:
        clauses.append("date <= ?")
        params.append(end)
    return " AND ".join(clauses), params


def articles_per_issue(conn, start: str | None, end: str | None) -> dict[str, int]:
    """Dated articles per issue in the window; issues without any are absent."""
    where, params = _dates(start, end)
    return dict(conn.execute(f"SELECT issue_id, SUM(n) FROM issue_articles WHERE {where}"
                             " GROUP BY issue_id", params).fetchall())


def tags_per_issue(conn, kind: str, label: str | None, start: str | None,
                   end: str | None) -> dict[tuple[str, str], int]:
    """Articles tagged with each label of `kind` (or one label) per issue: (issue, label) -> n."""
    where, params = _dates(start, end)
    one, picked = (" AND label = ?", [kind, label]) if label else ("", [kind])
    return {(issue, lab): n for issue, lab, n in conn.execute(
        f"SELECT issue_id, label, SUM(n) FROM issue_tags WHERE kind = ?{one} AND {where}"
        " GROUP BY label, issue_id", [*picked, *params])}


def mentions_per_issue(conn, label: str | None, start: str | None,
                       end: str | None) -> dict[tuple[str, str], int]:
    """Articles that name each company (or one) in any role per issue: (issue, label) -> n."""
    where, params = _dates(start, end)
    one, picked = (" AND label = ?", [label]) if label else ("", [])
    return {(issue, lab): n for issue, lab, n in conn.execute(
        f"SELECT issue_id, label, SUM(n) FROM issue_mentions WHERE 1{one} AND {where}"
        " GROUP BY label, issue_id", [*picked, *params])}
