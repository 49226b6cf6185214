"""Text PDFs rendered from examples/src in every layout variant parse back to their source."""

from __future__ import annotations

import difflib
import json
import re

import pytest

from ingest import parse_file
from ingest.document import bulletin_to_dict
from fixtures.source import load_source
from tests.conftest import ROOT, SOURCES

VARIANTS = ("standard", "noto", "boldonly", "sizeonly", "twocol", "wide", "landscape", "cff")
GOLDEN = ROOT / "tests" / "golden"
FURNITURE_RE = re.compile(r"[—\-－]\s*\d+\s*[—\-－]|第\d+页")


def golden(stem: str) -> dict:
    return json.loads((GOLDEN / f"{stem}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_golden_files_match_their_sources(src, update_golden):
    expected = bulletin_to_dict(load_source(src).bulletin, pages=False)
    path = GOLDEN / f"{src.stem}.json"
    if update_golden:
        path.write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert golden(src.stem) == expected, "run pytest --update-golden and review the diff"


def char_accuracy(got: str, want: str) -> float:
    """Share of the source's characters found in order (whitespace ignored)."""
    got, want = re.sub(r"\s+", "", got), re.sub(r"\s+", "", want)
    matcher = difflib.SequenceMatcher(None, got, want, autojunk=False)
    return sum(b.size for b in matcher.get_matching_blocks()) / max(len(want), len(got), 1)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("stem", [p.stem for p in SOURCES])
def test_every_sample_in_every_layout(stem, variant, rendered):
    want = golden(stem)
    got = bulletin_to_dict(parse_file(rendered(stem, variant)), pages=False)
    assert got["meta"] == want["meta"]
    assert [(a["title"], a["subtitle"]) for a in got["articles"]] == \
        [(a["title"], a["subtitle"]) for a in want["articles"]]
    body = lambda d: "\n".join(p for a in d["articles"] for p in a["paragraphs"])  # noqa: E731
    assert char_accuracy(body(got), body(want)) >= 0.995
    assert got["tables"] == want["tables"]
    assert got["distribution"] == want["distribution"]
    series = want["meta"]["series"]
    for article in got["articles"]:
        for para in article["paragraphs"]:
            assert series not in para and not FURNITURE_RE.search(para), para


def test_paragraphs_and_page_breaks_are_exact(rendered):
    """Stronger than the accuracy bar: in the standard layout every paragraph is exact, so a
    sentence cut by a page break is rejoined with nothing lost and nothing added."""
    for src in SOURCES:
        bulletin = parse_file(rendered(src.stem))
        want = golden(src.stem)
        assert [list(a.paragraphs) for a in bulletin.articles] == \
            [a["paragraphs"] for a in want["articles"]]
        assert any(len(a.pages) > 1 for a in bulletin.articles)     # some article spans a break


def test_undecodable_cff_text_layer_is_read_through_pdfium(rendered):
    import pdfplumber
    path = rendered("2025-06", "cff")
    with pdfplumber.open(path) as pdf:
        raw = pdf.pages[1].extract_text() or ""
    assert "安全" not in raw                      # pdfminer cannot decode this font...
    from ingest.pdf import read_pdf_pages
    pages = read_pdf_pages(path)
    assert {p.source for p in pages} == {"pdfium"}  # ...so every page went through pypdfium2
    assert parse_file(path).articles[0].title == golden("2025-06")["articles"][0]["title"]


def test_junk_after_a_pdf_header_is_refused_without_pdfminers_repair(tmp_path):
    # pypdfium2 cannot open it and it holds no `N G obj` for pdfminer to recover: pdfminer's
    # repair would read every byte in Python (minutes for tens of MB), so pdfium's reason stands
    from errors import UnreadablePDF
    from ingest.pdf import has_pdf_objects, read_pdf_pages

    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4\n" + b"\0" * (8 << 20))
    assert not has_pdf_objects(junk)
    with pytest.raises(UnreadablePDF, match="PDFium"):
        read_pdf_pages(junk)
    assert has_pdf_objects(next(ROOT.glob("examples/*.pdf")))
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    assert not has_pdf_objects(empty)


def test_page_one_reads_from_its_text_alone_for_text_pdfs_only(tmp_path):
    """The scan probe asks this of every text PDF of a bulk import (instead of reading page 1 in
    full); a scan, a broken file or an encrypted one says no, and the probe then reads the page."""
    from ingest.pdf import first_page_reads
    assert first_page_reads(ROOT / "examples" / "2025-06.pdf")
    assert not first_page_reads(ROOT / "examples" / "scans" / "2025-06-scan.pdf")
    (tmp_path / "junk.pdf").write_bytes(b"%PDF-1.4\n")
    assert not first_page_reads(tmp_path / "junk.pdf")
