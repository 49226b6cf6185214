"""Import files into the corpus: walk paths, parse, tag, store; every failure is recorded.

This is the batch behind `jianbao ingest`: the good files go in, each bad one is named with its
reason, and a file already in the corpus is skipped by its hash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from corpus.store import AddResult, ArticleTags, Corpus
from ingest.document import Bulletin
from ingest.errors import IngestError, JianbaoError, MissingFile
from ingest.reader import page_images, parse_file, sha256_file

Tagger = Callable[[Bulletin], list[ArticleTags]]


@dataclass(frozen=True, slots=True)
class Failure:
    path: str
    reason: str


@dataclass(slots=True)
class ImportReport:
    """Counts and details of one import run; `exit_code` is 0, or 1 if any input failed."""

    run_id: int | None = None
    results: list[AddResult] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)   # (path, message)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {"imported": self.count("imported") + self.count("replaced"),
                "present": self.count("present"), "duplicate": self.count("duplicate"),
                "failed": len(self.failures), "warnings": len(self.warnings),
                "articles": sum(r.n_articles for r in self.results)}

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0


def iter_inputs(paths: Iterable[str | Path], image_folders: bool = True) -> Iterator[Path]:
    """Files to import, folders walked recursively in name order; a folder of page images
    only is one scanned issue (unless image_folders is False)."""
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            yield path
            continue
        if image_folders and page_images(path):
            yield path
            continue
        for child in sorted(path.iterdir(), key=lambda p: p.name):
            if child.name.startswith(".") or child.name == "src":
                continue
            if child.is_dir():
                yield from iter_inputs([child], image_folders)
            elif child.suffix.lower() not in (".txt", ".md", ".json", ".jsonl"):
                yield child


def import_one(corpus: Corpus, path: Path, tag: Tagger | None, ocr: str = "auto",
               run_id: int | None = None) -> AddResult:
    """Parse, tag and store one input; raises IngestError (nothing stored) on bad input."""
    if path.is_file():
        digest = sha256_file(path)
        if corpus.has_document(digest):
            return AddResult("present", digest, corpus._doc_issue(digest))
    bulletin = parse_file(path, ocr=ocr)
    tags = tag(bulletin) if tag is not None else None
    return corpus.add_bulletin(bulletin, tags, run_id)


def import_paths(corpus: Corpus, paths: Iterable[str | Path], tag: Tagger | None = None,
                 ocr: str = "auto", on_error: str = "record", image_folders: bool = True,
                 progress: Callable[[Path, AddResult | Failure], None] | None = None) -> ImportReport:
    """Import every input; with on_error="record" a bad file is reported and the rest goes on."""
    report = ImportReport(run_id=corpus.start_run({"paths": [str(p) for p in paths], "ocr": ocr}))
    for path in iter_inputs(paths, image_folders):
        try:
            result = import_one(corpus, path, tag, ocr, report.run_id)
        except (JianbaoError, OSError) as exc:
            if on_error == "raise":
                raise
            failure = Failure(str(path), str(exc) if isinstance(exc, IngestError)
                              else f"{path}: {exc}")
            report.failures.append(failure)
            _record(corpus, path, failure, report.run_id)
            progress and progress(path, failure)
            continue
        report.results.append(result)
        report.warnings += [(str(path), w) for w in _warnings(corpus, result)]
        progress and progress(path, result)
    corpus.finish_run(report.run_id, report.counts)
    return report


def _record(corpus: Corpus, path: Path, failure: Failure, run_id: int | None) -> None:
    try:
        digest = sha256_file(path) if path.is_file() else f"path:{path}"
    except OSError:
        digest = f"path:{path}"
    corpus.record_failure(digest, str(path), failure.reason, run_id)


def _warnings(corpus: Corpus, result: AddResult) -> list[str]:
    if result.status not in ("imported", "replaced") or not result.issue_id:
        return []
    row = corpus.conn.execute("SELECT warnings FROM issues WHERE issue_id = ?",
                              (result.issue_id,)).fetchone()
    import json
    return [f"{code} (page {page}): {msg}" for code, page, msg in json.loads(row["warnings"])] if row else []
