"""The work one document needs before it is stored: parse and tag, under guards.

Runs in worker processes (joblib/loky, or a Dask cluster); only picklable values cross the
process boundary. The parent process is the only writer of the corpus.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import traceback
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from corpus.store import ArticleTags
from errors import (DocumentTooLarge, DocumentTooSlow, JianbaoError, UnexpectedFailure)
from ingest.document import Bulletin
from pipeline.lifeline import cap_process, caused_by_memory, default_memory_mb, die_with_parent


MACHINE = "machine"       # Limits.memory_mb: half of the machine's memory shared by the workers


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-document guards: wall time, and the memory a document may use: MB, None for no
    ceiling, or MACHINE. A worker holds it as its address-space limit; the importing process
    (--jobs 1) never lowers its own (pdfium would abort the whole run on a failed allocation)
    and measures what a PDF's streams inflate to against it instead (ingest.streams)."""

    seconds: float | None = 900.0
    memory_mb: int | str | None = MACHINE

    def sized(self, jobs: int = 1) -> "Limits":
        """These limits with a MACHINE ceiling turned into MB for `jobs` workers."""
        if self.memory_mb != MACHINE:
            return self
        return replace(self, memory_mb=default_memory_mb(jobs))


@dataclass(frozen=True, slots=True)
class Job:
    path: str
    digest: str
    ocr: str = "auto"
    models_dir: str | None = None
    limits: Limits = Limits()
    isolated: bool = True            # in a worker process: the memory ceiling may be applied
    threads: int | None = None       # native threads (OCR, BLAS) this worker may use (None: all)
    series: tuple[str, ...] = ()     # masthead names the user configured (Settings.series)
    ocr_engine: str | None = None    # the OCR inference engine (None: ingest's default)
    known_issues: frozenset = frozenset()   # issues stored from a text PDF: a scan of one is a duplicate
    pages_file: str | None = None    # a byte is appended per page read (pipeline/page_watch.py)
    pages: int | None = None         # pages counted before the run (ingest.pagecount), None if not
    claim: str | None = None         # a file whoever reads the job creates first (pipeline.pool._steal)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A worker's answer: a tagged bulletin, or the error the document failed with, as data
    (`JianbaoError.to_dict()`: its class and fields cross the process boundary, not a string)."""

    path: str
    digest: str
    bulletin: Bulletin | None = None
    tags: tuple[ArticleTags, ...] | None = None
    failure: dict | None = None
    pages: int = 0
    seconds: float = 0.0
    segments: tuple[tuple[str, str], ...] | None = None   # search tokens, cut in the worker
    duplicate_of: str | None = None      # the stored issue this scan holds (known from page 1)
    taken: bool = False                  # not read: its claim was taken (by the importing process)

    @property
    def error(self) -> JianbaoError | None:
        return JianbaoError.from_dict(self.failure) if self.failure is not None else None


class DocumentTimeout(BaseException):
    """Raised by the alarm; a BaseException so that no reader's `except Exception` hides it."""


@lru_cache(maxsize=2)
def _tagger(models_dir: str):
    """One loaded model per worker process (loading spaCy and jieba takes seconds)."""
    from pipeline.tagging import load_bulletin_tagger
    return load_bulletin_tagger(models_dir)


def search_segments(bulletin: Bulletin) -> tuple[tuple[str, str], ...]:
    """Title and text of each article as search tokens: jieba work done here, not in the writer."""
    from models.tokenize import segment_for_search
    return tuple((segment_for_search(a.title + " " + (a.subtitle or "")), segment_for_search(a.text))
                 for a in bulletin.articles)


def _on_alarm(signum, frame):
    raise DocumentTimeout()


@lru_cache(maxsize=1)
def _share_cores(threads: int) -> None:
    """N workers on C cores: each runs its BLAS on C/N threads, not C (oversubscribed workers
    were slower together than one alone: python -m bench bulk); OCR gets the same number."""
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=threads)


def init_worker(parent: int, models_dir: str | None, memory_mb: int | None, threads: int | None) -> None:
    """A worker process's start (the pool's initializer): die with the parent, cap memory, share
    the cores, and warm up once, before the first document."""
    die_with_parent(parent)
    if memory_mb:
        cap_process(memory_mb)
    if threads:
        _share_cores(threads)
    warm_up(models_dir)


def warm_up(models_dir: str | None) -> float:
    """Import what reading a text PDF needs and load the model and the segmenter: a worker's start
    beyond its spawn, which this process pays too before its first document (pipeline.pool times
    it there to tell whether a worker pays off). Seconds taken."""
    started = time.perf_counter()
    import ingest.plumber_reader  # noqa: F401 - pdfplumber: the first document's import otherwise
    import ingest.reader  # noqa: F401
    from models.tokenize import segment_for_search
    segment_for_search("")
    if models_dir:
        try:
            _tagger(models_dir)
        except Exception:            # noqa: BLE001 - each document then names the failure itself
            pass
    return time.perf_counter() - started


def _ocr_options(job: Job):
    """The job's OCR settings: its threads, and its engine when one was chosen."""
    if job.ocr_engine is None:
        return job.threads
    from ingest.ocr_options import OcrOptions
    return OcrOptions(threads=job.threads, engine=job.ocr_engine)


def _known_scan(job: Job) -> str | None:
    """The issue id when the document is a scan of an issue already stored from a text PDF
    (read from its first page only; OCR of the other pages is saved), else None."""
    if not job.known_issues:
        return None
    from corpus.store import issue_id_for
    from ingest.reader import probe_scan
    probe = probe_scan(job.path, job.ocr, _ocr_options(job), job.series)
    if probe is None or not (probe.meta.series and probe.meta.year and probe.meta.issue_no):
        return None
    issue_id = issue_id_for(probe)
    return issue_id if issue_id in job.known_issues else None


def claim(path: str) -> bool:
    """Take the claim at `path`: True for the first process to ask (an exclusive create)."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except (FileExistsError, FileNotFoundError):      # not found: the run is over, its claims gone
        return False
    return True


def work(job: Job) -> Parsed:
    """Parse and tag one document; every failure comes back as data, never as an exception. A job
    with a claim someone else took is not read (`taken`)."""
    if job.claim and not claim(job.claim):
        return Parsed(job.path, job.digest, taken=True)
    started = time.perf_counter()
    main = threading.current_thread() is threading.main_thread()
    job = replace(job, limits=job.limits.sized(1)) if job.limits.memory_mb == MACHINE else job
    if job.isolated and job.limits.memory_mb:
        cap_process(job.limits.memory_mb)
    if job.threads:
        _share_cores(job.threads)
    # the alarm needs the main thread: loky runs tasks there; Dask workers run them in threads,
    # where the cluster's own timeouts apply instead
    timed = bool(job.limits.seconds) and hasattr(signal, "SIGALRM") and main
    if timed:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, job.limits.seconds)
    # no address-space ceiling in this process (pdfium aborts the whole process when an
    # allocation fails under one): here a document's compressed streams are measured against
    # the ceiling before pdfium inflates them (ingest.streams), in a worker the kernel holds it
    from ingest.streams import memory_budget
    budget = job.limits.memory_mb << 20 if job.limits.memory_mb and not job.isolated else None
    try:
        with memory_budget(budget):
            return _parse_and_tag(job, started)
    except DocumentTimeout:
        error = DocumentTooSlow(job.path, f"{job.limits.seconds:g} s")
    except MemoryError:
        error = too_large(job)
    except JianbaoError as exc:
        error = too_large(job) if caused_by_memory(exc) else \
            exc if exc.path is not None else UnexpectedFailure(job.path, str(exc))
    except RecursionError:
        error = UnexpectedFailure(job.path, "nested too deeply to read (recursion limit)")
    except Exception as exc:                 # a bug or a library failure on a strange file
        if caused_by_memory(exc):
            error = too_large(job)
        else:
            last = traceback.extract_tb(exc.__traceback__)[-1]
            error = UnexpectedFailure(job.path, f"{type(exc).__name__}: {exc} ({Path(last.filename).name}:{last.lineno})")
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    return Parsed(job.path, job.digest, failure=error.to_dict(), seconds=time.perf_counter() - started)


def _parse_and_tag(job: Job, started: float) -> Parsed:
    from ingest.page_progress import on_pages_done
    from ingest.reader import parse_file
    duplicate = _known_scan(job)
    if duplicate:
        return Parsed(job.path, job.digest, duplicate_of=duplicate, seconds=time.perf_counter() - started)
    with on_pages_done(_pages_to(job.pages_file)):
        bulletin = parse_file(job.path, ocr=job.ocr, ocr_threads=_ocr_options(job), series=job.series)
    tags = tuple(_tagger(job.models_dir)(bulletin)) if job.models_dir else None
    return Parsed(job.path, job.digest, bulletin, tags, pages=bulletin.source.n_pages,
                  seconds=time.perf_counter() - started, segments=search_segments(bulletin))


def _pages_to(pages_file: str | None):
    """A listener appending a byte per page read to `pages_file` (started empty: a retried
    document counts from 0), or None. Progress never fails a document: write errors are ignored."""
    if pages_file is None or not _append(pages_file, b"", "wb"):
        return None
    return lambda n: _append(pages_file, b"." * n)


def _append(path: str, data: bytes, mode: str = "ab") -> bool:
    try:
        with open(path, mode) as fh:
            fh.write(data)
        return True
    except OSError:
        return False


def too_large(job: Job) -> DocumentTooLarge:
    return DocumentTooLarge(job.path, f"the ceiling is {job.limits.memory_mb} MB (--max-memory-mb)")
