"""A page image made ready for OCR, and its boxes measured on it: pure numpy/OpenCV steps.

Light-on-dark pages inverted, crops and thin strips given a margin, pages turned by 90 degrees
put upright (projection profiles, confirmed by the caller), deskew (one affine warp), ruling
lines found by morphological opening (they become `Page.rules`) and erased before detection;
then, per recognised box, its tight ink box, stroke weight (bold) and red ink.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ingest import raster
from ingest.ocr_lines import Box, size_px
from ingest.ocr_options import MIN_SHAPES, PAD_MIN_PX, RULE_GLYPH_RATIO, RULE_MIN_PT, OcrOptions
from ingest.text import cjk


@dataclass(slots=True)
class Prepared:
    gray: np.ndarray
    colour: np.ndarray | None
    ink: np.ndarray
    rules: list
    bgr: np.ndarray


def to_gray(img: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Grey page and, if the page has colour, its RGB pixels (for red ink)."""
    if img.ndim == 2:
        return img, None
    if img.shape[2] == 4:
        img = img[:, :, :3]
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    small = img[::8, ::8].astype(np.int16)
    spread = np.abs(small[:, :, 0] - small[:, :, 1]) + np.abs(small[:, :, 0] - small[:, :, 2])
    colour = img if (spread > 80).mean() > 1e-4 else None
    return gray, colour


def _downscale(gray: np.ndarray, long_side: int = 1000) -> tuple[np.ndarray, float]:
    scale = long_side / max(gray.shape)
    if scale >= 1:
        return gray, 1.0
    size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA), scale


def rotate(img: np.ndarray | None, quarter_turns: int) -> np.ndarray | None:
    if img is None or quarter_turns % 4 == 0:
        return img
    code = {1: cv2.ROTATE_90_COUNTERCLOCKWISE, 2: cv2.ROTATE_180,
            3: cv2.ROTATE_90_CLOCKWISE}[quarter_turns % 4]
    return cv2.rotate(img, code)


def _warp(img: np.ndarray | None, matrix: np.ndarray, fill) -> np.ndarray | None:
    if img is None:
        return None
    h, w = img.shape[:2]
    return cv2.warpAffine(img, matrix, (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


def find_rules(ink: np.ndarray, dpi: float,
               glyph_ratio: float = RULE_GLYPH_RATIO) -> list[tuple[int, int, int, int]]:
    """Ruling lines (x0, y0, x1, y1 px, exclusive) by morphological opening with long thin
    kernels, on a half-resolution copy (4x cheaper; rules stay >= 1 px there); a 3 px closing
    first bridges breaks from blur and residual skew. A rule is also longer than `glyph_ratio`
    times the median ink shape (big print's strokes are not rules)."""
    step = 2 if dpi >= 200 else 1
    if step > 1:                               # 2x2 max-pool: 1-px lines survive
        h2, w2 = ink.shape[0] // 2 * 2, ink.shape[1] // 2 * 2
        even = ink[:h2, :w2]
        half = (even[0::2, 0::2] | even[1::2, 0::2] | even[0::2, 1::2] | even[1::2, 1::2])
        half = half.view(np.uint8)
    else:
        half = ink.astype(np.uint8)
    length = max(10, int(RULE_MIN_PT * dpi / 72 / step))
    thick_max = max(2, int(4 * dpi / 72 / step))        # a rule is at most 4 pt thick
    found: list[tuple[int, int, int, int]] = []
    glyph_floor = None
    for kernel, bridge in (((length, 1), (1, 3)), ((1, length), (3, 1))):
        closed = cv2.morphologyEx(half, cv2.MORPH_CLOSE, cv2.getStructuringElement(
            cv2.MORPH_RECT, bridge))
        opened = cv2.morphologyEx(closed, cv2.MORPH_OPEN, cv2.getStructuringElement(
            cv2.MORPH_RECT, kernel))
        count, _, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
        for x, y, w, h, _area in stats[1:count]:
            if (h if kernel[0] > 1 else w) > thick_max:
                continue
            if glyph_floor is None:
                glyph_floor = glyph_ratio * _shape_size(half)
            if max(w, h) >= glyph_floor:
                found.append((int(x * step), int(y * step), int((x + w) * step),
                              int((y + h) * step)))
    return found


def _shape_size(ink: np.ndarray) -> float:
    """Median extent (px, the longer side) of the ink's connected shapes: glyphs and their
    parts (the longer side, so that 一 and 二 measure as wide as they are)."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    sizes = np.maximum(stats[1:count, cv2.CC_STAT_WIDTH], stats[1:count, cv2.CC_STAT_HEIGHT])
    sizes = sizes[sizes >= 3]                            # specks say nothing about the print
    # with a handful of shapes the rules themselves can be the median: no estimate then
    return float(np.median(sizes)) if len(sizes) >= MIN_SHAPES else 0.0


def _erase_rules(gray: np.ndarray, ink: np.ndarray, rules, margin: int) -> None:
    """Paint the ruling lines out of the page (in place) so they reach no text crop."""
    for x0, y0, x1, y1 in rules:
        region = (slice(max(0, y0 - margin), y1 + margin), slice(max(0, x0 - margin), x1 + margin))
        gray[region] = 255
        ink[region] = False


def prepare(gray: np.ndarray, colour: np.ndarray | None, dpi: float, options: OcrOptions,
            sideways_check: bool = True, confirm_sideways=None) -> Prepared:
    """Upright (90/270), deskewed page with its rules found and erased; `confirm_sideways(gray)`
    has the last word on a page the profile test finds turned."""
    small, scale = _downscale(gray)
    threshold = raster.otsu_threshold(small)
    threshold = min(threshold, 200.0)
    small_ink = small < threshold
    if sideways_check and raster.is_sideways(small_ink, dpi * scale) and \
            (confirm_sideways is None or confirm_sideways(gray)):
        gray, colour = rotate(gray, 1), rotate(colour, 1)
        small_ink = rotate(small_ink.astype(np.uint8), 1).astype(bool)
    angle = raster.skew_angle(small_ink)
    if abs(angle) >= 0.04:
        h, w = gray.shape
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
        gray = _warp(gray, matrix, 255)
        colour = _warp(colour, matrix, (255, 255, 255))
    ink = gray < threshold
    rules = find_rules(ink, dpi, options.rule_glyph_ratio)
    clean = gray
    if rules:
        clean = gray.copy()
        _erase_rules(clean, ink, rules, margin=max(2, round(dpi / 100)))
    bgr = cv2.cvtColor(clean, cv2.COLOR_GRAY2BGR)
    return Prepared(gray, colour, ink, rules, bgr)


def measure(box: Box, prep: Prepared) -> None:
    """Tight ink box, stroke weight and redness of one text box."""
    x0, y0, x1, y1 = (int(round(v)) for v in (box.x0, box.y0, box.x1, box.y1))
    ink = prep.ink[y0:y1, x0:x1]
    extent = raster.ink_extent(ink.T if box.vertical else ink)
    if extent is None:
        return
    ex0, ey0, ex1, ey1 = (extent[1], extent[0], extent[3], extent[2]) if box.vertical else extent
    box.ink = (x0 + ex0, y0 + ey0, x0 + ex1, y0 + ey1)
    tight = ink[ey0:ey1, ex0:ex1]
    box.size = size_px(box)
    if sum(1 for ch in box.text if cjk(ch)) >= 2:
        box.stroke = raster.stroke_width(tight, box.size)
    if not box.vertical:
        box.dash = raster.leading_dash_length(tight, (ey1 - ey0) / 0.92)
    if prep.colour is not None:
        box.red = raster.red_fraction(prep.colour[y0 + ey0:y0 + ey1, x0 + ex0:x0 + ex1], tight)


def dark_on_light(gray: np.ndarray, colour: np.ndarray | None):
    """The page inverted if its text is light on a dark ground (the detector and recogniser
    read dark on light); red ink is not looked for on an inverted page."""
    small, _ = _downscale(gray)
    if raster.is_light_on_dark(small < min(raster.otsu_threshold(small), 200.0)):
        return 255 - gray, None
    return gray, colour


def crop_pad(shape, options: OcrOptions = OcrOptions()) -> int:
    """Margin (px) to add around an image that is a crop or a strip rather than a page."""
    h, w = shape[:2]
    if min(h, w) >= options.crop_px and w <= options.strip_ratio * h:
        return 0
    return max(PAD_MIN_PX, round(options.crop_pad * min(h, w)))


def pad(img: np.ndarray | None, margin: int, fill) -> np.ndarray | None:
    if img is None or margin == 0:
        return img
    return cv2.copyMakeBorder(img, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=fill)
