"""The one error tree of jianbao: every failure a user can see is a `JianbaoError`."""

from __future__ import annotations

from pathlib import Path


def display_path(path: str | Path) -> str:
    """A path as printable UTF-8: bytes that are not UTF-8 (a GBK file name) become \\xNN."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class JianbaoError(Exception):
    """Base of all errors the library raises on purpose; the CLI turns them into `Error: ...`."""

    exit_code = 1


class IngestError(JianbaoError):
    """A file could not be turned into a bulletin."""

    reason = "cannot be read"
    hint = ""

    def __init__(self, path: str | Path, detail: str = "", page: int | None = None):
        self.path = Path(path)
        self.detail = detail
        self.page = page
        super().__init__(self.message())

    def message(self) -> str:
        where = display_path(self.path) + (f" (page {self.page})" if self.page else "")
        text = f"{where}: {self.reason}"
        if self.detail:
            text += f": {self.detail}"
        if self.hint:
            text += f". {self.hint}"
        return text


class MissingFile(IngestError):
    reason = "no such file or folder"


class UnreadableFile(IngestError):
    reason = "the file cannot be opened"
    hint = "Check the path, its links and its permissions"


class UnreadablePDF(IngestError):
    reason = "not a readable PDF (corrupt or truncated)"
    hint = "Re-export or re-download the file"


class EncryptedPDF(IngestError):
    reason = "the PDF is encrypted and needs a password"
    hint = "Decrypt it first, e.g. `qpdf --decrypt --password=... in.pdf out.pdf`"


class EmptyDocument(IngestError):
    reason = "the document has no pages"


class UnsupportedFile(IngestError):
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


class ModelError(JianbaoError):
    """A classifier could not be trained, found or trusted."""


class ModelNotFound(ModelError):
    pass


class IncompatibleModel(ModelError):
    pass


class InvalidTaxonomy(ModelError):
    """The taxonomy file is unreadable or inconsistent."""


class InvalidTrainingData(ModelError):
    """Training data is missing, malformed or uses labels the taxonomy does not know."""


class CorpusError(JianbaoError):
    """The store refused an operation."""


class SchemaOutOfDate(CorpusError):
    pass


class UnknownLabel(JianbaoError):
    exit_code = 2
