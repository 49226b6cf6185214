"""Pure bytes: how far a PDF's compressed streams inflate, measured in bounded steps.

pypdfium2 inflates content streams and fonts in C++, where an allocation refused by an
address-space ceiling (the importer's `--max-memory-mb`) aborts the whole process instead of
raising MemoryError as pdfminer's Python inflation does. Under a ceiling the reader therefore
measures first: every Flate stream that is not an image (pdfium decodes no image to read text)
is inflated 1 MB at a time and thrown away, so the measure itself needs no memory.
"""

from __future__ import annotations

import mmap
import re
import resource
import zlib
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

STREAM_RE = re.compile(rb"stream\r?\n")
IMAGE_RE = re.compile(rb"/Subtype\s*/Image")
STEP = 1 << 20
FLOOR = 256 << 20         # a bulletin's streams inflate to 1-5 MB, a 700-page report's to ~100


def inflated_bytes(data: bytes | mmap.mmap, stop_after: int) -> int:
    """Bytes the Flate streams of a PDF (images aside) inflate to, counting stops past
    `stop_after`; a stream that does not inflate (another filter) counts for nothing."""
    total = 0
    for match in STREAM_RE.finditer(data):
        head = data[max(0, match.start() - 512):match.start()]
        if not head.rstrip().endswith(b">>") or IMAGE_RE.search(head[head.rfind(b"obj"):]):
            continue
        total += _inflate(data, match.end(), stop_after - total)
        if total > stop_after:
            break
    return total


def _inflate(data: bytes, start: int, budget: int) -> int:
    inflater, size = zlib.decompressobj(), 0
    pending = data[start:start + STEP]
    offset = start + STEP
    try:
        while pending and size <= budget and not inflater.eof:
            size += len(inflater.decompress(pending, STEP))
            pending = inflater.unconsumed_tail or data[offset:offset + STEP]
            if not inflater.unconsumed_tail:
                offset += STEP
    except zlib.error:
        pass
    return size


# bytes one document may use in a process that sets no address-space ceiling on itself (the
# importing process with --jobs 1: a ceiling there would end the whole run when pdfium aborts)
BUDGET: ContextVar[int | None] = ContextVar("jianbao_memory_budget", default=None)


@contextmanager
def memory_budget(nbytes: int | None):
    """Measure the documents read inside against `nbytes` (None: no budget)."""
    token = BUDGET.set(nbytes)
    try:
        yield
    finally:
        BUDGET.reset(token)


def headroom() -> int | None:
    """Bytes of address space left under this process's ceiling, else the document's budget
    (memory_budget), None with neither."""
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return BUDGET.get()
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return soft // 2
    used = next((int(line.split()[1]) * 1024 for line in status.splitlines()
                 if line.startswith("VmSize:")), 0)
    return max(soft - used, 0)


def check_inflation(path: Path) -> None:
    """Under an address-space ceiling, MemoryError if the file's streams would inflate past
    half of what is left (pdfium needs room for what it builds from them too), and past
    FLOOR: a long-lived process can map more than its ceiling before a document starts, and
    an ordinary document, which inflates to a few MB, must not fail for that."""
    room = headroom()
    if room is None:
        return
    cap = max(room // 2, FLOOR)
    size = path.stat().st_size
    if size > room:                 # no bulletin is that big; reading it would need it all
        raise MemoryError(f"{path}: {size >> 20} MB, larger than the memory ceiling")
    if not size:
        return
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if inflated_bytes(data, cap) > cap:   # mapped, not read: a 2 GB file took 2 GB of RSS
            raise MemoryError(f"{path}: its streams inflate past the memory ceiling")
