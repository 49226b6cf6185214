"""The one error tree of jianbao, at the bottom of the import graph.

Every failure a user can see is a `JianbaoError` carrying what went wrong (`reason`), where
(`path`, `page`) and how to fix it (`hint`). Adapters translate what they meet (sqlite3, OS,
decoding errors) into these at the boundary; the CLI and the API each render them in one place.
`exit_code` is what the CLI exits with: 1 for failed input, 2 for a usage error (a wrong name);
`http_status` is what the API answers with (the most specific class's value wins).
"""

from __future__ import annotations

from pathlib import Path


CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7f)}      # newlines, ESC: terminal injection


def display_path(path: str | Path) -> str:
    """A path as printable UTF-8: bytes that are not UTF-8 (a GBK file name) become \\xNN, and
    so do control characters (a newline or a terminal escape in a file name)."""
    text = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text.translate(CONTROL)


class JianbaoError(Exception):
    """Base of all errors the library raises on purpose; the CLI turns them into `Error: ...`.

    Raised either with a ready message (`ModelNotFound("no model ...")`) or with a path and a
    detail (`MissingInput(path)`), in which case the message is `path: reason: detail. hint`."""

    exit_code = 1
    http_status = 400
    reason = ""
    hint = ""

    def __init__(self, message: str = "", *, path: str | Path | None = None, detail: str = "",
                 page: int | None = None, hint: str | None = None):
        self.path = Path(path) if path is not None else None
        self.detail = detail or ("" if path is not None else message)
        self.page = page
        if hint is not None:
            self.hint = hint
        if path is None and message:
            message += f". {self.hint}" if self.hint and self.hint not in message else ""
        super().__init__(message if path is None and message else self.message())

    def message(self) -> str:
        parts = []
        if self.path is not None:
            parts.append(display_path(self.path) + (f" (page {self.page})" if self.page else ""))
        if self.reason:
            parts.append(self.reason)
        if self.detail:
            parts.append(self.detail)
        text = ": ".join(parts)
        return text + (f". {self.hint}" if self.hint else "")

    def without_path(self) -> str:
        """The message without its leading path: for reports that print the path themselves."""
        if self.path is None:
            return str(self)
        shown = display_path(self.path) + (f" (page {self.page})" if self.page else "") + ": "
        text = str(self)
        return text[len(shown):] if text.startswith(shown) else text

    def to_dict(self) -> dict:
        """The error as plain data: what a worker process sends back instead of a string."""
        return {"type": type(self).__name__, "path": str(self.path) if self.path else None,
                "detail": self.detail, "page": self.page, "message": str(self)}

    @staticmethod
    def from_dict(data: dict) -> "JianbaoError":
        """Rebuild an error sent by a worker: same class, same fields, same message."""
        cls = _by_name().get(data.get("type", ""), JianbaoError)
        exc = cls.__new__(cls)
        Exception.__init__(exc, data.get("message", ""))
        exc.path = Path(data["path"]) if data.get("path") else None
        exc.detail, exc.page = data.get("detail", ""), data.get("page")
        return exc


def _by_name() -> dict[str, type]:
    seen, todo = {}, [JianbaoError]
    while todo:
        cls = todo.pop()
        seen[cls.__name__] = cls
        todo += cls.__subclasses__()
    return seen


class Interrupted(JianbaoError):
    """The user stopped a run (Ctrl-C); what was stored stays, the run is recorded as such."""

    exit_code = 130          # 128 + SIGINT, as shells report it


# ---------------------------------------------------------------------------- usage
class UsageError(JianbaoError):
    """The command was asked for something that does not exist (exit 2, HTTP 422)."""

    exit_code = 2
    http_status = 422


class UnknownLabel(UsageError):
    """A topic or company key that the taxonomy does not know."""


class InvalidValue(UsageError):
    """A flag or parameter value of the wrong form (a date, a period, a format)."""


class MissingExtra(UsageError):
    """An optional part of jianbao that is not installed; the hint names the extra to install."""


# ---------------------------------------------------------------------------- files the user names
class InputFileError(JianbaoError):
    """A file given as input (labels, articles to tag) is missing or unreadable."""

    reason = "cannot be read"


class MissingInput(InputFileError):
    reason = "no such file"
    hint = "Check the path"


class InputIsFolder(InputFileError):
    reason = "is a folder, not a file"


class UnreadableInput(InputFileError):
    reason = "cannot be read"


class InvalidLabelFile(InputFileError):
    reason = "is not a label file jianbao can import"
    hint = "Fix the rows listed (CSV: article_id,kind,label,action; or a Label Studio export)"


class BadEncoding(InputFileError):
    reason = "is not UTF-8 text"
    hint = "Save it as UTF-8 (Excel: 'CSV UTF-8'), or as GBK with a .csv extension for labels"


class OutputNotWritable(JianbaoError):
    reason = "cannot be written"
    hint = "Check that the folder exists and is writable"


# ---------------------------------------------------------------------------- ingest
class IngestError(JianbaoError):
    """A file could not be turned into a bulletin."""

    http_status = 422
    reason = "cannot be read"

    def __init__(self, path: str | Path, detail: str = "", page: int | None = None):
        super().__init__(path=path, detail=detail, page=page)


class MissingFile(IngestError):
    reason = "no such file or folder"


class UnreadableFile(IngestError):
    reason = "the file cannot be opened"
    hint = "Check the path, its links and its permissions"


class NotARegularFile(IngestError):
    reason = "not a regular file (a FIFO, device or socket)"
    hint = "Give files or folders of PDFs and images"


class UnreadablePDF(IngestError):
    reason = "not a readable PDF (corrupt or truncated)"
    hint = "Re-export or re-download the file"


class EncryptedPDF(IngestError):
    reason = "the PDF is encrypted and needs a password"
    hint = "Decrypt it first, e.g. `qpdf --decrypt --password=... in.pdf out.pdf`"


class EmptyDocument(IngestError):
    reason = "the document has no pages"


class UnsupportedFile(IngestError):
    http_status = 415
    reason = "unsupported file type"
    hint = "jianbao reads PDF, PNG, JPEG and TIFF files"


class UnreadableImage(IngestError):
    reason = "not a readable image (corrupt or truncated)"
    hint = "Re-scan or re-export the page"


class ImageTooLarge(IngestError):
    reason = "the image is too large to read safely (a decompression bomb?)"
    hint = "Split or downsample it to at most 600 dpi A4 pages"


class NoTextFound(IngestError):
    reason = "no text found on any page (blank pages or an unreadable scan)"


class NoTextLayer(IngestError):
    reason = "no usable text layer and OCR is off"
    hint = "Run again with --ocr auto or --ocr always"


class OCRUnavailable(IngestError):
    reason = "OCR is not available"
    hint = "Reinstall the project (`make run`): the rapidocr wheel ships its models"


class DocumentTooSlow(IngestError):
    reason = "took longer than the time limit per document"


class DocumentTooLarge(IngestError):
    reason = "needed more than the memory ceiling per document"


class WorkerDied(IngestError):
    reason = "the worker reading it died"


class EmptyFile(IngestError):
    reason = "the file is empty"


class TooManyPages(IngestError):
    """More pages than the service parses in one upload (JIANBAO_MAX_PAGES)."""

    http_status = 413
    reason = ""

    def __init__(self, path: str | Path, pages: int, limit: int):
        self.pages, self.limit = pages, limit
        super().__init__(path, f"{pages} pages, more than the {limit}-page limit")


class UploadFailed(IngestError):
    """An uploaded file the worker could not parse or tag; `detail` is the worker's reason."""

    reason = ""


class UnexpectedFailure(IngestError):
    reason = "unexpected failure while reading it"
    hint = "Please report it with the file"


# ---------------------------------------------------------------------------- models
class ModelError(JianbaoError):
    """A classifier could not be trained, found or trusted."""

    http_status = 409


class ModelNotFound(ModelError):
    http_status = 404


class NoActiveModel(ModelNotFound):
    """No model is active, so nothing can be tagged (HTTP 503: the service is not ready)."""

    http_status = 503


class IncompatibleModel(ModelError):
    pass


class InvalidTaxonomy(ModelError):
    """The taxonomy file is unreadable or inconsistent."""


class InvalidTrainingData(ModelError):
    """Training data is missing, malformed or uses labels the taxonomy does not know."""


# ---------------------------------------------------------------------------- corpus
class CorpusError(JianbaoError):
    """The store refused an operation."""

    http_status = 409


class NotADatabase(CorpusError):
    reason = "is not a jianbao database (not SQLite, or damaged)"
    hint = ("Check --db (a new corpus is created only at a path that does not exist yet); if this was "
            "your corpus, restore the copy `jianbao backup` made")


class CorruptDatabase(CorpusError):
    """SQLite found a damaged page while reading or writing (a truncated or overwritten file)."""

    reason = "the database is damaged"
    hint = "Run `jianbao check` to see what is damaged, and restore the copy `jianbao backup` made"


class NoCorpus(CorpusError):
    reason = "no corpus at this path"
    exit_code = 2           # a wrong --db is a usage error
    http_status = 404


class DatabaseUnavailable(CorpusError):
    reason = "cannot be opened"


class SchemaOutOfDate(CorpusError):
    http_status = 503


class NotFound(CorpusError):
    """A record (article, issue, document) that the corpus does not hold."""

    exit_code = 1
    http_status = 404
