"""Text files the user names (JSONL of articles to tag, label files): opened with every OS and
decoding failure turned into an error that names the file."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from errors import BadEncoding, InputIsFolder, MissingInput, UnreadableInput


@contextmanager
def open_text(file: str | Path, encoding: str = "utf-8-sig"):
    """The lines of `file` (`-`: stdin). A BOM from Excel or Notepad is dropped."""
    if str(file) == "-":
        yield sys.stdin
        return
    path = Path(file)
    if path.is_dir():
        raise InputIsFolder(path=path)
    if not path.exists():
        raise MissingInput(path=path)
    try:
        handle = open(path, encoding=encoding)
    except OSError as exc:
        raise UnreadableInput(path=path, detail=exc.strerror or str(exc)) from exc
    with handle:
        try:
            yield handle
        except UnicodeDecodeError as exc:
            raise BadEncoding(path=path, detail=f"byte {exc.start}: {exc.reason}") from exc


def iter_json_records(lines: Iterable[str], name: str | Path = "-") -> Iterator[dict]:
    """One JSON object per non-blank line; a bad line is an error naming the file and line."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise UnreadableInput(path=name, detail=f"line {number}: not JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise UnreadableInput(path=name, detail=f"line {number}: not a JSON object")
        yield record
