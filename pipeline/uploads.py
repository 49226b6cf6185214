"""Upload parsing for the HTTP service: a small process pool running the importer's guarded
`work`, so a hostile file meets the time and memory limits and cannot take the server down."""

from __future__ import annotations

import asyncio
import threading
import unicodedata
from pathlib import PurePosixPath

from fastapi.concurrency import run_in_threadpool

from errors import WorkerDied
from pipeline.worker import Job, Parsed, work


# ---------------------------------------------------------------------------- uploads


def display_name(filename: str | None) -> str:
    """The client's file name reduced to a label: last component, printable, bounded. It is
    only ever shown and stored as text; the upload is written under a name of our own."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in ("C", "Z") or ch == " ").strip()
    name = name.lstrip(".") or "upload"
    return name[-120:]


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
    guards and cannot take the server down), or a thread when `workers == 0`."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool = None
        self._lock = threading.Lock()

    def pool(self):
        with self._lock:
            if self._pool is None:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor
                self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
            return self._pool

    async def run(self, job: Job, kind: str, max_pages: int) -> Parsed | int:
        if self.workers == 0:
            return await run_in_threadpool(parse_upload, job, kind, max_pages)
        from concurrent.futures.process import BrokenProcessPool
        pool = self.pool()
        try:
            return await asyncio.wrap_future(pool.submit(parse_upload, job, kind, max_pages))
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


