"""ingest: file -> pages/lines -> bulletin. `parse_file` is the entry point; errors are in `errors`."""

from ingest.document import (Article, BBox, Bulletin, Distribution, IngestWarning, IssueMeta, Line,
                             Page, SourceInfo, Table)
from ingest.reader import parse_file, read_pages
from ingest.segment import pages_to_bulletin

__all__ = ["Article", "BBox", "Bulletin", "Distribution", "IngestWarning", "IssueMeta", "Line",
           "Page", "SourceInfo", "Table", "pages_to_bulletin", "parse_file", "read_pages"]
