"""ingest: file -> pages/lines -> bulletin. `parse_file` is the entry point."""

from ingest.document import (Article, BBox, Block, Bulletin, Distribution, IngestWarning,
                             IssueMeta, Line, Page, SourceInfo, Table)
from ingest.errors import (EmptyDocument, EncryptedPDF, IngestError, JianbaoError, NoTextLayer,
                           OCRUnavailable, UnreadablePDF, UnsupportedFile)
from ingest.reader import parse_file, read_pages
from ingest.segment import pages_to_bulletin

__all__ = ["Article", "BBox", "Block", "Bulletin", "Distribution", "EmptyDocument",
           "EncryptedPDF", "IngestError", "IngestWarning", "IssueMeta", "JianbaoError", "Line",
           "NoTextLayer", "OCRUnavailable", "Page", "SourceInfo", "Table", "UnreadablePDF",
           "UnsupportedFile", "pages_to_bulletin", "parse_file", "read_pages"]
