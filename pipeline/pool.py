"""Where documents are read: in this process, on loky workers beside it, or on a Dask cluster.

With several jobs this process reads documents too, beside at most `jobs - 1` workers
(`_shared`): it starts on the first document at once, and starts workers only once the reading left
repays their start (a worker's spawn, its imports and its model cost as much as several small
bulletins: `--jobs 2` on 10 files took 1.7x the time of `--jobs 1` on a loaded machine, python -m
bench bulk --issues 10 --alternate 5). It is the only writer of the corpus either way.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import deque
from dataclasses import dataclass, replace
from typing import Callable, Iterator

from errors import UsageError, WorkerDied
from pipeline.worker import Job, Parsed, claim, init_worker, too_large, warm_up, work

AHEAD = 3      # documents handed to each worker at a time: one read, two waiting while this process reads one


def run_jobs(jobs: list[Job], n_jobs: int = 1, scheduler: str | None = None,
             update: Callable[[Job], Job] | None = None, log: WorkerLog | None = None) -> Iterator[Parsed]:
    """Parse/tag jobs in worker processes (loky), on a Dask cluster, or in this process;
    `update` completes each job in the parent just before it is read or handed to a worker, so
    it sees what the run stored by then (on a cluster: all before they start). Jobs marked
    `isolated` are all read in workers; otherwise this process reads its share beside up to
    `n_jobs - 1` workers, as many as pay off, and `log` says how many it started and why."""
    if not jobs:
        return
    update = update or (lambda job: job)
    if n_jobs == 1 and scheduler is None and not jobs[0].isolated:
        yield from map(work, _Updated(jobs, update))
        return
    if n_jobs == 1 and scheduler is None:      # one worker: each job completed just before it runs
        yield from _loky(_Updated(jobs, update), 1)
        return
    if scheduler is None and not jobs[0].isolated:
        yield from _shared(jobs, n_jobs, update, log or WorkerLog())
        return
    jobs = [update(job) for job in jobs]     # joblib dispatches from its own thread: complete them here
    if scheduler is None:
        yield from _loky(jobs, n_jobs)
        return
    from joblib import Parallel, delayed, parallel_backend
    try:
        from distributed import Client
    except ImportError as exc:
        raise UsageError("--scheduler needs Dask's `distributed`, which is not installed",
                         hint="pip install 'jianbao[cluster]'") from exc
    with Client(scheduler), parallel_backend("dask"):
        yield from Parallel(return_as="generator_unordered")(delayed(work)(j) for j in jobs)


class _Updated(list):
    """The jobs, each updated when it is taken (iteration is lazy, in the parent)."""

    def __init__(self, jobs: list[Job], update: Callable[[Job], Job]):
        super().__init__(jobs)
        self.update = update

    def __iter__(self):
        return (self.update(job) for job in list.__iter__(self))


def _shared(jobs: list[Job], n_jobs: int, update: Callable[[Job], Job], log: WorkerLog) -> Iterator[Parsed]:
    """Read the jobs here and on up to `n_jobs - 1` workers, started only once they pay off
    (`_Pace`: this process warms up and reads a document first, which measures both sides). Workers
    are handed jobs once one has started (a probe job returns: a job handed to a worker still
    starting waited for it while this process could have read it), each at most AHEAD (one near
    the end, so this process does not wait long for a slower worker's last ones) and never more
    than their share of what is left; this process reads the next job whenever it is free, in a
    memory budget as with one job (`Job.isolated` False), and hands on the workers' results between
    its own; with nothing left to hand, it takes back a job a worker holds but has not started
    (`_steal`) rather than wait for it. When a worker dies, each job its pool held is read again
    alone (the one that killed it is named) and a new pool goes on."""
    from concurrent.futures import FIRST_COMPLETED, wait
    todo, running, pools, size = deque(jobs), {}, [], 0
    pace = _Pace(warm_up(jobs[0].models_dir), jobs, log.start_s, seen=_started_in)
    ready, claims = None, _Claims()
    try:
        while todo or running:
            if not pools and pace.seconds and todo:
                size = pace.workers(todo, n_jobs - 1, log)
                if size:
                    pools.append(_pool(jobs[0], size))
                    ready = _probe(pools[0], log)
            if ready is not None and ready.done():
                _hand(todo, running, pools[-1], size, lambda job: replace(update(job), claim=claims.new()))
            done = [f for f in running if f.done()]
            mine = todo.popleft() if todo else None if done else _steal(running, log)
            if mine is None and not done and running:
                done = wait(running, return_when=FIRST_COMPLETED)[0]
            for future in done:
                job, pool = running.pop(future)
                parsed = _result(future, job)
                if parsed is None:                  # its worker died: the pool is broken
                    if pool is pools[-1]:
                        pools.append(_pool(job, size))
                    parsed = _alone(replace(job, claim=None))
                yield parsed
            if mine is not None:
                parsed = work(replace(update(mine), isolated=False, claim=None))
                pace.read(mine, parsed)
                yield parsed
    finally:
        for pool in pools:       # every result is in (or the run stops): nothing to wait for
            pool.shutdown(wait=False, kill_workers=True)
        claims.close()


def _hand(todo: deque, running: dict, pool, size: int, update: Callable[[Job], Job]) -> None:
    """Hand `size` started workers jobs: at most AHEAD each (one near the end, so this process
    does not wait long for a slower worker's last ones), never more than their share of what is
    left."""
    share = (len(todo) + len(running)) * size // (size + 1)
    ahead = AHEAD if len(todo) > AHEAD * (size + 1) else 1
    while todo and len(running) < min(ahead * size, share):
        job = replace(update(todo.popleft()), isolated=True)
        running[pool.submit(work, job)] = (job, pool)


def _steal(running: dict, log: WorkerLog) -> Job | None:
    """The job handed last that no worker has started (its claim taken here first: a worker that
    finds it taken skips it), or None; it leaves `running`."""
    for future, (job, _) in reversed(list(running.items())):
        if job.claim and claim(job.claim):
            del running[future]
            log.taken_back += 1
            return job
    return None


CLAIMS_PREFIX = "jianbao-claims-"


class _Claims:
    """Where this run's claims are made: one new file name per job handed to a worker, in a
    folder named by this process; the folders of runs whose process is gone (killed with -9)
    are removed when the next run makes its own."""

    def __init__(self):
        self.folder, self.n = None, 0

    def new(self) -> str:
        if self.folder is None:
            sweep_claims()
            self.folder = tempfile.mkdtemp(prefix=f"{CLAIMS_PREFIX}{os.getpid()}-")
        self.n += 1
        return os.path.join(self.folder, str(self.n))

    def close(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def sweep_claims(where: str | None = None) -> None:
    """Remove the claims folders whose run's process no longer exists."""
    from pathlib import Path
    for folder in Path(where or tempfile.gettempdir()).glob(f"{CLAIMS_PREFIX}*-*"):
        pid = folder.name[len(CLAIMS_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:                 # another user's process
        return True
    return True


@dataclass(slots=True)
class WorkerLog:
    """What `run_jobs` did about workers, for the run's record: how many it started, why (or why
    none), and how long the first took to start; `start_s`, if given, is the start-up it weighs
    instead of measuring it (0: a worker for every two documents left, up to `n_jobs - 1`)."""

    start_s: float | None = None
    started: int = 0
    why: str = ""
    started_in: float | None = None
    taken_back: int = 0      # jobs handed to a worker that this process read instead (`_steal`)


SPAWN_S = 0.8     # a worker's start beyond the warm-up this process times: its interpreter and loky's
#                   bootstrap until the initializer runs (0.50-0.55 s on 2 loaded cores), and importing
#                   loky here (0.27-0.34 s), which this process waits for
MARGIN = 3.0      # a worker is started for every MARGIN start-ups' worth of reading left: on an idle
#                   core it saves (left - start) / 2, but on 2 cores beside one other busy process it
#                   adds only a third of a core (3 processes share 2), so it must have 3 start-ups' worth
#                   to repay its start; a worker forced on 10 small files (JIANBAO_WORKER_START_S=0) took
#                   1.4-1.7x the time of --jobs 1 on 2 loaded cores
_started_in: list[float] = []     # start-ups of workers seen in this process (a server's later runs)


def _probe(pool, log: WorkerLog):
    """A job that returns once a worker has started, timed into `log` (and kept for later runs)."""
    submitted = time.perf_counter()

    def seen(_) -> None:
        log.started_in = time.perf_counter() - submitted
        _started_in.append(log.started_in)
    ready = pool.submit(os.getpid)
    ready.add_done_callback(seen)
    return ready


class _Pace:
    """This process's measured pace, to tell whether a worker pays off: the reading left (its
    pages, counted before the run, else documents) at this process's seconds per page so far,
    against a worker's start-up (this process's own warm-up plus its spawn, or one seen)."""

    def __init__(self, warm_up_s: float, jobs: list[Job], start_s: float | None = None, seen=()):
        self.start_s = max([warm_up_s + SPAWN_S, *seen]) if start_s is None else start_s
        known = [job.pages for job in jobs if job.pages]
        self.typical = sum(known) / len(known) if known else 1.0
        self.seconds: list[float] = []           # per page, of each document read here

    def size(self, job: Job) -> float:
        return job.pages or self.typical

    def read(self, job: Job, parsed: Parsed) -> None:
        self.seconds.append(parsed.seconds / self.size(job))

    def workers(self, todo, most: int, log: WorkerLog) -> int:
        """Workers to start now: one per MARGIN start-ups of reading left, at most `most`."""
        per_page = sorted(self.seconds)[len(self.seconds) // 2]
        left = sum(map(self.size, todo)) * per_page
        repaid = int(left / (MARGIN * self.start_s)) if self.start_s else most
        n = max(0, min(most, len(todo) // 2, repaid))
        if n or not log.why:        # why none: as first weighed, with the most left
            log.started = n
            log.why = (f"{len(todo)} document(s) left after {len(self.seconds)} read here, about {left:.1f} s "
                       f"of reading, {'over' if n else 'under'} {MARGIN:g}x a worker's start-up of about "
                       f"{self.start_s:.1f} s")
        return n


def _result(future, job: Job) -> Parsed | None:
    """A worker's answer, None if the worker died."""
    from joblib.externals.loky.process_executor import TerminatedWorkerError
    try:
        return future.result()
    except TerminatedWorkerError:
        return None


def _alone(job: Job) -> Parsed:
    """A job read alone in a fresh worker (after its pool's worker died), named if it kills it."""
    from joblib.externals.loky.process_executor import TerminatedWorkerError
    try:
        return next(_pooled([job], 1))
    except TerminatedWorkerError as exc:
        return Parsed(job.path, job.digest, failure=_death(job, exc).to_dict())


def _loky(jobs: list[Job], n_jobs: int) -> Iterator[Parsed]:
    """Run on loky workers, each started once (`init_worker`: dies with this process, caps its
    memory, loads the model) and reused for every document; if a worker dies, finish the rest one
    at a time and name the document that killed it."""
    from joblib.externals.loky.process_executor import TerminatedWorkerError
    done: set[str] = set()
    try:
        for parsed in _pooled(jobs, n_jobs):
            done.add(parsed.path)
            yield parsed
        return
    except TerminatedWorkerError:
        pass
    for job in (j for j in jobs if j.path not in done):
        yield _alone(job)


def _death(job: Job, exc: Exception):
    """Why a worker died on `job`: an abort under a memory ceiling is the ceiling (pdfium aborts
    when an allocation fails), anything else a dead worker."""
    if job.limits.memory_mb and "SIGABRT" in str(exc):
        return too_large(job)
    return WorkerDied(job.path, type(exc).__name__)


def _pool(first: Job, workers: int):
    """A loky pool of `workers` processes started with `init_worker` (the first job's settings)."""
    from joblib.externals.loky import ProcessPoolExecutor
    return ProcessPoolExecutor(max_workers=workers, initializer=init_worker,
                               initargs=(os.getpid(), first.models_dir, first.limits.memory_mb, first.threads))


def _pooled(jobs: list[Job], n_jobs: int) -> Iterator[Parsed]:
    """The jobs' results as they finish, from a pool of `n_jobs` workers shut down at the end
    (killed at once if the caller stops early: Ctrl-C, or a worker that died)."""
    from concurrent.futures import as_completed
    pool = _pool(jobs[0], min(n_jobs, len(jobs)))
    finished = False
    try:
        if n_jobs == 1:                           # in order, each job taken (and updated) when it runs
            for job in jobs:
                yield pool.submit(work, job).result()
        else:
            for future in as_completed([pool.submit(work, job) for job in jobs]):
                yield future.result()
        finished = True
    finally:
        pool.shutdown(wait=finished, kill_workers=not finished)
