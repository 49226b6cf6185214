"""Counts per month (schema v9) and per issue (v10) read from the count tables that triggers
keep on every write.

A date window cuts whole months out of the count tables; a month cut in part (`--since
2025-06-15`) is counted from the articles themselves, so every answer equals a GROUP BY over
the articles and tags in that window.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass


# Schema v10 (corpus.schema): articles, tags and company mentions counted per issue and date, kept
# exact by triggers on every write like the monthly counts of v9 (trends --by issue grouped every
# article and tag: 2.6 s at 200,000 articles). An article's tags, like its mentions, are deleted
# before it, while its issue can still be read.
ISSUE_COUNTS_SCHEMA = """
CREATE TABLE issue_articles (
    issue_id TEXT NOT NULL,
    date     TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (issue_id, date)
) WITHOUT ROWID;
CREATE TABLE issue_tags (
    kind     TEXT NOT NULL,
    label    TEXT NOT NULL,
    issue_id TEXT NOT NULL,
    date     TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (kind, label, issue_id, date)
) WITHOUT ROWID;
CREATE TABLE issue_mentions (
    label    TEXT NOT NULL,
    issue_id TEXT NOT NULL,
    date     TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (label, issue_id, date)
) WITHOUT ROWID;
INSERT INTO issue_articles SELECT issue_id, date, COUNT(*) FROM articles
    WHERE date IS NOT NULL GROUP BY 1, 2;
INSERT INTO issue_tags SELECT t.kind, t.label, a.issue_id, t.date, COUNT(*) FROM tags t
    JOIN articles a USING (article_id) WHERE t.date IS NOT NULL GROUP BY 1, 2, 3, 4;
INSERT INTO issue_mentions SELECT e.label, a.issue_id, a.date, COUNT(DISTINCT e.article_id)
    FROM entities e JOIN articles a USING (article_id)
    WHERE e.kind = 'company' AND e.label IS NOT NULL AND a.date IS NOT NULL GROUP BY 1, 2, 3;
CREATE TRIGGER issue_articles_insert AFTER INSERT ON articles WHEN NEW.date IS NOT NULL BEGIN
    INSERT INTO issue_articles VALUES (NEW.issue_id, NEW.date, 1)
        ON CONFLICT (issue_id, date) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issue_articles_delete AFTER DELETE ON articles WHEN OLD.date IS NOT NULL BEGIN
    UPDATE issue_articles SET n = n - 1 WHERE issue_id = OLD.issue_id AND date = OLD.date;
    DELETE FROM issue_articles WHERE issue_id = OLD.issue_id AND date = OLD.date AND n = 0;
END;
CREATE TRIGGER issue_articles_update AFTER UPDATE OF issue_id, date ON articles
        WHEN OLD.issue_id IS NOT NEW.issue_id OR OLD.date IS NOT NEW.date BEGIN
    UPDATE issue_articles SET n = n - 1 WHERE issue_id = OLD.issue_id AND date = OLD.date;
    DELETE FROM issue_articles WHERE issue_id = OLD.issue_id AND date = OLD.date AND n = 0;
    INSERT INTO issue_articles SELECT NEW.issue_id, NEW.date, 1 WHERE NEW.date IS NOT NULL
        ON CONFLICT (issue_id, date) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issue_tags_article_delete BEFORE DELETE ON articles BEGIN
    DELETE FROM tags WHERE article_id = OLD.article_id;
END;
CREATE TRIGGER issue_tags_insert AFTER INSERT ON tags WHEN NEW.date IS NOT NULL BEGIN
    INSERT INTO issue_tags SELECT NEW.kind, NEW.label, a.issue_id, NEW.date, 1 FROM articles a
        WHERE a.article_id = NEW.article_id
        ON CONFLICT (kind, label, issue_id, date) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issue_tags_delete AFTER DELETE ON tags WHEN OLD.date IS NOT NULL BEGIN
    UPDATE issue_tags SET n = n - 1 WHERE kind = OLD.kind AND label = OLD.label AND date = OLD.date
        AND issue_id = (SELECT issue_id FROM articles WHERE article_id = OLD.article_id);
    DELETE FROM issue_tags WHERE kind = OLD.kind AND label = OLD.label AND date = OLD.date
        AND issue_id = (SELECT issue_id FROM articles WHERE article_id = OLD.article_id) AND n = 0;
END;
CREATE TRIGGER issue_tags_update AFTER UPDATE OF kind, label, date ON tags BEGIN
    UPDATE issue_tags SET n = n - 1 WHERE kind = OLD.kind AND label = OLD.label AND date = OLD.date
        AND issue_id = (SELECT issue_id FROM articles WHERE article_id = OLD.article_id);
    DELETE FROM issue_tags WHERE kind = OLD.kind AND label = OLD.label AND date = OLD.date
        AND issue_id = (SELECT issue_id FROM articles WHERE article_id = OLD.article_id) AND n = 0;
    INSERT INTO issue_tags SELECT NEW.kind, NEW.label, a.issue_id, NEW.date, 1 FROM articles a
        WHERE a.article_id = NEW.article_id AND NEW.date IS NOT NULL
        ON CONFLICT (kind, label, issue_id, date) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issue_tags_article_moved AFTER UPDATE OF issue_id ON articles
        WHEN OLD.issue_id IS NOT NEW.issue_id BEGIN
    UPDATE issue_tags SET n = n - 1 WHERE issue_id = OLD.issue_id AND (kind, label, date) IN
        (SELECT kind, label, date FROM tags WHERE article_id = NEW.article_id);
    DELETE FROM issue_tags WHERE issue_id = OLD.issue_id AND n = 0;
    INSERT INTO issue_tags SELECT kind, label, NEW.issue_id, date, 1 FROM tags
        WHERE article_id = NEW.article_id AND date IS NOT NULL
        ON CONFLICT (kind, label, issue_id, date) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issue_mentions_insert AFTER INSERT ON entities
        WHEN NEW.kind = 'company' AND NEW.label IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entities e
        WHERE e.article_id = NEW.article_id AND e.kind = 'company' AND e.label = NEW.label
        AND e.id != NEW.id) BEGIN
    INSERT INTO issue_mentions SELECT NEW.label, a.issue_id, a.date, 1 FROM articles a
        WHERE a.article_id = NEW.article_id AND a.date IS NOT NULL
        ON CONFLICT (label, issue_id, date) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issue_mentions_delete AFTER DELETE ON entities
        WHEN OLD.kind = 'company' AND OLD.label IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entities e
        WHERE e.article_id = OLD.article_id AND e.kind = 'company' AND e.label = OLD.label) BEGIN
    UPDATE issue_mentions SET n = n - 1 WHERE label = OLD.label AND (issue_id, date) =
        (SELECT issue_id, date FROM articles WHERE article_id = OLD.article_id);
    DELETE FROM issue_mentions WHERE label = OLD.label AND n = 0;
END;
CREATE TRIGGER issue_mentions_article_moved AFTER UPDATE OF issue_id, date ON articles
        WHEN OLD.issue_id IS NOT NEW.issue_id OR OLD.date IS NOT NEW.date BEGIN
    UPDATE issue_mentions SET n = n - 1 WHERE issue_id = OLD.issue_id AND date = OLD.date AND label IN
        (SELECT label FROM entities WHERE article_id = NEW.article_id AND kind = 'company');
    DELETE FROM issue_mentions WHERE issue_id = OLD.issue_id AND date = OLD.date AND n = 0;
    INSERT INTO issue_mentions SELECT DISTINCT label, NEW.issue_id, NEW.date, 1 FROM entities
        WHERE article_id = NEW.article_id AND kind = 'company' AND label IS NOT NULL
        AND NEW.date IS NOT NULL ON CONFLICT (label, issue_id, date) DO UPDATE SET n = n + 1;
END;
"""


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
