"""Pages read inside each document while it is being read, for the progress display.

A scan is OCR'd at seconds a page, in this process (`--jobs 1`) or in a loky worker. The parse
appends a byte per page read to the job's own file in a temporary folder (ingest's
`on_pages_done`, set up in pipeline/worker.py); a thread here polls the folder and tells the
display `tell(path, pages)`. Files, not a queue or a manager process: a loky worker takes plain
picklable paths, polling costs a `scandir` of the documents in progress, and a killed worker
leaves at worst a stale count.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from dataclasses import replace
from pathlib import Path
from typing import Callable

from pipeline.worker import Job

POLL_SECONDS = 0.5       # a page of OCR takes seconds: the display moves within half a second of it


class PageWatch:
    """Give each job a pages file (`attach`), poll them while the run lasts (`with`), forget a
    document when it is stored (`finished`). With no `tell` it does nothing at all."""

    def __init__(self, tell: Callable[[str, int], None] | None, every: float = POLL_SECONDS):
        self.tell, self.every = tell, every
        self.folder = Path(tempfile.mkdtemp(prefix="jianbao-pages-")) if tell else None
        self.paths: dict[str, str] = {}          # file name -> document path
        self.names: dict[str, str] = {}          # document path -> file name
        self.seen: dict[str, int] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="jianbao-page-watch", daemon=True)

    def attach(self, job: Job) -> Job:
        """The job with its pages file (unchanged when nobody listens)."""
        if self.folder is None:
            return job
        name = f"{len(self.paths)}.pages"
        self.paths[name], self.names[job.path] = job.path, name
        return replace(job, pages_file=str(self.folder / name))

    def finished(self, path: str) -> None:
        name = self.names.get(path)
        if self.folder is not None and name is not None:
            (self.folder / name).unlink(missing_ok=True)

    def poll(self) -> None:
        """Tell the pages of each document in progress whose count changed."""
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return
        for entry in entries:
            try:
                pages = entry.stat().st_size
            except OSError:                      # stored (and its file removed) meanwhile
                continue
            if self.seen.get(entry.name) != pages and entry.name in self.paths:
                self.seen[entry.name] = pages
                self.tell(self.paths[entry.name], pages)

    def _run(self) -> None:
        while not self.stop.wait(self.every):
            self.poll()

    def __enter__(self) -> "PageWatch":
        if self.folder is not None:
            self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.folder is not None:
            self.stop.set()
            self.thread.join()
            shutil.rmtree(self.folder, ignore_errors=True)
