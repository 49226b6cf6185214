"""Progress and summary of an import on stderr.

On a terminal: one bar in pages (counted before the run, so it has a total and an ETA) with the
files done of all planned and the file being read; it moves page by page inside a long scan (the
importer tells `pages_read` as OCR finishes each page). Not on a terminal (piped to a log): one
plain line per file with the running totals and ETA, and a line every HEARTBEAT seconds while a
long document (a scan being OCR'd) is still being read, saying which page it is on, so a log
never goes quiet for minutes.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

from errors import display_path
from jianbao.render import err_console

if TYPE_CHECKING:
    from rich.progress import Progress

HEARTBEAT = 30.0        # seconds of silence after which a log gets a "still reading" line


class IngestProgress:
    """The callback `import_paths` takes: `planned(files, pages_by_path)`, `started(path)`,
    `pages_read(path, pages)` while a file is read (from the importer's polling thread), then a
    call per finished file `(path, outcome, report)`."""

    def __init__(self, console, bar: Progress | None):
        self.console, self.bar = console, bar
        self.task = bar.add_task("", total=None, files="", current="") if bar else None
        self.pages: dict[str, int] = {}
        self.files = self.done_files = self.done_pages = 0
        self.reading: dict[str, float] = {}
        self.partial: dict[str, int] = {}        # pages read so far of the files being read
        self.started_at = self.last_line = time.monotonic()
        self.lock = threading.Lock()

    def planned(self, files: int, pages: dict[str, int]) -> None:
        self.files, self.pages = files, pages
        if self.bar:
            self.bar.update(self.task, total=sum(pages.values()) or None, files=self._files())
        elif files:
            self._line(f"to read: {files} file(s), {sum(pages.values())} page(s)")

    def started(self, path: str) -> None:
        with self.lock:
            self.reading[path] = time.monotonic()
        if self.bar:
            self.bar.update(self.task, current=self._current())

    def pages_read(self, path: str, pages: int) -> None:
        """`pages` of `path` are read (it is still being read): the bar and the counts move."""
        with self.lock:
            if path not in self.reading:
                return                               # finished meanwhile: its file count holds
            if pages:
                self.partial[path] = min(pages, self.pages.get(path) or pages)
            else:                                    # started (or started again: a retry)
                self.partial.pop(path, None)
        if self.bar:
            self.bar.update(self.task, completed=self._done_pages(), current=self._current())

    def __call__(self, path, outcome, report) -> None:
        status = getattr(outcome, "status", "failed")
        planned = path in self.pages
        with self.lock:
            self.reading.pop(path, None)
            self.partial.pop(path, None)
            if planned:
                self.done_files += 1
                self.done_pages += self.pages[path]
        if self.bar:
            self.bar.update(self.task, completed=self._done_pages(), files=self._files(), current=self._current())
        else:
            self._line(f"[{self._files()}, {self._pages()}{self._eta()}] {status:9} {display_path(path)}")

    def heartbeat(self) -> None:
        """A line for a log when nothing was said for HEARTBEAT seconds and a file is being read."""
        with self.lock:
            reading = dict(self.reading)
        if self.bar or not reading or time.monotonic() - self.last_line < HEARTBEAT:
            return
        path, since = min(reading.items(), key=lambda item: (item[0] not in self.partial, item[1]))
        self._line(f"[{self._files()}, {self._pages()}{self._eta()}] {self._reading(path)} "
                   f"({time.monotonic() - since:.0f} s)")

    def _reading(self, path: str) -> str:
        """`page 3/20 of scan.pdf` once pages of it are read, else `still reading scan.pdf`."""
        done, total = self.partial.get(path), self.pages.get(path)
        if not done:
            return f"still reading {display_path(path)}"
        return f"page {done}{f'/{total}' if total else ''} of {display_path(path)}"

    def _done_pages(self) -> int:
        with self.lock:                              # the importer's polling thread writes `partial`
            return self.done_pages + sum(self.partial.values())

    def _line(self, text: str) -> None:
        self.last_line = time.monotonic()
        self.console.print(text, markup=False, highlight=False)

    def _files(self) -> str:
        return f"files {self.done_files}/{self.files}" if self.files else f"files {self.done_files}"

    def _pages(self) -> str:
        total = sum(self.pages.values())
        return f"pages {self._done_pages()}/{total}" if total else f"pages {self._done_pages()}"

    def _eta(self) -> str:
        total, elapsed, done = sum(self.pages.values()), time.monotonic() - self.started_at, self._done_pages()
        if not done or not total or done >= total:
            return ""
        return f", ETA {_duration(elapsed / done * (total - done))}"

    def _current(self) -> str:
        names = list(self.reading)
        if len(names) != 1:
            return f"{len(names)} files" if names else ""
        name, done = display_path(names[0]).rsplit("/", 1)[-1], self.partial.get(names[0])
        return f"{name} p{done}" if done else name


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


@contextmanager
def ingest_progress():
    """The progress display of one import (a bar on a terminal, log lines otherwise)."""
    console = err_console()
    if console.is_terminal:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
        columns = (TextColumn("{task.fields[files]}"), BarColumn(), TextColumn("{task.completed}/{task.total} pages"),
                   TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), TextColumn("{task.fields[current]}"))
        with Progress(*columns, console=console, transient=True) as bar:
            yield IngestProgress(console, bar)
        return
    progress, stop = IngestProgress(console, None), threading.Event()
    ticker = threading.Thread(target=_tick, args=(progress, stop), daemon=True)
    ticker.start()
    try:
        yield progress
    finally:
        stop.set()
        ticker.join()


def _tick(progress: IngestProgress, stop: threading.Event) -> None:
    while not stop.wait(1.0):
        progress.heartbeat()


def print_report(report) -> None:
    console = err_console()
    for failure in report.failures:
        console.print(f"Error: {failure.path}: {failure.reason}", markup=False)
    for path, warning in report.warnings:
        console.print(f"Warning: {display_path(path)}: {warning}", markup=False)
    for path, reason in report.skipped:
        console.print(f"Skipped: {path}: {reason}", markup=False)
    if report.workers.why:
        console.print(f"{report.workers.started} worker(s) beside this process: {report.workers.why}", markup=False)
    c = report.counts
    console.print(f"imported {c['imported']} ({c['articles']} articles, {c['pages']} pages), "
                  f"already present {c['present']}, duplicates {c['duplicate']}, "
                  f"failed {c['failed']}, skipped {c['skipped']}, warnings {c['warnings']}", markup=False)
