"""Documents that are not sample bulletins, rendered from our own text (fixtures/render_report.py),
each carrying a trait of real files: nothing invented, nothing lost, structure from real cues."""

from __future__ import annotations

import collections

import pdfplumber
import pytest

from errors import NoTextLayer
from fixtures import render_report as R
from ingest import parse_file
from ingest.pdf import read_pdf_pages


@pytest.fixture(scope="session")
def docs(tmp_path_factory):
    """name -> path of each document, rendered once per session."""
    folder = tmp_path_factory.mktemp("documents")
    out = {}
    for name in ("report", "bond_page", "two_columns", "leaflet", "custom_series", "mojibake"):
        out[name] = folder / f"{name}.pdf"
        getattr(R, f"render_{name}")(out[name])
    return out


def text_of(bulletin) -> collections.Counter:
    """Every character the bulletin keeps, spaces aside."""
    parts = [bulletin.meta.series, bulletin.meta.editor, *bulletin.front, *bulletin.navigation]
    for a in bulletin.articles:
        parts += [a.title, a.subtitle, *a.paragraphs]
    for t in bulletin.tables:
        parts += [t.title, t.period, t.note, *t.header, *(str(c) for r in t.rows for c in r)]
    return collections.Counter(ch for p in parts if p for ch in str(p) if not ch.isspace())


def layer_of(path) -> collections.Counter:
    with pdfplumber.open(path) as pdf:
        return collections.Counter(c["text"] for p in pdf.pages for c in p.chars if not c["text"].isspace())


def test_report_comes_out_as_its_numbered_sections(docs):
    b = parse_file(docs["report"])
    assert [(a.title, a.paragraphs) for a in b.articles] == [
        (title, paragraphs) for title, paragraphs in R.REPORT_SECTIONS]
    assert b.front == R.REPORT_COVER                           # the cover is not an article
    assert b.navigation[0] == "目录" and b.navigation[-2:] == R.REPORT_GROUPS
    assert b.meta.series is None and b.meta.issue_no is None   # 第四期 in a sentence is no issue
    assert (b.meta.year, b.meta.date) == (2025, None)          # a bare year is never a date
    assert [w.code for w in b.warnings] == ["not_bulletin"]


FURNITURE = {"report": "— 1 —— 2 —— 3 —", "bond_page": R.BOND_HEAD, "two_columns": "", "leaflet": ""}


@pytest.mark.parametrize("name", sorted(FURNITURE))
def test_every_character_of_the_text_layer_is_kept(docs, name):
    """What the bulletin does not keep is furniture: page numbers, a running head."""
    b = parse_file(docs[name])
    lost = layer_of(docs[name]) - text_of(b)
    assert not lost - collections.Counter(FURNITURE[name].replace(" ", ""))
    assert not [w for w in b.warnings if w.code == "text_not_placed"]


def test_bond_tables_keep_wrapped_text_and_merged_cells_in_place(docs):
    b = parse_file(docs["bond_page"])
    rating, grid = b.tables
    head, rows = R.BOND_TABLE
    assert rating.title == R.BOND_CAPTIONS[0]
    assert rating.header == head
    assert rating.rows == tuple(tuple(int(c) if c.isdigit() else c for c in row) for row in rows)
    assert grid.title == R.BOND_CAPTIONS[1] and grid.note == "单位：万元"
    assert (grid.header, grid.rows) == R.GRID_TABLE
    assert [a.title for a in b.articles] == list(R.BOND_SECTIONS)
    assert b.meta.issue_no is None                  # the running head's 第四期 names a note
    assert b.navigation == ("第五章发行人信用状况",)


def test_two_columns_are_read_one_after_the_other(docs):
    b = parse_file(docs["two_columns"])
    (article,) = b.articles
    assert article.title == R.COLUMN_TITLE
    assert article.paragraphs == R.LEFT_COLUMN + R.RIGHT_COLUMN


def test_a_leaflet_has_no_series(docs):
    b = parse_file(docs["leaflet"])
    assert b.meta.series is None and b.meta.issue_no is None
    assert [(a.title, a.paragraphs) for a in b.articles] == [(R.LEAFLET_TITLE, R.LEAFLET_LINES)]
    assert b.warnings[0].message.startswith("not a bulletin: no masthead")


def test_a_series_the_user_configured_is_recognised(docs):
    assert parse_file(docs["custom_series"]).meta.series is None
    b = parse_file(docs["custom_series"], series=(R.CUSTOM_SERIES,))
    assert (b.meta.series, b.meta.year, b.meta.issue_no) == (R.CUSTOM_SERIES, 2025, 4)
    assert str(b.meta.date) == "2025-02-10" and b.meta.editor == "某区邮政管理局编"
    assert [(a.title, a.paragraphs) for a in b.articles] == [(R.CUSTOM_TITLE, (R.CUSTOM_TEXT,))]


def test_a_mojibake_text_layer_is_not_taken_as_text(docs):
    assert read_pdf_pages(docs["mojibake"]) == [None]          # sent to OCR like a scan
    with pytest.raises(NoTextLayer, match="mojibake"):
        parse_file(docs["mojibake"], ocr="never")


@pytest.mark.slow
def test_a_scanned_two_column_page_is_read_one_column_after_the_other(docs, tmp_path):
    from fixtures.scanify import rasterise
    image = tmp_path / "two_columns.png"
    rasterise(docs["two_columns"].read_bytes(), 1, 200).save(image)
    (article,) = parse_file(image).articles
    assert article.title == R.COLUMN_TITLE
    assert article.paragraphs == R.LEFT_COLUMN + R.RIGHT_COLUMN
