"""Uploads for the HTTP service: one spooled file -> parsed in a guarded worker -> tagged -> stored.

`import_upload` is the whole of `POST /documents` after the bytes are on disk: the route spools
the body under a name of our own and calls it. Parsing runs in a small process pool (`Uploads`),
so a hostile file meets the importer's time and memory limits and cannot take the server down.
The client's file name is only ever a label (`display_name`); no message names a server path.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import threading
import unicodedata
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path, PurePosixPath

from corpus import queries
from corpus.store import Corpus
from errors import EmptyFile, NoActiveModel, TooManyPages, UnsupportedFile, UploadFailed, WorkerDied
from pipeline.lifeline import die_with_parent
from pipeline.resources import open_corpus
from pipeline.worker import Job, Limits, Parsed, work


# ---------------------------------------------------------------------------- names


def display_name(filename: str | None) -> str:
    """The client's file name reduced to a label: last component, printable, bounded. It is
    only ever shown and stored as text; the upload is written under a name of our own."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in ("C", "Z") or ch == " ").strip()
    name = name.lstrip(".") or "upload"
    return name[-120:]


def public_message(message: str, models_dir: str | Path, corpus_path: str | Path) -> str:
    """An error message without the server's own paths: <models> and <corpus> stand for them."""
    for path, label in ((models_dir, "<models>"), (corpus_path, "<corpus>")):
        message = message.replace(str(Path(path).resolve()), label).replace(str(path), label)
    return message


# ---------------------------------------------------------------------------- the worker pool


def parse_upload(job: Job, kind: str, max_pages: int) -> Parsed | int:
    """Runs in a worker process: the page count if over the cap, else the importer's `work`."""
    if kind == "pdf":
        from ingest.pdf import pdf_page_count
        pages = pdf_page_count(job.path)
        if pages is not None and pages > max_pages:
            return pages
    return work(job)


class Uploads:
    """Parsing workers: a small pool of processes (so a hostile file meets the time and memory
    guards and cannot take the server down), or a thread when `workers == 0` (unguarded)."""

    def __init__(self, workers: int, limits: Limits = Limits(), max_pages: int = 100,
                 series: tuple[str, ...] = ()):
        self.workers = workers
        self.series = tuple(series)             # configured series names (Settings.series)
        self.limits = limits if workers else Limits(None, None)
        self.max_pages = max_pages
        self._pool = None
        self._lock = threading.Lock()

    def pool(self):
        with self._lock:
            if self._pool is None:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor
                self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=die_with_parent, initargs=(os.getpid(), False))
            return self._pool

    def job(self, path: str, digest: str, ocr: str, models_dir: str | Path) -> Job:
        return Job(path, digest, ocr, str(models_dir), self.limits, isolated=self.workers > 0,
                   series=self.series)

    async def run(self, job: Job, kind: str) -> Parsed | int:
        if self.workers == 0:
            return await asyncio.to_thread(parse_upload, job, kind, self.max_pages)
        from concurrent.futures.process import BrokenProcessPool
        pool = self.pool()
        try:
            return await asyncio.wrap_future(pool.submit(parse_upload, job, kind, self.max_pages))
        except BrokenProcessPool:
            with self._lock:                      # replace the dead pool for the next upload
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            return Parsed(job.path, job.digest, failure=WorkerDied(job.path).to_dict())

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


# ---------------------------------------------------------------------------- one upload


@dataclasses.dataclass(frozen=True, slots=True)
class Upload:
    """One upload spooled to `path` (our name), with its sha256, size and the client's label."""

    path: str
    digest: str
    size: int
    name: str
    ocr: str = "auto"


@dataclasses.dataclass(frozen=True, slots=True)
class UploadOutcome:
    """What the service answers: 201 with the stored issue, or 200 if it was already there."""

    status: int
    body: dict


@dataclasses.dataclass(frozen=True, slots=True)
class Destination:
    """Where an upload goes: the corpus, the models that tag it, the lock its writes take."""

    corpus_path: Path
    models_dir: Path
    write_lock: AbstractContextManager = dataclasses.field(default_factory=nullcontext)

    def public(self, message: str) -> str:
        return public_message(message, self.models_dir, self.corpus_path)


async def import_upload(upload: Upload, uploads: Uploads, dest: Destination) -> UploadOutcome:
    """Parse, tag and store one upload, recording a failure in the corpus. Raises EmptyFile,
    UnsupportedFile, NoActiveModel, TooManyPages or UploadFailed, named by the client's label."""
    if upload.size == 0:
        raise EmptyFile(upload.name)
    known = await asyncio.to_thread(_stored_body, dest, upload.digest)
    if known is not None:
        return UploadOutcome(200, known)
    kind = await _file_kind(upload, dest)
    from models.persist import active_version
    if not active_version(dest.models_dir):
        raise NoActiveModel("no trained model on the server: run `jianbao train` there")
    parsed = await uploads.run(uploads.job(upload.path, upload.digest, upload.ocr, dest.models_dir), kind)
    pages = parsed if isinstance(parsed, int) else parsed.pages
    if isinstance(parsed, int) or (parsed.failure is None and pages > uploads.max_pages):
        raise TooManyPages(upload.name, pages, uploads.max_pages)
    if parsed.failure is not None:
        reason = _renamed(parsed.error.without_path(), upload, dest)
        await asyncio.to_thread(_record_failure, dest, upload, reason)
        raise UploadFailed(upload.name, reason)
    body = await asyncio.to_thread(_store, dest, upload, parsed)
    return UploadOutcome(201 if body["status"] in ("imported", "replaced") else 200, body)


async def _file_kind(upload: Upload, dest: Destination) -> str:
    """pdf or image, from the first bytes; an unsupported file is recorded as failed."""
    from ingest.reader import file_kind
    try:
        return file_kind(Path(upload.path))
    except UnsupportedFile as exc:
        error = UnsupportedFile(upload.name, _renamed(exc.detail, upload, dest), exc.page)
        await asyncio.to_thread(_record_failure, dest, upload, str(error))
        raise error from None


def _renamed(message: str, upload: Upload, dest: Destination) -> str:
    """A worker's message with the client's label for our spool path, and no server paths."""
    return dest.public(message.replace(upload.path, upload.name))


def _record_failure(dest: Destination, upload: Upload, error: str) -> None:
    with dest.write_lock, open_corpus(dest.corpus_path) as corpus:
        corpus.record_failure(upload.digest, upload.name, error)


def _stored_body(dest: Destination, digest: str) -> dict | None:
    """The answer for a document the corpus already has (None if it has not)."""
    with open_corpus(dest.corpus_path) as corpus:
        if not corpus.has_document(digest):
            return None
        return _document_body(corpus, "present", digest, corpus.document_issue(digest), "")


def _store(dest: Destination, upload: Upload, parsed: Parsed) -> dict:
    """Store the tagged bulletin under the client's label (never our spool path)."""
    bulletin = parsed.bulletin
    bulletin = dataclasses.replace(bulletin, source=dataclasses.replace(bulletin.source, path=upload.name))
    with dest.write_lock, open_corpus(dest.corpus_path) as corpus:
        result = corpus.add_bulletin(bulletin, parsed.tags, segments=parsed.segments)
        body = _document_body(corpus, result.status, result.sha256, result.issue_id, result.detail)
    body["warnings"] = [dataclasses.asdict(w) for w in bulletin.warnings]
    return body


def _document_body(corpus: Corpus, status: str, digest: str, issue_id: str | None, detail: str) -> dict:
    issue = queries.get_issue(corpus.conn, issue_id) if issue_id else None
    articles = list(queries.iter_article_records(corpus.conn, issue=issue_id)) if issue else []
    return {"status": status, "sha256": digest, "detail": detail, "issue": issue, "articles": articles}
