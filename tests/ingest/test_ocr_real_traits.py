"""OCR that does not give up: the traits of real crops, reproduced in images we draw.

Real files showed them (issue 16): text on a transparent ground, white text on black, a small
crop turned by 180 degrees, vertical lines, a thin two-line strip, a line cut with no margin.
Here each is drawn from our own sentences (fixtures/ocr_traits.py) and must come out as its
text lines, in reading order; each failed before the fix (no line, a wrong line or a traceback).
"""

from __future__ import annotations

import numpy as np
import pytest

from fixtures import ocr_traits as traits
from ingest import raster
from ingest.ocr_lines import Box, boxes_to_lines

LONG_1 = "本期简报介绍了全市快递企业在绿色包装、末端网点建设和从业人员权益保障方面的做法与成效，并对下一阶段工作提出要求。"
LONG_2 = "各区邮政管理局结合实际开展检查，督促企业落实安全生产主体责任，确保寄递渠道安全畅通，营造良好的市场环境。"


def _page(img, tmp_path, **save):
    from ingest.ocr import ocr_image_files
    path = tmp_path / "crop.png"
    img.save(path, **save)
    (page,) = ocr_image_files([path])
    return page


def _texts(img, tmp_path, **save) -> list[str]:
    return [line.text for line in _page(img, tmp_path, **save).lines]


# ------------------------------------------------------------------ pure measurements


def test_otsu_on_a_two_level_image_separates_the_levels():
    """Pure black on pure white: every level between separates them; 0 found no ink at all."""
    gray = np.full((40, 40), 255, np.uint8)
    gray[10:30, 10:30] = 0
    threshold = raster.otsu_threshold(gray)
    assert 0 < threshold < 255
    assert (gray < threshold).sum() == 400


def test_light_on_dark_is_told_from_dark_on_light():
    ink = np.zeros((100, 300), bool)
    ink[40:60, 20:280:7] = True                      # dark strokes on a light ground
    assert not raster.is_light_on_dark(ink)
    assert raster.is_light_on_dark(~ink)             # the same page as a negative


@pytest.mark.parametrize("colour, ground", [((0, 0, 0), 255), ((255, 255, 255), 0),
                                            ((200, 30, 30), 255)])
def test_transparent_image_goes_on_the_ground_its_text_stands_out_from(colour, ground):
    rgba = np.asarray(traits.transparent(traits.render_line("寄递", 32), colour))
    assert raster.alpha_ground(rgba) == ground
    flat = raster.composite(rgba, ground)
    assert flat.shape == rgba.shape[:2] + (3,)
    assert tuple(flat[0, 0]) == (ground,) * 3        # the hidden grey does not show


def test_fully_transparent_image_goes_on_white():
    assert raster.alpha_ground(np.zeros((4, 4, 4), np.uint8)) == 255


def test_skew_of_a_thin_wide_strip_is_measured_without_error():
    """A strip wider than ~23x its height sent rows to negative bins (ValueError)."""
    ink = np.zeros((12, 1000), bool)
    ink[4:8, 10:990:3] = True
    assert raster.skew_angle(ink) == pytest.approx(0.0, abs=0.1)


def test_strokes_of_big_print_are_not_ruling_lines():
    """At 300 dpi the thin strokes of 260 px glyphs outgrow the 48 pt rule length and were
    erased as rules; a real rule on the same page stays one."""
    from PIL import Image, ImageDraw

    from ingest.ocr_page import find_rules
    line = traits.render_line("一二三王", 260, margin=0.3, weight=200)
    page = Image.new("L", (line.width, line.height + 200), 250)
    page.paste(line, (0, 0))
    ImageDraw.Draw(page).line([(20, line.height + 100), (line.width - 20, line.height + 100)],
                              fill=0, width=3)
    rules = find_rules(np.asarray(page) < 128, 300)
    assert len(rules) == 1 and rules[0][1] > line.height


@pytest.mark.parametrize("shape, padded", [((3508, 2480), False), ((1706, 1280), False),
                                           ((54, 1167), True), ((48, 136), True),
                                           ((503, 1890), True), ((900, 9000), True)])
def test_crops_and_strips_get_a_margin_pages_do_not(shape, padded):
    from ingest.ocr_options import PAD_MIN_PX
    from ingest.ocr_page import crop_pad
    pad = crop_pad(shape)
    assert (pad >= PAD_MIN_PX) if padded else pad == 0


def test_a_page_of_vertical_lines_is_turned_a_quarter_to_read():
    from ingest.ocr_lines import vertical_turn
    column = Box(200, 10, 240, 330, "春风送暖到万家", 0.99, turn=1)
    label = Box(20, 10, 120, 40, "第一页", 0.99)
    assert vertical_turn([column, label]) == 1            # its top comes first: turn left
    assert vertical_turn([Box(200, 10, 240, 330, "x", 0.9, turn=3)]) == 3
    assert vertical_turn([label, Box(20, 50, 400, 80, "正文", 0.99), column]) == 0


def test_turned_frame_puts_the_first_column_on_top():
    from ingest.ocr_lines import turn_frame
    right = Box(200, 10, 240, 330, "春风送暖到万家", 0.99, turn=1)
    left = Box(100, 12, 140, 330, "邮路通达千里外", 0.98, turn=1)
    boxes, rules, w, h = turn_frame([left, right], [(170, 0, 172, 340)], 1, 260, 340)
    assert (w, h) == (340, 260) and not right.vertical
    assert (right.x0, right.y0, right.x1, right.y1) == (10, 20, 330, 60)
    assert rules == [(0, 88, 340, 90)]
    lines = boxes_to_lines(boxes, rules, 0.5, 1)
    assert [ln.text for ln in lines] == ["春风送暖到万家", "邮路通达千里外"]


def test_vertical_boxes_are_lines_of_their_own_right_to_left():
    """A few vertical lines on a page of horizontal text stay where they are."""
    right = Box(200, 10, 240, 330, "春风送暖到万家", 0.99, turn=1)
    left = Box(100, 12, 140, 330, "邮路通达千里外", 0.98, turn=1)
    lines = boxes_to_lines([left, right], [], 72 / 144, 1)
    assert [ln.text for ln in lines] == ["春风送暖到万家", "邮路通达千里外"]
    assert lines[0].bbox.height > 5 * lines[0].bbox.width
    assert lines[0].size == pytest.approx(320 / 7 * 72 / 144, rel=0.05)   # length per glyph


# ------------------------------------------------------------------ real traits, drawn (slow)


@pytest.mark.slow
@pytest.mark.parametrize("colour, text", [((0, 0, 0), "快递小哥深夜送药"),
                                          ((255, 255, 255), "邮政网点延长营业时间")])
def test_text_on_a_transparent_ground_is_read(tmp_path, colour, text):
    img = traits.transparent(traits.render_line(text, 64), colour)
    assert _texts(img, tmp_path, dpi=(300, 300)) == [text]


@pytest.mark.slow
def test_light_text_on_a_dark_ground_is_read(tmp_path):
    img = traits.inverted(traits.render_line("绿色包装减少浪费", 40))
    assert _texts(img, tmp_path) == ["绿色包装减少浪费"]


@pytest.mark.slow
@pytest.mark.parametrize("text, size", [("别担心", 24), ("寄件请排队", 24), ("已签收", 32)])
def test_small_crop_turned_180_is_read(tmp_path, text, size):
    """Read as it lies, such a crop gives empty text: there was nothing to compare."""
    img = traits.turned(traits.render_line(text, size, margin=0.15, paper=240), 180)
    assert _texts(img, tmp_path) == [text]


@pytest.mark.slow
def test_vertical_column_reads_top_to_bottom(tmp_path):
    img = traits.render_vertical(["智能快件箱进社区"], rules=False)
    assert _texts(img, tmp_path) == ["智能快件箱进社区"]


@pytest.mark.slow
def test_big_vertical_print_with_rules_reads_right_to_left(tmp_path):
    """96 px glyphs at 144 dpi: their strokes were taken for ruling lines and erased."""
    img = traits.render_vertical(["春风送暖到万家", "邮路通达千里外"], 96)
    assert _texts(img, tmp_path, dpi=(144, 144)) == ["春风送暖到万家", "邮路通达千里外"]


@pytest.mark.slow
@pytest.mark.parametrize("degrees", [90, 270])
def test_line_turned_a_quarter_either_way_is_read(tmp_path, degrees):
    img = traits.turned(traits.render_line("快递包装回收", 48), degrees)
    assert _texts(img, tmp_path) == ["快递包装回收"]


@pytest.mark.slow
def test_thin_strip_of_two_lines_is_read(tmp_path):
    """About 880x35 px: a traceback in the deskew step before the fix."""
    img = traits.render_lines([LONG_1, LONG_2], 16, leading=1.2)
    assert img.width > 20 * img.height
    assert _texts(img, tmp_path) == [LONG_1, LONG_2]


@pytest.mark.slow
def test_line_with_no_margin_is_one_line_inside_the_page(tmp_path):
    img = traits.crop_to_ink(traits.render_line("在全市范围内推广智能快件箱", 32))
    page = _page(img, tmp_path)
    assert [ln.text for ln in page.lines] == ["在全市范围内推广智能快件箱"]
    assert page.width == pytest.approx(img.width * 72 / 300, abs=0.1)
    box = page.lines[0].bbox
    assert 0 <= box.x0 < box.x1 <= page.width and 0 <= box.top < box.bottom <= page.height


@pytest.mark.slow
@pytest.mark.parametrize("name, make", [
    ("one pixel", lambda: np.full((1, 1), 255, np.uint8)),
    ("all black", lambda: np.zeros((300, 400), np.uint8)),
    ("a hairline strip", lambda: np.pad(np.zeros((2, 3000), np.uint8), 1, constant_values=255)),
    ("fully transparent", lambda: np.zeros((50, 80, 4), np.uint8)),
])
def test_degenerate_images_give_an_empty_page_not_an_exception(tmp_path, name, make):
    from PIL import Image
    page = _page(Image.fromarray(make()), tmp_path)
    assert page.lines == ()


@pytest.mark.slow
def test_a_small_picture_is_detected_at_the_detector_size_in_its_own_pixels():
    """A web picture a few hundred pixels wide goes to the detector scaled up (its small print
    was missed at its own size); the boxes come back in the picture's pixels, around the ink."""
    from PIL import Image

    from ingest.ocr import engine
    line = traits.render_line("会员价九元起", 12, margin=0.3)
    img = Image.new("L", (320, 200), 250)
    img.paste(line, (40, 90))
    bgr = np.ascontiguousarray(np.repeat(np.asarray(img)[:, :, None], 3, axis=2))
    eng = engine()
    seen = []
    detector = eng.raw.text_det
    eng.raw.text_det = lambda picture: seen.append(picture.shape) or detector(picture)
    try:
        (quad,) = eng.detect(bgr)
    finally:
        eng.raw.text_det = detector
    assert max(seen[0][:2]) > 2 * max(bgr.shape[:2])
    ink_rows, ink_cols = np.nonzero(np.asarray(img) < 128)
    assert quad[:, 0].min() <= ink_cols.min() + 3 and quad[:, 0].max() >= ink_cols.max() - 3
    assert quad[:, 1].min() <= ink_rows.min() + 3 and quad[:, 1].max() >= ink_rows.max() - 3
    assert quad[:, 0].max() <= 320 and quad[:, 1].max() <= 200


def test_a_slanted_line_is_told_from_a_level_or_a_tall_one():
    """The photo of a bent page: a line at 8 degrees across a wide box; its upright rectangle is
    over three times its own height. A level line, one at half a degree and a column are not."""
    from ingest.ocr_read import is_slanted, rect_of

    def quad(x0, y0, length, height, degrees):
        a = np.radians(degrees)
        along, across = np.array([np.cos(a), -np.sin(a)]), np.array([np.sin(a), np.cos(a)])
        start = np.array([x0, y0], dtype=float)
        return np.float32([start, start + length * along, start + length * along + height * across,
                           start + height * across])

    for q, slanted in [(quad(100, 300, 1000, 40, 8), True), (quad(100, 300, 1000, 40, 0), False),
                       (quad(100, 300, 1000, 40, 0.5), False), (quad(300, 100, 40, 900, 0), False)]:
        assert is_slanted(q, rect_of(q, 2000, 2000)) == slanted


@pytest.mark.slow
def test_a_slanted_line_is_read_straightened_not_with_its_neighbours(tmp_path):
    """Cut upright, a slanted line's crop took in the lines above and below it (a phone photo
    read as fragments of three lines); warped level from its own corners it reads as itself."""
    from PIL import Image, ImageChops

    from ingest.ocr import engine
    from ingest.ocr_read import _band, _crop, _straightened, is_slanted, rect_of
    text = "街道工会为辖区快递员送去防暑用品"
    page = Image.new("L", (1100, 400), 250)
    for i, (line_text, angle) in enumerate([("各区邮政管理局开展专项检查工作", 0), (text, 6),
                                            ("市快递协会组织消防安全培训", 0)]):
        line = traits.render_line(line_text, 40, margin=0.2)
        w, h = line.size
        line = line.rotate(angle, expand=True, fillcolor=250, resample=Image.BICUBIC)
        layer = Image.new("L", page.size, 250)
        layer.paste(line, (60, 60 + 100 * i - (line.height - h) // 2))
        page = ImageChops.darker(page, layer)
        if angle:                         # the slanted line's corners, as a detector gives them
            a, (cx, cy) = np.radians(angle), (60 + line.width / 2, 60 + 100 * i + h / 2)
            corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
            turn = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
            q = np.float32(corners @ turn.T + [cx, cy])
    bgr = np.ascontiguousarray(np.repeat(np.asarray(page)[:, :, None], 3, axis=2))
    rect = rect_of(q, 1100, 400)
    assert is_slanted(q, rect)
    eng = engine()
    ((straight, _),) = eng.recognise([_straightened(bgr, q)])
    assert straight == text
    upright = _crop(bgr, rect)                # reaches into the lines above and below
    assert (upright[:, :, 0] < 128).any(axis=1).sum() > 1.5 * (_straightened(bgr, q)[:, :, 0] < 128).any(axis=1).sum()
    band = _band(q, rect, 400)
    assert band[3] - band[1] < 0.6 * (rect[3] - rect[1])
