"""Import files into the corpus: walk paths, parse and tag in workers, store in the parent.

The batch behind `jianbao ingest`: good files go in, each bad one is named with its reason,
a document already stored is skipped by its hash (so a stopped run resumes by running the same
command again), and each document is committed in its own transaction.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from corpus.store import AddResult, Corpus
from errors import DocumentTooLarge, Interrupted, JianbaoError, NotARegularFile, UnreadableFile, display_path
from ingest.reader import file_kind, folder_digest, page_images, sha256_file
from pipeline.page_watch import PageWatch
from pipeline.pool import WorkerLog, run_jobs
from pipeline.worker import Job, Limits, Parsed


@dataclass(frozen=True, slots=True)
class Failure:
    """One input that failed: its path, the reason (without the path) and the error's class."""

    path: str
    reason: str
    error_type: str = "JianbaoError"

    @classmethod
    def of(cls, exc: JianbaoError, path: str | Path) -> "Failure":
        return cls(display_path(path), exc.without_path(), type(exc).__name__)


@dataclass(slots=True)
class ImportReport:
    """Counts and details of one import run; `exit_code` is 0, or 1 if any input failed."""

    run_id: int | None = None
    results: list[AddResult] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)   # (path, message)
    skipped: list[tuple[str, str]] = field(default_factory=list)    # (path, reason): not imported
    pages: int = 0
    workers: WorkerLog = field(default_factory=WorkerLog)           # started beside this process, why

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def counts(self) -> dict[str, int]:
        """Per file, as it ends: a file imported and later replaced by a better source of the
        same issue in this run counts as a duplicate, not as imported."""
        here = {r.sha256 for r in self.results if r.status in ("imported", "replaced")}
        superseded = sum(1 for r in self.results if r.status == "replaced" and r.replaced in here)
        return {"imported": self.count("imported") + self.count("replaced") - superseded,
                "present": self.count("present"),
                "duplicate": self.count("duplicate") + superseded,
                "failed": len(self.failures), "warnings": len(self.warnings),
                "skipped": len(self.skipped),
                "articles": sum(r.n_articles for r in self.results if r.sha256 not in
                                {x.replaced for x in self.results if x.status == "replaced"}),
                "pages": self.pages}

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0


SKIPPED_DIRS = ("src",)          # examples/src holds the sources the sample PDFs are rendered from


def iter_inputs(paths: Iterable[str | Path], image_folders: bool = True, seen: set | None = None,
                skipped: list | None = None) -> Iterator[Path]:
    """Files to import, folders walked recursively in name order (symlink loops are cut);
    the page images of a folder whose files are all images are one scanned issue (unless
    image_folders is False), and its sub-folders are walked as well: each is its own issue.
    Inside folders, what is not imported is added to `skipped` as (path, reason): hidden files,
    source folders, files that are not regular files, and files whose content is no PDF or
    image (sniffed, whatever the name says: 2025-11.PDF.txt is read as the PDF it is)."""
    seen = set() if seen is None else seen
    skipped = [] if skipped is None else skipped
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            yield path
            continue
        real = path.resolve()
        if real in seen:
            continue
        seen.add(real)
        loose_pages = image_folders and page_images(path)
        if loose_pages:
            yield path                           # the loose pages are one issue; sub-folders are walked
        for child in sorted(path.iterdir(), key=lambda p: p.name):
            if loose_pages and child in loose_pages:
                continue
            reason = _skip_reason(child)
            if reason:
                skipped.append((display_path(child), reason))
            elif child.is_dir():
                yield from iter_inputs([child], image_folders, seen, skipped)
            else:
                yield child


DOCUMENT_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")


def _skip_reason(path: Path) -> str:
    """Why a folder entry is not imported ('' when it is). A file named as a document is always
    tried (a broken one is then named as failed); any other file is tried when its content is a
    PDF or an image (2025-11.PDF.txt) and skipped with the reason otherwise."""
    if path.name.startswith("."):
        return "hidden"
    if path.is_dir():
        return "source folder of the samples" if path.name in SKIPPED_DIRS else ""
    if path.is_symlink() and not path.exists():
        return ""                                # a dangling or looping link: named as failed
    if not path.is_file():
        return "not a regular file (a FIFO, device or socket)"
    if path.suffix.lower() in DOCUMENT_SUFFIXES:
        return ""
    try:
        file_kind(path)
    except JianbaoError as exc:
        return exc.without_path()
    return ""


def _check_regular(path: Path) -> None:
    """Refuse, before opening it, what is not a regular file or folder: reading a FIFO blocks
    forever and /dev/zero never ends."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return                                   # hashing names the missing file
    except OSError as exc:
        raise UnreadableFile(path, exc.strerror or str(exc)) from exc
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise NotARegularFile(path)


def _check_size(path: Path, memory_mb: int | None) -> None:
    """Refuse, before reading it, a file larger than the memory a document may use: a reader
    may hold it whole (pdfminer does, looking for the cross-reference table of a broken PDF), and
    the worker would refuse it anyway (ingest.streams), after minutes of hashing 20 GB."""
    if not memory_mb or not path.is_file():
        return
    size = path.stat().st_size
    if size > memory_mb << 20:
        raise DocumentTooLarge(path, f"the file is {size >> 20} MB, over the ceiling of {memory_mb} MB "
                                     "(--max-memory-mb)")


def digest_of(path: Path, within: float | None = None) -> str:
    """The document's identity, read within `within` seconds (the time limit per document: a
    20 GB file is named as too slow instead of holding up the batch before any limit applies)."""
    return folder_digest(page_images(path), within, path) if path.is_dir() else sha256_file(path, within)


def _prepare(corpus: Corpus, path: Path, report: ImportReport, make_job,
             limits: Limits = Limits(None, None)) -> Job | None:
    """Skip what is stored already; name what cannot even be hashed (within the time limit, and
    under the memory ceiling); else a job."""
    try:
        _check_regular(path)
        _check_size(path, limits.sized(1).memory_mb)
        digest = digest_of(path, limits.seconds)
    except (OSError, JianbaoError) as exc:
        error = exc if isinstance(exc, JianbaoError) else UnreadableFile(path, exc.strerror or str(exc))
        report.failures.append(Failure.of(error, path))
        corpus.record_failure(f"path:{display_path(path)}", display_path(path),
                              report.failures[-1].reason, report.run_id)
        return None
    if corpus.has_document(digest):
        report.results.append(AddResult("present", digest, corpus.document_issue(digest)))
        return None
    return make_job(str(path), digest)


def _store(corpus: Corpus, parsed: Parsed, report: ImportReport, on_error: str):
    if parsed.duplicate_of is not None:           # a scan of an issue stored from a text PDF
        result = corpus.record_duplicate(parsed.digest, display_path(parsed.path), parsed.duplicate_of,
                                         report.run_id)
        report.results.append(result)
        return result
    if parsed.failure is not None:
        error = parsed.error
        if on_error == "raise":
            raise error
        report.failures.append(Failure.of(error, parsed.path))
        corpus.record_failure(parsed.digest, display_path(parsed.path), report.failures[-1].reason,
                              report.run_id)
        return report.failures[-1]
    result = corpus.add_bulletin(parsed.bulletin, parsed.tags, report.run_id, parsed.segments)
    report.results.append(result)
    report.pages += parsed.pages
    report.warnings += [(parsed.path, f"{w.code} (page {w.page}): {w.message}")
                        for w in parsed.bulletin.warnings]
    return result


# documents per process below which another one costs more than it saves: best of 3, idle 2 cores,
# --jobs 2 vs --jobs 1 (this process reading beside a worker): 10 files 0.97x, 16 files 1.08x,
# 24 files 1.24x, 500 files 1.80x
PAYS_OFF = 8


def default_jobs(n_documents: int, cpus: int | None = None, load: float | None = None) -> int:
    """Processes that pay off: one per PAYS_OFF documents, at most one per core the rest of the
    machine leaves idle (its 1-minute load average: a worker's start, its imports and its model,
    costs about as much as two small bulletins, and on 2 cores at load 4 `--jobs 2` of 100 files
    took 1.17x the time of `--jobs 1`: python -m bench bulk)."""
    if cpus is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if load is None:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    idle = int(cpus - load + 0.5)
    return max(1, min(cpus, idle, n_documents // PAYS_OFF))


def _plan(todo: list[Job], progress) -> list[Job]:
    """Tell a progress display what is to come (files and their pages, counted cheaply), if it
    wants to know (`progress.planned(files, pages)`): totals and an ETA instead of `1/?`. The jobs,
    with their pages when counted (the pool weighs the reading left by them)."""
    planned = getattr(progress, "planned", None)
    if planned is None:
        return todo
    from ingest.pagecount import count_pages
    todo = [replace(job, pages=count_pages(job.path)) for job in todo]
    planned(len(todo), {job.path: job.pages or 0 for job in todo})
    return todo


def import_paths(corpus: Corpus, paths: Iterable[str | Path], models_dir: str | Path | None = None,
                 ocr: str = "auto", on_error: str = "record", image_folders: bool = True,
                 jobs: int | None = 1, limits: Limits = Limits(), scheduler: str | None = None,
                 isolated: bool | None = None, ocr_threads: int | None = None,
                 series: tuple[str, ...] = (), ocr_engine: str | None = None,
                 worker_start_s: float | None = None,
                 progress: Callable[[str, AddResult | Failure, ImportReport], None] | None = None
                 ) -> ImportReport:
    """Import every input; with on_error="record" a bad file is reported and the rest goes on.
    `jobs=None` chooses the workers that pay off for the documents to do (`default_jobs`); any
    `jobs` is at most that many processes, workers starting once they pay off (pipeline.pool;
    `worker_start_s` a worker's start-up to weigh, None to measure it);
    a MACHINE memory ceiling (the default) is sized to the machine's memory shared by the workers
    (`lifeline.default_memory_mb`); it holds in a worker and in this process alike."""
    paths = [str(p) for p in paths]
    report = ImportReport(run_id=corpus.start_run({"paths": [display_path(p) for p in paths],
                                                   "ocr": ocr, "jobs": jobs or "auto"}),
                          workers=WorkerLog(start_s=worker_start_s))
    try:
        todo = []
        for path in iter_inputs(paths, image_folders, skipped=report.skipped):
            job = _prepare(corpus, path, report, lambda p, d: Job(p, d), limits)
            if job is None:
                progress and progress(str(path), (report.failures or report.results)[-1], report)
            else:
                todo.append(job)
        n_jobs = jobs or (1 if scheduler else default_jobs(len(todo)))
        todo = [_complete(job, ocr, models_dir, limits.sized(n_jobs),
                          _isolated(n_jobs, scheduler, limits) if isolated is None else isolated,
                          _threads(n_jobs, scheduler, ocr_threads), series, ocr_engine) for job in todo]
        todo = _plan(todo, progress)

        def update(job: Job) -> Job:
            getattr(progress, "started", None) and progress.started(job.path)
            return replace(job, known_issues=corpus.text_issues())
        with PageWatch(None if scheduler else getattr(progress, "pages_read", None)) as watch, \
                corpus.unsynced_commits():              # finish_run's commit makes them durable
            for parsed in run_jobs([watch.attach(job) for job in todo], n_jobs, scheduler, update=update,
                                   log=report.workers):
                watch.finished(parsed.path)
                outcome = _store(corpus, parsed, report, on_error)
                progress and progress(parsed.path, outcome, report)
    except KeyboardInterrupt:
        corpus.finish_run(report.run_id, report.counts, state="interrupted", notes=_notes(report))
        raise Interrupted(f"interrupted: {report.counts['imported']} file(s) imported in this run;"
                          " run the same command again to finish (stored files are skipped)") from None
    corpus.finish_run(report.run_id, report.counts, notes=_notes(report))
    return report


def _notes(report: ImportReport) -> dict:
    """What the run's record keeps beside its counts: the workers started beside this process
    and why (a `--jobs` is at most that many: a worker starts only when it pays off)."""
    log = report.workers
    if not log.why:
        return {}
    started = f"; the first started in {log.started_in:.1f} s" if log.started_in is not None else ""
    back = f"; {log.taken_back} document(s) handed to a worker read here instead" if log.taken_back else ""
    return {"workers": log.started, "workers_why": log.why + started + back}


def _isolated(jobs: int, scheduler: str | None, limits: Limits) -> bool:
    """Whether every document is read in a worker process: on a cluster. Otherwise this process
    reads documents too (with several jobs, beside `jobs - 1` workers: pipeline.pool), since a
    worker's start costs more than a small import: the ceiling then holds by measuring what a
    PDF's streams inflate to before pdfium reads it (ingest.streams), since an address-space
    limit on this process would let pdfium abort the whole run; in a worker the kernel holds it."""
    return scheduler is not None


def _threads(jobs: int, scheduler: str | None, ocr_threads: int | None) -> int | None:
    """Native threads per worker: the cores shared between local workers, else as configured."""
    return max(1, (os.cpu_count() or 1) // jobs) if jobs > 1 and scheduler is None else ocr_threads


def _complete(job: Job, ocr: str, models_dir, limits: Limits, isolated: bool, threads: int | None,
              series: tuple[str, ...], ocr_engine: str | None = None) -> Job:
    return replace(job, ocr=ocr, models_dir=str(models_dir) if models_dir else None, limits=limits,
                   isolated=isolated, threads=threads, series=tuple(series), ocr_engine=ocr_engine)
