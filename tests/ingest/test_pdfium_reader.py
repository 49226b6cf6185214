"""pypdfium2 reads the glyphs and drawings pdfplumber used to: the same boxes, sizes, weights,
spaces and ruled tables, so the segmenter sees the same page whichever reader ran."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest
from fpdf import FPDF

from fixtures import bulletin_fonts
from fixtures import render_report as R
from ingest.layout import glyphs_to_lines
from ingest.pdf import may_hold_table, read_pdf_pages
from ingest.pdfium_reader import PdfiumDocument
from ingest.plumber_reader import drawn_grids, page_glyphs, page_grids


def _pairs(path):
    """(pdfplumber page, pypdfium2 page) for every page of a PDF."""
    with pdfplumber.open(path) as plumber, PdfiumDocument(path) as doc:
        for i, page in enumerate(plumber.pages):
            yield page, doc.read_page(i)


@pytest.mark.parametrize("variant", ["standard", "boldonly"])
def test_glyph_boxes_sizes_and_weights_are_pdfminers(rendered, variant):
    for plumber, seen in _pairs(rendered("2025-06", variant)):
        want = [g for g in page_glyphs(plumber) if not g.text.isspace()]
        got = [g for g in seen.glyphs if not g.text.isspace()]
        assert [g.text for g in got] == [g.text for g in want]
        for a, b in zip(got, want):
            assert (a.bold, a.red) == (b.bold, b.red), a
            assert max(abs(p - q) for p, q in zip(a[1:6], b[1:6])) < 1e-3, (a, b)


def test_ruled_tables_come_from_pdfplumbers_finder_on_pypdfium2s_drawings(rendered, tmp_path):
    bond = tmp_path / "bond.pdf"
    R.render_bond_page(bond)
    found = 0
    for path in (bond, rendered("2019-03"), rendered("2025-11", "landscape")):
        for plumber, seen in _pairs(path):
            want = page_grids(plumber)
            got = drawn_grids(seen.lines, seen.rects, seen.curves, seen.width, seen.height)
            assert may_hold_table(seen) or not want
            assert [[[c is None for c in row] for row in g.rows] for g in got] == \
                [[[c is None for c in row] for row in g.rows] for g in want]
            for a, b in zip(got, want):
                assert max(abs(p - q) for p, q in zip(
                    (a.bbox.x0, a.bbox.top, a.bbox.x1, a.bbox.bottom),
                    (b.bbox.x0, b.bbox.top, b.bbox.x1, b.bbox.bottom))) < 1e-3
            found += len(want)
    assert found >= 4


def test_a_page_of_text_alone_never_needs_the_table_finder(tmp_path):
    path = tmp_path / "leaflet.pdf"
    R.render_leaflet(path)
    with PdfiumDocument(path) as doc:
        assert not may_hold_table(doc.read_page(0))


def _spaced_pdf(path):
    chars = "图表()ab"
    font = bulletin_fonts.face_path("wqy", 400, chars)
    pdf = FPDF(unit="pt", format=(595, 842))
    pdf.add_page()
    pdf.add_font("body", "", str(font))
    pdf.set_font("body", size=12)
    pdf.text(100, 100, "图表(a)" + " " * 40 + "图表(b)")     # one run, spaces inside
    pdf.text(100, 200, "图表(a)")
    pdf.text(135, 200, " " * 40)                              # a run of spaces alone
    pdf.text(300, 200, "图表(b)")
    pdf.output(str(path))


def test_a_run_of_spaces_holds_a_line_together_as_pdfminer_sees_it(tmp_path):
    """pdfium keeps one space of a run; the line must still span the gap the run fills."""
    path = tmp_path / "spaces.pdf"
    _spaced_pdf(path)
    with pdfplumber.open(path) as plumber:
        want = [ln.text for ln in glyphs_to_lines(page_glyphs(plumber.pages[0]), 1)]
    page, = read_pdf_pages(path)
    assert page.source == "pdfium"
    assert [ln.text for ln in page.lines] == want
    assert want[0] == "图表(a)图表(b)"


def test_a_page_cropped_off_the_origin_is_read_by_pdfplumber(rendered, tmp_path):
    """pdfium reports such a page in its own coordinates, pdfminer from the media box's corner:
    pdfplumber reads it, so positions mean what they always meant."""
    doc = pdfium.PdfDocument(str(rendered("2026-02")))
    doc[0].set_cropbox(20, 20, 560, 800)
    path = tmp_path / "cropped.pdf"
    doc.save(str(path))
    doc.close()
    pages = read_pdf_pages(path)
    assert pages[0].source == "text" and {p.source for p in pages[1:]} == {"pdfium"}
    assert pages[0].lines


def test_a_document_without_tables_never_loads_pdfplumber(tmp_path):
    """pdfplumber (with pdfminer) takes longer to import than a short bulletin takes to read."""
    import subprocess
    import sys
    path = tmp_path / "leaflet.pdf"
    R.render_leaflet(path)
    code = ("import sys; from ingest import parse_file; "
            f"assert parse_file({str(path)!r}).articles; "
            "assert 'pdfplumber' not in sys.modules and 'pdfminer' not in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
