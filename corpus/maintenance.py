"""Keeping a corpus safe: an online backup and a health check.

`backup(corpus, out)` copies a live corpus with SQLite's online backup API (a consistent copy
even while an import writes; https://sqlite.org/backup.html), written beside `out` and renamed
into place so a half-written backup never looks like a good one. `check(corpus)` runs what SQLite
and FTS5 offer to find damage: `PRAGMA integrity_check`, `PRAGMA foreign_key_check`, the FTS5
`integrity-check` command, and two checks of our own (search rows match articles; the
materialised tags match the labels in force).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from corpus.schema import SCHEMA_VERSION, schema_version
from corpus.store import Corpus
from errors import CorruptDatabase, OutputNotWritable

MAX_PROBLEMS = 20      # integrity_check stops listing after this many (it can list thousands)


@dataclass(frozen=True, slots=True)
class Check:
    """One check's name and the problems it found (empty: passed)."""

    name: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class HealthReport:
    path: str
    schema: int
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: str
    pages: int
    size: int
    articles: int


def backup(corpus: Corpus, out: str | Path) -> BackupReport:
    """Copy the corpus to `out` (which must not exist) with the online backup API, then check
    the copy (`PRAGMA quick_check`) before it takes its name."""
    out = Path(out)
    if out.exists():
        raise OutputNotWritable(path=out, detail="it exists already", hint="Choose a new file name")
    if not out.parent.is_dir():
        raise OutputNotWritable(path=out, detail="its folder does not exist")
    try:
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=out.name, suffix=".partial")
        os.close(fd)
    except OSError as exc:
        raise OutputNotWritable(path=out, detail=exc.strerror or str(exc)) from exc
    try:
        report = _copy(corpus, Path(tmp), out)
        os.replace(tmp, out)
        return report
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _copy(corpus: Corpus, tmp: Path, out: Path) -> BackupReport:
    target = sqlite3.connect(str(tmp))
    try:
        corpus.conn.backup(target, pages=4096)      # in steps: writers are not blocked for long
        target.execute("PRAGMA journal_mode = DELETE")   # one self-contained file, no -wal beside it
        verdict = target.execute("PRAGMA quick_check").fetchone()[0]
        pages = target.execute("PRAGMA page_count").fetchone()[0]
        articles = target.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise CorruptDatabase(path=corpus.path, detail=str(exc)) from exc
    except OSError as exc:
        raise OutputNotWritable(path=out, detail=exc.strerror or str(exc)) from exc
    finally:
        target.close()
    if verdict != "ok":
        raise CorruptDatabase(path=corpus.path, detail=f"the copy fails its check: {verdict}")
    return BackupReport(str(out), pages, tmp.stat().st_size, articles)


def check(corpus: Corpus) -> HealthReport:
    """Every check, each with the problems it found; a damaged file is a report, not an error."""
    checks = tuple(_run(corpus.conn, name, fn) for name, fn in CHECKS)
    return HealthReport(corpus.path, schema_version(corpus.conn), checks)


def _run(conn, name: str, fn) -> Check:
    try:
        return Check(name, tuple(fn(conn)))
    except sqlite3.DatabaseError as exc:        # what a damaged page does to any query
        return Check(name, (f"{type(exc).__name__}: {exc}",))


def _integrity(conn) -> list[str]:
    rows = [r[0] for r in conn.execute(f"PRAGMA integrity_check({MAX_PROBLEMS})")]
    return [] if rows == ["ok"] else rows


def _foreign_keys(conn) -> list[str]:
    return [f"{r[0]} row {r[1]} points to a missing {r[2]} row"
            for r in conn.execute("PRAGMA foreign_key_check").fetchmany(MAX_PROBLEMS)]


def _fts_index(conn) -> list[str]:
    """FTS5's own check that its index agrees with its stored rows (raises if not)."""
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    return []


def _fts_rows(conn) -> list[str]:
    missing = [r[0] for r in conn.execute(
        "SELECT article_id FROM articles EXCEPT SELECT article_id FROM articles_fts").fetchmany(MAX_PROBLEMS)]
    orphans = [r[0] for r in conn.execute(
        "SELECT article_id FROM articles_fts EXCEPT SELECT article_id FROM articles").fetchmany(MAX_PROBLEMS)]
    return ([f"article {a} is missing from the search index" for a in missing]
            + [f"search row {a} has no article" for a in orphans])


def _tags(conn) -> list[str]:
    """The tags table is materialised from the labels in force after every write."""
    stale = conn.execute(
        "SELECT article_id, kind, label FROM (SELECT article_id, kind, label FROM tags_in_force WHERE value = 1"
        " AND article_id IN (SELECT article_id FROM articles) EXCEPT SELECT article_id, kind, label FROM tags)"
        " UNION ALL SELECT * FROM (SELECT article_id, kind, label FROM tags EXCEPT"
        " SELECT article_id, kind, label FROM tags_in_force WHERE value = 1)").fetchmany(MAX_PROBLEMS)
    return [f"article {a}: {k} {lab} differs between tags and labels (run `jianbao reclassify`)"
            for a, k, lab in stale]


def _schema(conn) -> list[str]:
    version = schema_version(conn)
    return [] if version == SCHEMA_VERSION else [f"schema v{version}, this jianbao writes v{SCHEMA_VERSION}"]


CHECKS = (("integrity", _integrity), ("foreign keys", _foreign_keys), ("search index", _fts_index),
          ("search rows", _fts_rows), ("tags", _tags), ("schema", _schema))
