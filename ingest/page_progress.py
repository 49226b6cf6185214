"""Pages read so far, told to whoever listens: progress inside one long document.

OCR takes seconds a page, so a 20-page scan is minutes of one file; the readers call
`pages_done(n)` as pages finish, and a caller that wants to know (the importer, for its progress
display) listens for the length of a parse with `on_pages_done(callback)`. A ContextVar rather
than an argument threaded through every reader: ingest knows nothing of displays or processes,
and a parse nobody listens to pays one lookup a page.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator

_LISTENER: ContextVar[Callable[[int], None] | None] = ContextVar("jianbao_pages_done", default=None)


@contextmanager
def on_pages_done(callback: Callable[[int], None] | None) -> Iterator[None]:
    """Call `callback(n)` each time n more pages of the document being parsed are read."""
    token = _LISTENER.set(callback)
    try:
        yield
    finally:
        _LISTENER.reset(token)


def pages_done(n: int = 1) -> None:
    """Tell the listener, if any, that `n` more pages are read (text pages at once, OCR each)."""
    listener = _LISTENER.get()
    if listener is not None and n > 0:
        listener(n)
