"""OCR path: pure helpers (fast) and scans of the sample bulletins end to end (slow).

Scans are rendered at test time from examples/src with fixtures/render_bulletin.render_scan,
seeded, and compared with the source's expected bulletin (bench/ocr.score_bulletin).
To keep the OCR tests within ~2 minutes on two cores, each sample is scanned in one way only:
2025-06 clean (300 dpi), 2026-02 degraded (200 dpi), 2025-11 mixed, 2019-03 as page images.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ingest import raster
from errors import OCRUnavailable

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "examples" / "src"


# ------------------------------------------------------------------ text normalisation


@pytest.mark.parametrize("raw, expected", [
    ("会议强调,要坚持学查改一体推进;把成效体现到行动中:", "会议强调，要坚持学查改一体推进；把成效体现到行动中："),
    ("2025年第6期(总第529期)", "2025年第6期（总第529期）"),
    ("(2025年4月1日一6月30日)", "（2025年4月1日—6月30日）"),
    ("上午10:30召开,增长3.5%", "上午10:30召开，增长3.5%"),
    ("J&T Express, Inc.", "J&T Express, Inc."),
    ("极兔速递(J&T)上海区域", "极兔速递（J&T）上海区域"),
    ("真的吗?好!", "真的吗？好！"),
    ("共1,200件", "共1,200件"),
    ("-4一", "-4—"),
    ("一、航线网络由点及线", "一、航线网络由点及线"),
    ("（供稿：长宁区邮政管理局）", "（供稿：长宁区邮政管理局）"),
])
def test_normalise_text(raw, expected):
    from ingest.text import normalise_text
    assert normalise_text(raw) == expected


def test_em_width_counts_cjk_as_one_em_and_latin_as_about_half():
    from ingest.text import em_width, ink_ems
    assert em_width("市邮政管理局") == 6
    assert 2.0 <= em_width("2025") <= 2.4
    assert ink_ems("会议强调，") < em_width("会议强调，") - 0.5   # trailing comma ink is narrow


def test_importing_ocr_loads_no_engine():
    code = "import sys, ingest.ocr as o; print('rapidocr' in sys.modules, not o._ENGINES)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["False", "True"]


def test_missing_model_raises_ocr_unavailable(monkeypatch, tmp_path):
    from ingest import ocr
    monkeypatch.setattr(ocr, "_ENGINES", {})
    missing = tmp_path / "PP-OCRv6_det_small.onnx"
    monkeypatch.setattr(ocr, "_model_files", lambda: {"det": missing, "rec": missing})
    with pytest.raises(OCRUnavailable) as err:
        ocr.engine("scan.pdf")
    assert "PP-OCRv6_det_small.onnx" in str(err.value) and "rapidocr" in str(err.value)


# ------------------------------------------------------------------ raster measurements


def _text_page(angle: float = 0.0, quarter_turns: int = 0) -> np.ndarray:
    """A synthetic page: rows of glyph-like blocks (CJK-style grid), optionally rotated."""
    from PIL import Image, ImageDraw
    img = Image.new("L", (850, 1100), 255)
    draw = ImageDraw.Draw(img)
    for row in range(30):
        top = 80 + row * 30
        for col in range(36):
            x = 80 + col * 19
            draw.rectangle([x + 2, top, x + 15, top + 16], outline=0, width=2)
            draw.line([x + 2, top + 8, x + 15, top + 8], fill=0, width=2)
    img = img.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    arr = np.asarray(img)
    return np.rot90(arr, quarter_turns)


@pytest.mark.parametrize("angle", [-3.0, -0.7, -0.3, 0.0, 0.5, 2.2])
def test_skew_angle_is_measured(angle):
    page = _text_page(angle)
    ink = page < raster.otsu_threshold(page)
    assert raster.skew_angle(ink) == pytest.approx(angle, abs=0.08)


@pytest.mark.parametrize("turns, sideways", [(0, False), (1, True), (2, False), (3, True)])
def test_sideways_pages_are_detected(turns, sideways):
    page = _text_page(0.3, turns)
    ink = page < raster.otsu_threshold(page)
    assert raster.is_sideways(ink, dpi=100) is sideways


def test_stroke_width_tells_bold_from_regular():
    regular = np.zeros((40, 200), bool)
    bold = np.zeros((40, 200), bool)
    for x in range(5, 195, 12):
        regular[5:35, x:x + 3] = True
        bold[5:35, x:x + 4] = True
    regular[18:21, :] = True
    bold[18:22, :] = True
    thin, thick = raster.stroke_width(regular, 36), raster.stroke_width(bold, 36)
    assert thick / thin == pytest.approx(4 / 3, rel=0.1)


def test_leading_dash_length():
    ink = np.zeros((40, 300), bool)
    ink[19:22, 10:82] = True                 # a 2-em dash at 36 px per em
    ink[5:35, 90:120] = True                 # then a glyph
    assert raster.leading_dash_length(ink, 36) == pytest.approx(2.0, abs=0.1)
    assert raster.leading_dash_length(ink[:, 85:], 36) < 0.5


def test_ink_extent_ignores_a_neighbour_lines_edge():
    ink = np.zeros((60, 100), bool)
    ink[0:3, 0:100] = True                   # the line above grazes the crop
    ink[15:45, 20:80] = True
    assert raster.ink_extent(ink) == (20, 15, 80, 45)


def test_red_fraction():
    rgb = np.zeros((4, 4, 3), np.uint8)
    rgb[:2] = (220, 10, 10)
    rgb[2:] = (30, 30, 30)
    ink = np.ones((4, 4), bool)
    assert raster.red_fraction(rgb, ink) == pytest.approx(0.5)


def test_ruled_grid_becomes_page_rules_that_tables_find():
    from ingest.ocr_lines import rules_to_points
    from ingest.ocr_page import find_rules
    from ingest.tables import grid_boxes
    dpi = 300
    ink = np.zeros((1200, 2000), bool)
    for y in (100, 200, 300, 400):
        ink[y:y + 4, 100:1900] = True
    for x in (100, 400, 1500, 1896):
        ink[100:404, x:x + 4] = True
    ink[600:650, 300:340] = True             # a glyph is no rule
    found = find_rules(ink, dpi)
    rules = rules_to_points(found, 72 / dpi)
    assert len([r for r in rules if r.width > r.height]) == 4
    assert len([r for r in rules if r.height > r.width]) == 4
    assert all(not (x0 < 340 and x1 > 300 and y0 < 650 and y1 > 600) for x0, y0, x1, y1 in found)
    boxes = grid_boxes(rules)
    assert len(boxes) == 1 and boxes[0].x0 == pytest.approx(24, abs=1)


# ------------------------------------------------------------------ end to end (slow)


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    """name -> rendered scan, made once per module (rendering takes a few seconds each)."""
    from fixtures.render_bulletin import render_scan
    folder = tmp_path_factory.mktemp("scans")
    cache: dict[str, Path] = {}

    def make(name: str, source: str, **kw) -> Path:
        if name not in cache:
            out = folder / f"{name}.pdf"
            render_scan(SRC / f"{source}.txt", out, **kw)
            cache[name] = out
        return cache[name]
    make.folder = folder
    return make


def _expected(stem: str):
    from fixtures.source import load_source
    return load_source(SRC / f"{stem}.txt").bulletin


@pytest.mark.slow
def test_clean_scan_is_read_like_the_text_pdf(scans):
    from ingest import parse_file
    from bench.ocr import score_bulletin
    got = parse_file(scans("clean", "2025-06", seed=3))
    score = score_bulletin(got, _expected("2025-06"))
    assert score["titles_exact"] == score["titles"] == score["articles"]
    assert score["cer"] <= 0.01
    assert score["meta"] and score["tables"] and score["distribution"]
    assert got.source.ocr_pages == tuple(range(1, got.source.n_pages + 1))
    page_conf = [a.ocr_confidence for a in got.articles]
    assert all(c is not None and c > 0.9 for c in page_conf)


@pytest.mark.slow
def test_degraded_scan_meets_the_bar(scans):
    from ingest import parse_file
    from bench.ocr import score_bulletin
    got = parse_file(scans("degraded", "2026-02", degrade=True, seed=11))
    score = score_bulletin(got, _expected("2026-02"))
    assert score["titles_exact"] >= 0.95 * score["titles"]
    assert score["cer"] <= 0.02
    assert score["meta"]


@pytest.mark.slow
def test_mixed_pdf_is_one_bulletin(scans):
    from ingest import parse_file
    from bench.ocr import score_bulletin
    got = parse_file(scans("mixed", "2025-11", pages=(2, 3), seed=5))
    assert got.source.ocr_pages == (2, 3)
    score = score_bulletin(got, _expected("2025-11"))
    assert score["titles_exact"] == score["titles"] == score["articles"]
    assert score["cer"] <= 0.01
    assert score["meta"] and score["tables"] and score["distribution"]


@pytest.mark.slow
def test_folder_of_page_images_in_natural_order(scans, tmp_path):
    """page1.png, page2.tif (two frames: pages 2-3), page10.jpg: one issue, in that order."""
    from PIL import Image

    from ingest import parse_file
    pngs = tmp_path / "pngs"
    scans("images", "2019-03", pages=(1, 2, 3, 4), images_dir=pngs, image_format="png",
          stem="p", seed=9)
    images = [Image.open(pngs / f"p-p{n:02d}.png") for n in (1, 2, 3, 4)]
    folder = tmp_path / "issue"
    folder.mkdir()
    images[0].save(folder / "page1.png")
    images[1].save(folder / "page2.tif", save_all=True, append_images=[images[2]],
                   compression="tiff_lzw")
    images[3].convert("RGB").save(folder / "page10.jpg", quality=90)
    got = parse_file(folder)
    expected = _expected("2019-03")
    assert got.source.kind == "images" and got.source.n_pages == 4
    assert got.meta == expected.meta
    titles = [a.title for a in got.articles]
    assert titles == [a.title for a in expected.articles[:len(titles)]]
    assert len(titles) >= 5
    assert [a.pages for a in got.articles][-1][-1] == 4


@pytest.fixture(scope="module")
def page1_png(scans) -> Path:
    """Page 1 of 2025-06 as a clean 300 dpi PNG (no dpi tag), rendered once."""
    scans("page1", "2025-06", pages=(1,), images_dir=scans.folder / "page1", stem="x", seed=2)
    return scans.folder / "page1" / "x-p01.png"


@pytest.mark.slow
def test_page_turned_90_in_a_pdf_is_read(scans):
    from ingest import parse_file
    got = parse_file(scans("rot90", "2025-06", pages=(1,), rotate=90, seed=4))
    expected = _expected("2025-06")
    assert got.meta == expected.meta
    assert got.articles[0].title == expected.articles[0].title
    assert got.articles[0].paragraphs == expected.articles[0].paragraphs


@pytest.mark.slow
@pytest.mark.parametrize("turn", [180, 270])
def test_turned_page_images_are_read_and_sized_in_points(page1_png, tmp_path, turn):
    from PIL import Image

    from ingest.ocr import ocr_image_files
    Image.open(page1_png).rotate(turn, expand=True).save(tmp_path / "turned.png", dpi=(300, 300))
    (page,) = ocr_image_files([tmp_path / "turned.png"])
    assert page.number == 1 and page.source == "ocr"
    assert page.width == pytest.approx(595.3, abs=1.5)
    assert page.height == pytest.approx(841.9, abs=1.5)
    texts = [ln.text for ln in page.lines]
    assert "2025年第6期（总第529期）" in texts
    assert "市邮政管理局扎实开展深入贯彻中央八项规定精神学习教育" in texts


@pytest.mark.slow
def test_red_masthead_and_bold_title_from_pixels(page1_png, tmp_path):
    """A colour scan: the masthead's ink made red; the bold title measures bold, body does not."""
    from PIL import Image

    from ingest.ocr import ocr_image_files
    grey = np.asarray(Image.open(page1_png).convert("L"))
    top = grey[: grey.shape[0] * 4 // 10]            # masthead, issue line, a title, body
    rgb = np.stack([top] * 3, axis=-1).copy()
    head = rgb[: int(0.19 * grey.shape[0])]          # the two masthead lines
    ink = head[..., 0] < 128
    head[ink] = (205, 20, 25)
    Image.fromarray(rgb).save(tmp_path / "colour.png")
    (page,) = ocr_image_files([tmp_path / "colour.png"])
    by_text = {ln.text: ln for ln in page.lines}
    assert by_text["上海市邮政快递行业"].red and by_text["党建、文明创建工作简报"].red
    assert not by_text["2025年第6期（总第529期）"].red
    title = by_text["市邮政管理局扎实开展深入贯彻中央八项规定精神学习教育"]
    assert title.bold and not title.red
    body = [ln for ln in page.lines if len(ln.text) > 30 and ln is not title]
    assert body and not any(ln.bold for ln in body)
    assert title.size / statistics.median(ln.size for ln in body) == pytest.approx(16 / 12, rel=0.05)


def test_corrupt_page_image_is_a_clear_error(tmp_path):
    from ingest import parse_file
    from errors import UnreadableImage
    bad = tmp_path / "page1.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(UnreadableImage, match="not a readable image"):
        parse_file(bad)


def test_render_dpi_follows_the_scanned_image():
    from ingest.ocr_sources import render_dpi
    assert render_dpi(None) == 300           # a page with no image
    assert render_dpi(200.4) == 200          # a 200 dpi scan is not resampled
    assert render_dpi(600) == 300 and render_dpi(96) == 200
