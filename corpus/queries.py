"""Read queries over the corpus; they return plain records (dicts), sqlite rows stay here."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import sqlite3
from typing import Iterator

from errors import InvalidValue

def month_bounds(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """'2025-06' -> ('2025-06-01', '2025-06-30'): a month given as until is included whole."""
    def expand(value: str | None, end: bool) -> str | None:
        if not value:
            return None
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            raise InvalidValue(f"dates are YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
        parts = value.split("-")
        try:
            dt.date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1,
                    int(parts[2]) if len(parts) > 2 else 1)
        except ValueError:
            raise InvalidValue(f"{value!r} is not a valid date") from None
        if len(parts) == 3:
            return value
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else (12 if end else 1)
        day = calendar.monthrange(year, month)[1] if end else 1
        return f"{year:04d}-{month:02d}-{day:02d}"
    return expand(since, False), expand(until, True)


def _total_no(value) -> int:
    """An issue key typed as a total number (529); -1 when it is none (or too long to be one:
    SQLite integers are 64-bit)."""
    text = str(value)
    return int(text) if text.isdigit() and len(text) <= 9 else -1


ROLES = ("actor", "participant", "object", "passing", "impersonated", "payment")


def article_filter(topic=None, company=None, since=None, until=None, issue=None, match=None,
                   role=None):
    """SQL WHERE clause and parameters for the common article filters (always parameterised);
    `match` is an FTS5 query (see analytics.fts_query) the title or text must match; `role`
    (with `company`): articles where the firm is mentioned in that role, or in any (`any`),
    instead of the articles that concern it."""
    if role is not None and role != "any" and role not in ROLES:
        raise InvalidValue(f"--role must be any or one of {', '.join(ROLES)}, not {role!r}")
    clauses, params = ["1 = 1"], []
    if match:
        clauses.append("a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
        params.append(match)
    start, end = month_bounds(since, until)
    if start:
        clauses.append("a.date >= ?")
        params.append(start)
    if end:
        clauses.append("a.date <= ?")
        params.append(end)
    if company and role:
        clauses.append("a.article_id IN (SELECT article_id FROM entities WHERE kind = 'company'"
                       " AND label = ?" + (")" if role == "any" else " AND role = ?)"))
        params += [company] if role == "any" else [company, role]
        company = None
    for kind, label in (("topic", topic), ("company", company)):
        if label:
            clauses.append("a.article_id IN (SELECT article_id FROM tags WHERE kind = ? AND label = ?)")
            params += [kind, label]
    if issue:
        clauses.append("(a.issue_id = ? OR i.total_no = ?)")
        params += [issue, _total_no(issue)]
    return " AND ".join(clauses), params


def _tags(conn: sqlite3.Connection, article_id: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"topic": [], "company": []}
    for row in conn.execute(
            "SELECT kind, label, score, source FROM tags WHERE article_id = ?"
            " ORDER BY kind, COALESCE(score, 1) DESC, label", (article_id,)):
        out[row["kind"]].append({"label": row["label"], "score": row["score"], "source": row["source"]})
    return out


def _issue_short(row: sqlite3.Row) -> dict:
    return {"series": row["series"], "year": row["year"], "issue_no": row["issue_no"],
            "total_no": row["total_no"], "date": row["date"], "editor": row["editor"],
            "source_file": row["path"], "sha256": row["sha256"]}


_ARTICLE_SQL = """
    SELECT a.*, i.series, i.year, i.issue_no, i.total_no, i.date, i.editor, i.sha256, d.path
    FROM articles a JOIN issues i USING (issue_id) JOIN documents d ON d.sha256 = i.sha256
    WHERE {where} ORDER BY a.date, a.issue_id, a.seq {limit}"""


def _mentions(conn: sqlite3.Connection, article_id: str) -> list[dict]:
    return [dict(r) for r in conn.execute(
        "SELECT label, text, start, end, field, role, score, unit, aside FROM entities"
        " WHERE article_id = ? AND kind = 'company' ORDER BY field DESC, start, label", (article_id,))]


def _article_record(conn, row: sqlite3.Row) -> dict:
    tags = _tags(conn, row["article_id"])
    return {"article_id": row["article_id"], "issue": _issue_short(row), "seq": row["seq"],
            "title": row["title"], "subtitle": row["subtitle"], "text": row["text"],
            "pages": json.loads(row["pages"]), "topics": tags["topic"],
            "companies": tags["company"], "mentions": _mentions(conn, row["article_id"]),
            "ocr_confidence": row["ocr_confidence"]}


def iter_article_records(conn, limit: int | None = None, offset: int = 0, **filters) -> Iterator[dict]:
    """Articles in the export schema (see README), oldest first."""
    where, params = article_filter(**filters)
    lim = ""
    if limit is not None:
        lim, params = "LIMIT ? OFFSET ?", params + [limit, offset]
    for row in conn.execute(_ARTICLE_SQL.format(where=where, limit=lim), params).fetchall():
        yield _article_record(conn, row)


def get_article(conn, article_id: str) -> dict | None:
    """One article in the export schema, plus its low-confidence flag and entities."""
    row = conn.execute(_ARTICLE_SQL.format(where="a.article_id = ?", limit=""),
                       (article_id,)).fetchone()
    if row is None:
        return None
    entities = [dict(r) for r in conn.execute(
        "SELECT kind, label, text, start, end, field FROM entities WHERE article_id = ? "
        "ORDER BY field, start", (article_id,))]
    return {**_article_record(conn, row), "low_confidence": bool(row["low_confidence"]),
            "entities": entities}


def count_articles(conn, **filters) -> int:
    """How many articles the filters of `iter_article_records` select (for pagination)."""
    where, params = article_filter(**filters)
    return conn.execute(f"SELECT COUNT(*) FROM articles a JOIN issues i USING (issue_id) WHERE {where}",
                        params).fetchone()[0]


_ISSUE_SQL = """
    SELECT i.*, d.path, (SELECT COUNT(*) FROM articles a WHERE a.issue_id = i.issue_id) n
    FROM issues i JOIN documents d ON d.sha256 = i.sha256 WHERE {where} ORDER BY i.date, i.issue_id"""


def _issue_record(row: sqlite3.Row) -> dict:
    return {**_issue_short(row), "issue_id": row["issue_id"],
            "report_to": json.loads(row["report_to"]), "copy_to": json.loads(row["copy_to"]),
            "front": json.loads(row["front"]), "navigation": json.loads(row["navigation"]),
            "n_articles": row["n"]}


def iter_issue_records(conn) -> Iterator[dict]:
    for row in conn.execute(_ISSUE_SQL.format(where="1 = 1")):
        yield _issue_record(row)


def get_issue(conn, key: str) -> dict | None:
    """One issue by issue id (2025-06) or total number (529), with its parse warnings."""
    row = conn.execute(_ISSUE_SQL.format(where="i.issue_id = ? OR i.total_no = ?"),
                       (key, _total_no(key))).fetchone()
    if row is None:
        return None
    warnings = [{"code": c, "page": p, "message": m} for c, p, m in json.loads(row["warnings"])]
    return {**_issue_record(row), "source_kind": row["source_kind"], "n_pages": row["n_pages"],
            "warnings": warnings, "front": json.loads(row["front"]),
            "navigation": json.loads(row["navigation"])}


def get_document(conn, sha256: str) -> dict | None:
    """What the corpus knows about one stored file: its status, error and issue."""
    row = conn.execute("SELECT sha256, path, kind, pages, ocr_pages, status, error, issue_id, added_at"
                       " FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
    if row is None:
        return None
    return {**dict(row), "ocr_pages": json.loads(row["ocr_pages"])}


def iter_table_records(conn) -> Iterator[dict]:
    for row in conn.execute(
            "SELECT t.*, i.series, i.year, i.issue_no, i.total_no, i.date FROM doc_tables t "
            "JOIN issues i USING (issue_id) ORDER BY i.date, t.issue_id, t.seq").fetchall():
        rows = [json.loads(r["cells"]) for r in conn.execute(
            "SELECT cells FROM table_rows WHERE table_id = ? ORDER BY row_no", (row["table_id"],))]
        yield {"issue": {"issue_id": row["issue_id"], "series": row["series"], "year": row["year"],
                         "issue_no": row["issue_no"], "total_no": row["total_no"], "date": row["date"]},
               "title": row["title"], "period": row["period"], "note": row["note"],
               "header": json.loads(row["header"]), "rows": rows}


def iter_label_records(conn) -> Iterator[dict]:
    for row in conn.execute(
            "SELECT article_id, kind, label, value, score, source, model_version, who, at "
            "FROM labels ORDER BY article_id, kind, label, source"):
        yield dict(row)


def label_counts(conn, kind: str) -> list[tuple[str, int]]:
    """Articles per label among the tags in force, most frequent first."""
    return [(r["label"], r["n"]) for r in conn.execute(
        "SELECT label, COUNT(*) n FROM tags WHERE kind = ? GROUP BY label ORDER BY n DESC, label",
        (kind,))]


def stats(conn) -> dict:
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731 - local shorthand
    dates = conn.execute("SELECT MIN(date), MAX(date) FROM issues").fetchone()
    return {
        "issues": one("SELECT COUNT(*) FROM issues"),
        "articles": one("SELECT COUNT(*) FROM articles"),
        "pages": one("SELECT COALESCE(SUM(n_pages), 0) FROM issues"),
        "documents": dict(conn.execute("SELECT status, COUNT(*) FROM documents GROUP BY status").fetchall()),
        "first_date": dates[0], "last_date": dates[1],
        "labels_by_source": dict(conn.execute(
            "SELECT source, COUNT(*) FROM labels WHERE value = 1 GROUP BY source").fetchall()),
        "model_versions": [r[0] for r in conn.execute(
            "SELECT DISTINCT model_version FROM labels WHERE source = 'model' ORDER BY 1")],
        "topics": label_counts(conn, "topic"),
        "companies": label_counts(conn, "company"),
    }


def failed_paths(conn) -> list[str]:
    """Paths whose last import failed: what `--retry-failed` tries again."""
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT path FROM documents WHERE status = 'failed' AND path NOT IN"
        " (SELECT path FROM documents WHERE status != 'failed') ORDER BY path")]


def run_records(conn, limit: int = 20) -> list[dict]:
    """Past import runs, newest first: paths, how they ended, duration and failures. A run with
    no end (killed, or still running) shows what it stored so far, counted from its documents."""
    out = []
    for r in conn.execute("SELECT * FROM runs ORDER BY run_id DESC LIMIT ?", (limit,)):
        row = dict(r)
        args = json.loads(row.pop("args") or "{}")
        row["paths"] = ", ".join(args.get("paths", []))
        row["workers"], row["workers_why"] = args.get("workers"), args.get("workers_why")
        row["state"] = row.get("state") or ("finished" if row["finished_at"] else "killed or running")
        if not row["finished_at"]:
            stored = dict(conn.execute("SELECT status, COUNT(*) FROM documents WHERE run_id = ?"
                                       " GROUP BY status", (row["run_id"],)).fetchall())
            row.update(imported=stored.get("imported", 0), duplicates=stored.get("duplicate", 0),
                       failed=stored.get("failed", 0))
        row["seconds"] = _seconds(row["started_at"], row["finished_at"])
        row["failures"] = [f"{p}: {e}" for p, e in conn.execute(
            "SELECT path, error FROM documents WHERE run_id = ? AND status = 'failed'", (row["run_id"],))]
        out.append(row)
    return out


def _seconds(start: str | None, end: str | None) -> int | None:
    if not start or not end:
        return None
    return int((dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)).total_seconds())


def issue_table_records(conn, issue_id: str) -> list[dict]:
    """The tables of one issue (来稿及刊用情况 …) in order: title, period, note, header, rows."""
    out = []
    for row in conn.execute("SELECT * FROM doc_tables WHERE issue_id = ? ORDER BY seq", (issue_id,)).fetchall():
        rows = [json.loads(r["cells"]) for r in conn.execute(
            "SELECT cells FROM table_rows WHERE table_id = ? ORDER BY row_no", (row["table_id"],))]
        out.append({"title": row["title"], "period": row["period"], "note": row["note"],
                    "header": json.loads(row["header"]), "rows": rows})
    return out
