"""The corpus store: SQLite with WAL and foreign keys; the only writer of jianbao's data.

`Corpus.open(path)` or `Corpus.in_memory()`; every document is written in its own transaction,
so an interrupted import never leaves half an issue behind. The store knows nothing of parsing
or models: bulletins arrive as plain objects (ingest's `Bulletin` by duck typing) and the word
segmenter that full-text search needs is injected (`segment=`; `pipeline.open_corpus` does so).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from corpus.schema import migrate
from errors import CorpusError, CorruptDatabase, DatabaseUnavailable, NotADatabase, display_path

LOW_CONFIDENCE = 0.85     # mean OCR score under which an article goes to the review queue


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class AddResult:
    """What happened to one document: imported | present | duplicate | replaced."""

    status: str
    sha256: str
    issue_id: str | None
    n_articles: int = 0
    detail: str = ""
    replaced: str | None = None      # sha256 of the file this one replaced (status "replaced")


@dataclass(frozen=True, slots=True)
class ArticleTags:
    """Model output for one article, as the store needs it (built by the tagging step)."""

    topics: tuple[tuple[str, float, bool], ...]      # (label, score, selected)
    companies: tuple[tuple[str, float, bool], ...]
    # kind, label, text, start, end, field, role, score, unit, aside (the last four: company mentions)
    entities: tuple[tuple, ...] = ()
    model_version: str | None = None


def _better(kind: str, sha256: str, existing) -> bool:
    """Which file of one issue to keep: text over OCR; between equals, the smaller hash, so the
    corpus does not depend on the order files arrive in (parallel imports, resumed runs)."""
    rank = {"text": 0, "ocr": 1}
    return (rank[kind], sha256) < (rank[existing["source_kind"]], existing["sha256"])


@contextmanager
def read_snapshot(conn: sqlite3.Connection):
    """One read transaction: every query inside sees the same state of the corpus, even while
    another connection commits (WAL readers keep their snapshot); nested use joins the outer."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.execute("COMMIT")


DAMAGED = ("SQLITE_CORRUPT", "SQLITE_IOERR", "SQLITE_IOERR_SHORT_READ")     # sqlite.org/rescode.html


def database_error(exc: sqlite3.DatabaseError, path: str | Path) -> CorpusError | None:
    """The CorpusError a sqlite3 error means for the file at `path`, if it says the file is no
    database or is damaged (None otherwise: a bug or a lock, which keep their own message)."""
    name = getattr(exc, "sqlite_errorname", "")
    if name == "SQLITE_NOTADB" or "not a database" in str(exc):
        return NotADatabase(path=path, detail=str(exc))
    if name in DAMAGED or "malformed" in str(exc):
        return CorruptDatabase(path=path, detail=str(exc))
    return None


def issue_id_for(bulletin) -> str:
    """Issues are identified by content: year-issue for a series issue, else the file hash."""
    meta = bulletin.meta
    if meta.series and meta.year and meta.issue_no:
        return f"{meta.year}-{meta.issue_no:02d}"
    return "doc-" + (bulletin.source.sha256[:12] if bulletin.source else "unknown")


class Corpus:
    """A connection to one corpus database, with its schema current."""

    def __init__(self, conn: sqlite3.Connection, path: str = ":memory:",
                 segment: Callable[[str], str] | None = None):
        self.conn = conn
        self.path = path
        self._segment = segment

    # ---------------------------------------------------------------- lifecycle
    @classmethod
    def open(cls, path: str | Path, segment: Callable[[str], str] | None = None) -> "Corpus":
        """Open (or create) the corpus at `path`; sqlite3 and OS errors become CorpusErrors
        naming the file."""
        path = Path(path)
        if path.is_dir():
            raise NotADatabase(path=path, detail="it is a folder")
        if not path.parent.is_dir():
            raise DatabaseUnavailable(path=path, detail="its folder does not exist",
                                      hint="Create the folder first or check --db")
        try:
            conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        except sqlite3.Error as exc:
            raise DatabaseUnavailable(path=path, detail=str(exc)) from exc
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return cls._ready(conn, str(path), segment)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise database_error(exc, path) or DatabaseUnavailable(path=path, detail=str(exc)) from exc

    @classmethod
    def in_memory(cls, segment: Callable[[str], str] | None = None) -> "Corpus":
        return cls._ready(sqlite3.connect(":memory:", isolation_level=None), ":memory:", segment)

    @classmethod
    def _ready(cls, conn, path, segment) -> "Corpus":
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        migrate(conn, path)
        return cls(conn, path, segment)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Corpus":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        """Close; a damaged file met by any query inside the `with` becomes an error naming the
        file and the way out (`jianbao check`, a backup), not a bare sqlite3 traceback."""
        self.close()
        error = database_error(exc, self.path) if isinstance(exc, sqlite3.DatabaseError) else None
        if error is not None:
            raise error from exc

    @contextmanager
    def unsynced_commits(self):
        """Commits inside that do not wait for the disk (WAL with synchronous=NORMAL: a killed
        process loses none of them, a power cut may lose the last ones, never the database's
        consistency); the first commit after it waits again and makes them all durable. A bulk
        import commits each document: the wait was ~5-15 ms of ~80 ms a document, and with
        workers a core left idle while this process waited."""
        previous = self.conn.execute("PRAGMA synchronous").fetchone()[0]
        self.conn.execute("PRAGMA synchronous = NORMAL")
        try:
            yield self
        finally:
            self.conn.execute(f"PRAGMA synchronous = {int(previous)}")

    @contextmanager
    def transaction(self):
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def segment(self, text: str) -> str:
        """Text as FTS5 tokens: words separated by spaces (unicode61 cannot split Chinese)."""
        if self._segment is None:
            raise CorpusError("this corpus was opened without a word segmenter, which search and"
                              " article writes need: open it with pipeline.open_corpus(path)")
        return self._segment(text)

    # ---------------------------------------------------------------- writes
    def has_document(self, sha256: str) -> bool:
        row = self.conn.execute("SELECT status FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return row is not None and row["status"] != "failed"

    def add_bulletin(self, bulletin, tags: Iterable[ArticleTags] | None = None,
                     run_id: int | None = None,
                     segments: Iterable[tuple[str, str]] | None = None) -> AddResult:
        """Store one parsed (and tagged) document in one transaction; idempotent. `segments`:
        each article's title and text already cut for search (else cut here)."""
        src = bulletin.source
        if self.has_document(src.sha256):
            return AddResult("present", src.sha256, self.document_issue(src.sha256))
        issue_id = issue_id_for(bulletin)
        source_kind = "ocr" if src.ocr_pages else "text"
        with self.transaction() as conn:
            existing = conn.execute("SELECT sha256, source_kind FROM issues WHERE issue_id = ?",
                                    (issue_id,)).fetchone()
            if existing and not _better(source_kind, src.sha256, existing):
                self._put_document(conn, bulletin, "duplicate", issue_id, run_id,
                                   f"same issue as {existing['sha256'][:12]}")
                return AddResult("duplicate", src.sha256, issue_id, 0,
                                 f"issue {issue_id} already imported from {existing['sha256'][:12]}")
            kept = []
            if existing:   # a text PDF replaces the OCR of the same issue; human labels stay
                conn.execute("UPDATE documents SET status = 'duplicate', error = ? WHERE sha256 = ?",
                             (f"replaced by text source {src.sha256[:12]}", existing["sha256"]))
                kept = self._drop_issue(conn, issue_id)
            self._put_document(conn, bulletin, "imported", issue_id, run_id)
            self._put_issue(conn, bulletin, issue_id, source_kind)
            n = self._put_articles(conn, bulletin, issue_id, list(tags) if tags else None,
                                   list(segments) if segments else None)
            self._put_tables(conn, bulletin, issue_id)
            conn.executemany(
                "INSERT OR IGNORE INTO labels SELECT * FROM (SELECT ? a, ? b, ? c, ? d, ? e, ? f, ? g,"
                " ? h, ? i) WHERE a IN (SELECT article_id FROM articles)", kept)
            for article_id in {k[0] for k in kept}:
                refresh_tags(conn, article_id)
        return AddResult("replaced" if existing else "imported", src.sha256, issue_id, n,
                         replaced=existing["sha256"] if existing else None)

    def _drop_issue(self, conn, issue_id: str) -> list[tuple]:
        """Delete an issue and its articles (their search rows go with them, by trigger); return
        its human labels to put back."""
        kept = [tuple(r) for r in conn.execute(
            "SELECT article_id, kind, label, source, value, score, model_version, who, at FROM labels"
            " WHERE source = 'human' AND article_id IN (SELECT article_id FROM articles WHERE"
            " issue_id = ?)", (issue_id,))]
        conn.execute("DELETE FROM issues WHERE issue_id = ?", (issue_id,))
        return kept

    def text_issues(self) -> frozenset[str]:
        """Issues stored from a text source: a scan of one of them is a duplicate. Read again only
        when the database changed since (a run with workers asks once per document, all at its
        start: 500 reads of every issue of a large corpus before the first document)."""
        state = (self.conn.total_changes, self.conn.execute("PRAGMA data_version").fetchone()[0])
        if getattr(self, "_text_issues", (None,))[0] != state:
            self._text_issues = (state, frozenset(
                r[0] for r in self.conn.execute("SELECT issue_id FROM issues WHERE source_kind = 'text'")))
        return self._text_issues[1]

    def record_duplicate(self, sha256: str, path: str, issue_id: str, run_id: int | None = None) -> AddResult:
        """A file known (from its first page) to hold an issue already stored from a text source."""
        existing = self.conn.execute("SELECT sha256 FROM issues WHERE issue_id = ?", (issue_id,)).fetchone()
        detail = f"same issue as {existing['sha256'][:12]}" if existing else "same issue"
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO documents (sha256, path, status, error, issue_id, run_id, added_at)"
                " VALUES (?, ?, 'duplicate', ?, ?, ?, ?) ON CONFLICT(sha256) DO UPDATE SET"
                " status = 'duplicate', error = excluded.error, issue_id = excluded.issue_id,"
                " run_id = excluded.run_id, path = excluded.path", (sha256, path, detail, issue_id, run_id, now()))
        return AddResult("duplicate", sha256, issue_id, 0, f"issue {issue_id} already imported from a text PDF")

    def record_failure(self, sha256: str, path: str, error: str, run_id: int | None = None) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO documents (sha256, path, status, error, run_id, added_at) "
                "VALUES (?, ?, 'failed', ?, ?, ?) ON CONFLICT(sha256) DO UPDATE SET "
                "error = excluded.error, run_id = excluded.run_id, path = excluded.path "
                "WHERE documents.status = 'failed'", (sha256, path, error, run_id, now()))

    def document_issue(self, sha256: str) -> str | None:
        row = self.conn.execute("SELECT issue_id FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return row["issue_id"] if row else None

    def _put_document(self, conn, bulletin, status, issue_id, run_id, error=None) -> None:
        src = bulletin.source
        conn.execute(
            "INSERT INTO documents (sha256, path, kind, pages, ocr_pages, status, error, issue_id,"
            " run_id, added_at) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(sha256) DO UPDATE SET "
            "path=excluded.path, kind=excluded.kind, pages=excluded.pages, "
            "ocr_pages=excluded.ocr_pages, status=excluded.status, error=excluded.error, "
            "issue_id=excluded.issue_id, run_id=excluded.run_id",
            (src.sha256, display_path(src.path), src.kind, src.n_pages, _json(list(src.ocr_pages)), status,
             error, issue_id, run_id, now()))

    def _put_issue(self, conn, bulletin, issue_id: str, source_kind: str) -> None:
        m, src = bulletin.meta, bulletin.source
        conn.execute(
            "INSERT INTO issues (issue_id, series, year, issue_no, total_no, date, editor, sha256,"
            " source_kind, n_pages, report_to, copy_to, warnings, front, navigation)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (issue_id, m.series, m.year, m.issue_no, m.total_no,
             m.date.isoformat() if m.date else None, m.editor, src.sha256, source_kind,
             src.n_pages, _json(list(bulletin.distribution.report_to)),
             _json(list(bulletin.distribution.copy_to)),
             _json([[w.code, w.page, w.message] for w in bulletin.warnings]),
             _json(list(getattr(bulletin, "front", ()))), _json(list(getattr(bulletin, "navigation", ())))))

    def _put_articles(self, conn, bulletin, issue_id: str, tags, segments) -> int:
        for i, art in enumerate(bulletin.articles):
            article_id = f"{issue_id}-{art.seq:02d}"
            low = art.ocr_confidence is not None and art.ocr_confidence < LOW_CONFIDENCE
            row = conn.execute(
                "INSERT INTO articles (article_id, issue_id, seq, title, subtitle, text, pages,"
                " ocr_confidence, low_confidence, date) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (article_id, issue_id, art.seq, art.title, art.subtitle, art.text,
                 _json(list(art.pages)), art.ocr_confidence, int(low),
                 bulletin.meta.date.isoformat() if bulletin.meta.date else None))
            title, text = segments[i] if segments else (
                self.segment(art.title + " " + (art.subtitle or "")), self.segment(art.text))
            # the search row shares the article's rowid: ranking and filters never read its content
            conn.execute("INSERT INTO articles_fts (rowid, article_id, title, text) VALUES (?,?,?,?)",
                         (row.lastrowid, article_id, title, text))
            if tags is not None:
                self.put_model_tags(conn, article_id, tags[i])
        return len(bulletin.articles)

    def put_model_tags(self, conn, article_id: str, tags: ArticleTags) -> None:
        """Replace the model's labels of one article (human labels are separate rows)."""
        at = now()
        conn.execute("DELETE FROM labels WHERE article_id = ? AND source = 'model'", (article_id,))
        rows = [(article_id, kind, label, int(sel), round(score, 4), tags.model_version, at)
                for kind, preds in (("topic", tags.topics), ("company", tags.companies))
                for label, score, sel in preds]
        conn.executemany(
            "INSERT INTO labels (article_id, kind, label, source, value, score, model_version, at)"
            " VALUES (?, ?, ?, 'model', ?, ?, ?, ?)", rows)
        refresh_tags(conn, article_id)
        conn.execute("DELETE FROM entities WHERE article_id = ?", (article_id,))
        conn.executemany(
            "INSERT INTO entities (article_id, kind, label, text, start, end, field, role, score, unit, aside) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)", [(article_id, *e, *(None,) * (10 - len(e))) for e in tags.entities])

    def _put_tables(self, conn, bulletin, issue_id: str) -> None:
        for seq, table in enumerate(bulletin.tables, 1):
            cur = conn.execute(
                "INSERT INTO doc_tables (issue_id, seq, title, period, note, header, pages) "
                "VALUES (?,?,?,?,?,?,?)", (issue_id, seq, table.title, table.period, table.note,
                                           _json(list(table.header)), _json(list(table.pages))))
            conn.executemany("INSERT INTO table_rows (table_id, row_no, cells) VALUES (?,?,?)",
                             [(cur.lastrowid, i, _json(list(r))) for i, r in enumerate(table.rows, 1)])

    # ---------------------------------------------------------------- runs
    def start_run(self, args: dict) -> int:
        with self.transaction() as conn:
            return conn.execute("INSERT INTO runs (started_at, args) VALUES (?, ?)",
                                (now(), _json(args))).lastrowid

    def finish_run(self, run_id: int, counts: dict, state: str = "finished", notes: dict | None = None) -> None:
        """Record how a run ended (finished or interrupted) with its true counts; `notes` join
        its arguments (how it went about them: the workers it started)."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE runs SET finished_at = ?, imported = ?, present = ?, duplicates = ?, "
                "failed = ?, warnings = ?, skipped = ?, state = ?, "
                "args = json_patch(COALESCE(args, '{}'), ?) WHERE run_id = ?",
                (now(), counts.get("imported", 0), counts.get("present", 0),
                 counts.get("duplicate", 0), counts.get("failed", 0), counts.get("warnings", 0),
                 counts.get("skipped", 0), state, _json(notes or {}), run_id))


# labels first met get the next free bits of their kind, one each: numbered within the statement,
# since SQLite reads label_bits once before inserting (two new topics of one article once got
# the same bit, the second was ignored and left out of that article's mask)
NEW_LABEL_BITS = (
    "INSERT INTO label_bits SELECT kind, label, (SELECT COALESCE(MAX(bit) + 1, 0) FROM label_bits b"
    " WHERE b.kind = n.kind) + ROW_NUMBER() OVER (PARTITION BY kind ORDER BY label) - 1 FROM"
    " (SELECT DISTINCT t.kind, t.label FROM tags t WHERE NOT EXISTS (SELECT 1 FROM label_bits b"
    " WHERE b.kind = t.kind AND b.label = t.label) {where}) n")


def refresh_tags(conn, article_id: str) -> None:
    """Recompute the materialised tags in force of one article (after any label write)."""
    conn.execute("DELETE FROM tags WHERE article_id = ?", (article_id,))
    conn.execute("INSERT INTO tags SELECT t.article_id, t.kind, t.label, t.score, t.source, a.date"
                 " FROM tags_in_force t JOIN articles a USING (article_id)"
                 " WHERE t.article_id = ? AND t.value = 1", (article_id,))
    conn.execute(NEW_LABEL_BITS.format(where="AND t.article_id = ?"), (article_id,))
    conn.execute(
        "UPDATE articles SET topic_mask = (SELECT COALESCE(SUM(1 << b.bit), 0) FROM tags t JOIN label_bits b"
        " USING (kind, label) WHERE t.article_id = articles.article_id AND t.kind = 'topic'),"
        " company_mask = (SELECT COALESCE(SUM(1 << b.bit), 0) FROM tags t JOIN label_bits b"
        " USING (kind, label) WHERE t.article_id = articles.article_id AND t.kind = 'company')"
        " WHERE article_id = ?", (article_id,))
