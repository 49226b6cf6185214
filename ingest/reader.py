"""Files -> pages: detect the type by content, read text layers, send the rest to OCR.

`parse_file(path)` is the library's one entry for a file or a folder of page images; it returns
a `Bulletin` whatever the input was.
"""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.document import Bulletin, IngestWarning, Page, SourceInfo
from errors import (DocumentTooSlow, InvalidValue, EmptyDocument, MissingFile, NoTextFound, NoTextLayer,
                    UnreadableFile, UnsupportedFile)
from ingest.page_progress import pages_done
from ingest.pdf import read_pdf_pages

if TYPE_CHECKING:
    from ingest.ocr_options import OcrOptions
from ingest.segment import pages_to_bulletin

IMAGE_KINDS = {"png", "jpeg", "tiff"}
OCR_MODES = ("auto", "always", "never")


def sniff(head: bytes) -> str | None:
    """File kind from its first bytes (magic numbers), never from the extension."""
    if head.lstrip()[:5] == b"%PDF-" or head[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    return None


def _describe(head: bytes) -> str:
    if not head:
        return "the file is empty"
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP archive, not a PDF or image"
    if re.match(rb"\s*<(!doctype|html|\?xml)", head[:64], re.I):
        return "an HTML/XML document, not a PDF or image"
    return "not a PDF, PNG, JPEG or TIFF file (unknown content)"


def file_kind(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            head = fh.read(2048)
    except FileNotFoundError as exc:
        raise MissingFile(path) from exc
    except OSError as exc:
        raise UnreadableFile(path, exc.strerror or str(exc)) from exc
    kind = sniff(head)
    if kind is None:
        raise UnsupportedFile(path, _describe(head))
    return kind


def sha256_file(path: Path, within: float | None = None) -> str:
    """The file's identity; a missing or unreadable file is an IngestError naming it. With
    `within` (seconds, the time limit per document) a file that takes longer to read whole
    (20 GB, a stalled mount) is DocumentTooSlow instead of holding up the batch."""
    digest = hashlib.sha256()
    _hash_into(digest, path, _deadline(within), path)
    return digest.hexdigest()


HASH_BLOCK = 1 << 20     # the clock is read after each MiB: about 10 ms of hashing on a loaded core


def _deadline(within: float | None) -> tuple[float, float] | None:
    return None if not within else (time.monotonic() + within, within)


def _hash_into(digest, path: Path, deadline: tuple[float, float] | None, where: Path) -> None:
    """Add the file's bytes to `digest`, in blocks, stopping with DocumentTooSlow (naming
    `where`: the document) past the deadline."""
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(HASH_BLOCK), b""):
                digest.update(block)
                if deadline and time.monotonic() > deadline[0]:
                    raise DocumentTooSlow(where, f"{deadline[1]:g} s reading its "
                                                 f"{_size(path)} to compute its hash")
    except FileNotFoundError as exc:
        raise MissingFile(path) from exc
    except IsADirectoryError as exc:
        raise UnsupportedFile(path, "a folder that does not hold page images only") from exc
    except OSError as exc:
        raise UnreadableFile(path, exc.strerror or str(exc)) from exc


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 2**30:.1f} GB" if size >= 2**30 else f"{size / 2**20:.0f} MB"


def natural_key(path: Path) -> list:
    """page2.png before page10.png."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name)]


def page_images(folder: Path) -> list[Path]:
    """The page images of a folder holding only images (one scanned issue), in natural order
    (each sniffed from its first 16 bytes)."""
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    kinds = {p: sniff(_head(p, 16)) for p in files}
    if not files or any(kinds[p] not in IMAGE_KINDS for p in files):
        return []
    return sorted(files, key=natural_key)


def _head(path: Path, size: int) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(size)


def folder_digest(images: list[Path], within: float | None = None, folder: Path | None = None) -> str:
    """A folder of page images is identified by its images' names and contents (all read
    `within` seconds, else DocumentTooSlow naming `folder`)."""
    digest, deadline = hashlib.sha256(), _deadline(within)
    for image in images:
        one = hashlib.sha256()
        _hash_into(one, image, deadline, folder or image)
        digest.update(image.name.encode() + b"\0" + one.hexdigest().encode())
    return digest.hexdigest()


def read_pages(path: Path, ocr: str = "auto", ocr_threads: int | None = None,
               ocr_options: "OcrOptions | None" = None) -> tuple[list[Page], SourceInfo, list[IngestWarning]]:
    """All pages of a PDF, image or page-image folder, OCR'd where the text layer is unusable."""
    if ocr not in OCR_MODES:
        raise InvalidValue(f"ocr must be one of {', '.join(OCR_MODES)}, not {ocr!r}")
    warnings: list[IngestWarning] = []
    ocr_threads = ocr_options or ocr_threads          # the OCR functions take either
    if not path.exists():
        raise MissingFile(path)
    if path.is_dir():
        images = page_images(path)
        if not images:
            raise UnsupportedFile(path, "a folder is one issue only if it holds page images only")
        pages = _ocr_images(path, images, ocr, ocr_threads)
        info = SourceInfo(str(path), folder_digest(images), "images", len(pages),
                          tuple(p.number for p in pages))
        return pages, info, warnings
    kind = file_kind(path)
    if kind in IMAGE_KINDS:
        pages = _ocr_images(path, [path], ocr, ocr_threads)
        return pages, SourceInfo(str(path), sha256_file(path), "image", len(pages),
                                 tuple(p.number for p in pages)), warnings
    text_pages = read_pdf_pages(path)
    todo = [i for i, page in enumerate(text_pages) if page is None or ocr == "always"]
    if todo and ocr == "never":
        if len(todo) == len(text_pages):
            raise NoTextLayer(path, "no page has a text layer that decodes (images, or mojibake)")
        warnings += [IngestWarning("no_text_layer", i + 1,
                                   "page skipped: no text layer that decodes (an image, or mojibake), OCR off")
                     for i in todo]
        todo = []
    pages_done(len(text_pages) - len(todo))           # read at once; OCR'd pages are told one by one
    pages = [page for page in text_pages if page is not None and page.number - 1 not in todo]
    if todo:
        from ingest.ocr import ocr_pdf_pages    # deferred: loading the OCR models takes a second
        pages = sorted(pages + ocr_pdf_pages(path, todo, ocr_threads), key=lambda page: page.number)
    info = SourceInfo(str(path), sha256_file(path), "pdf", len(text_pages),
                      tuple(i + 1 for i in todo))
    return pages, info, warnings


def _ocr_images(path: Path, images: list[Path], ocr: str, threads: int | None) -> list[Page]:
    if ocr == "never":
        raise NoTextLayer(path, "an image has no text layer")
    from ingest.ocr import ocr_image_files
    return ocr_image_files(images, threads)


def probe_scan(path: str | Path, ocr: str = "auto", ocr_threads: "OcrOptions | int | None" = None,
               series: tuple[str, ...] = ()) -> Bulletin | None:
    """The bulletin read from the first page alone when that page must be OCR'd (a scan, an
    image folder, an image-only PDF), so that a duplicate of an issue stored from a text PDF is
    known after one page of OCR instead of all; None when page 1 has a text layer (a full parse
    is cheap then) or OCR is off."""
    path = Path(path)
    if ocr == "never" or not path.exists():
        return None
    if path.is_dir():
        images = page_images(path)[:1]
        if not images:
            return None
        pages = _ocr_images(path, images, ocr, ocr_threads)
        info = SourceInfo(str(path), "", "images", len(pages), tuple(p.number for p in pages))
    elif file_kind(path) in IMAGE_KINDS:
        return None                                  # one image: the probe would be the parse
    else:
        # page 1 alone, its text first: a text PDF is then parsed once, by parse_file (reading
        # every page here parsed each text PDF of a bulk import twice once the corpus held a text issue)
        from ingest.pdf import first_page_reads
        if ocr != "always" and first_page_reads(path):
            return None
        text_pages = read_pdf_pages(path, first=1)
        if not text_pages or (text_pages[0] is not None and ocr != "always"):
            return None
        from ingest.ocr import ocr_pdf_pages
        from ingest.pdf import pdf_page_count
        pages = ocr_pdf_pages(path, [0], ocr_threads)
        info = SourceInfo(str(path), "", "pdf", pdf_page_count(path) or len(text_pages), (1,))
    if not pages or not any(page.lines for page in pages):
        return None
    return pages_to_bulletin(pages, info, (), tuple(series))


def parse_file(path: str | Path, ocr: str = "auto", ocr_threads: "OcrOptions | int | None" = None,
               series: tuple[str, ...] = (), ocr_options: "OcrOptions | None" = None) -> Bulletin:
    """A PDF, an image or a folder of page images -> one Bulletin (`ocr_threads`: the native
    threads OCR may use, None for all cores, or all OCR settings as an OcrOptions; `series`:
    masthead names the user configured; `ocr_options`: an OcrOptions, which wins)."""
    path = Path(path)
    pages, info, warnings = read_pages(path, ocr, ocr_threads, ocr_options)
    if not pages:
        raise EmptyDocument(path)
    if not any(page.lines for page in pages):
        raise NoTextFound(path, f"{len(pages)} page(s)")
    return pages_to_bulletin(pages, info, tuple(warnings), tuple(series))
