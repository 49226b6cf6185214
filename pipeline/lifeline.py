"""What keeps a worker process honest: it dies with the process that started it, and its address
space has a ceiling sized to the machine.

A worker left behind by a killed `jianbao ingest` went on OCR'ing for 15 minutes holding gigabytes
(issue 18); on Linux the kernel kills it with its parent (prctl PR_SET_PDEATHSIG), elsewhere (or
if prctl fails) a thread polls the parent's pid once a second.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import threading
import time
from functools import lru_cache

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 1.0
MACHINE_SHARE = 0.5          # of the machine's memory, split between the workers
MIN_CEILING_MB = 4096        # address space, not resident memory: OCR threads reserve much they never touch


def _death_signal() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; False where that is unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _poll_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(1)


def die_with_parent(parent: int, kernel: bool = True) -> None:
    """Make this process end when `parent` (the pid that started it) ends: the kernel's death
    signal where there is one (unless `kernel` is False), and in any case a daemon thread polling
    the parent pid (which also covers a parent that died before the signal was asked for).

    Linux sends the death signal when the *thread* that started the process ends: a pool whose
    processes may be started from short-lived threads (a server's) polls only."""
    if kernel:
        _death_signal()
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_poll_parent, args=(parent,), name="jianbao-parent-watch", daemon=True).start()


def machine_memory_mb() -> int | None:
    """Physical memory of the machine in MB (None if the OS will not say)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2**20
    except (ValueError, OSError, AttributeError):
        return None


def default_memory_mb(jobs: int = 1) -> int | None:
    """The default ceiling per worker: half of the machine's memory shared by `jobs` workers (at
    least MIN_CEILING_MB); None when the machine's memory is unknown."""
    total = machine_memory_mb()
    return max(MIN_CEILING_MB, int(total * MACHINE_SHARE / max(1, jobs))) if total else None


@lru_cache(maxsize=1)
def cap_process(memory_mb: int) -> None:
    """Cap this (worker) process's address space for good, so a bomb fails with MemoryError
    instead of taking the machine (and the batch) down."""
    limit = memory_mb * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or limit < hard:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def caused_by_memory(exc: BaseException) -> bool:
    """Whether a MemoryError is behind `exc` (a reader that wraps every failure of a file as
    "corrupt or truncated" keeps the MemoryError as its cause)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, MemoryError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False
