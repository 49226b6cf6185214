"""Reading a prepared page with an OCR engine: text boxes, their crops recognised, orientation.

The engine is anything with `detect(bgr) -> [4x2 quads]`, `recognise(crops) -> [(text, score)]`
and `classify(crops) -> [(label, score)]` (ingest/ocr.py wraps RapidOCR so); nothing here
imports it. Detection runs on a downscaled copy, recognition on crops cut from the
full-resolution page; ink the detector missed is read too; tall boxes are also read turned (a
vertical line); a page turned by 180 degrees is found by recognition scores and, on a crop
where they tie, by RapidOCR's line classifier.
"""

from __future__ import annotations

import cv2
import numpy as np

from ingest import raster
from ingest.ocr_lines import Box, mean_score, prefer_vertical, split_at_rules
from ingest.ocr_options import CLS_THRESH, FLIP_CHECK_SCORE, OcrOptions
from ingest.ocr_page import Prepared, prepare, rotate


def _crop(bgr: np.ndarray, rect) -> np.ndarray:
    x0, y0, x1, y1 = (int(round(v)) for v in rect)
    return bgr[max(0, y0):max(y0 + 1, y1), max(0, x0):max(x0 + 1, x1)]


def missed_ink(ink: np.ndarray, rects: list) -> list[tuple[float, float, float, float]]:
    """Regions of glyph-sized ink no detected box covers (the detector, working on a downscaled
    page, can miss a lone digit in a table cell), to be recognised like detected boxes."""
    if not rects:
        return []
    line_h = float(np.median([r[3] - r[1] for r in rects]))
    small = ink[::2, ::2].copy()
    for x0, y0, x1, y1 in rects:
        small[max(0, int(y0 / 2) - 2):int(y1 / 2) + 3, max(0, int(x0 / 2) - 2):int(x1 / 2) + 3] = 0
    if small.sum() < 0.01 * line_h * line_h:
        return []
    reach = max(3, int(0.15 * line_h))
    merged = cv2.dilate(small.astype(np.uint8), np.ones((3, reach), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(merged, connectivity=8)
    h_img, w_img = ink.shape
    out = []
    for x, y, w, h, _area in stats[1:count]:
        height, width = 2 * h, 2 * (w - reach + 1)
        if 0.3 * line_h <= height <= 1.5 * line_h and width >= 0.15 * line_h:
            pad = 0.25 * line_h
            x0, x1 = 2 * x + reach - 1 - pad, 2 * (x + w) - reach + 1 + pad
            out.append((max(0.0, x0), max(0.0, 2 * y - pad), min(float(w_img), x1),
                        min(float(h_img), 2 * (y + h) + pad)))
    return out


def rect_of(quad: np.ndarray, w: int, h: int) -> tuple[float, float, float, float]:
    xs, ys = quad[:, 0], quad[:, 1]
    return (max(0.0, float(xs.min())), max(0.0, float(ys.min())), min(float(w), float(xs.max())),
            min(float(h), float(ys.max())))


def _turned_crop(bgr: np.ndarray, rect, quarter_turns: int) -> np.ndarray:
    """A crop turned counter-clockwise: by one quarter a vertical line's top comes first, by
    three its bottom (a line turned the other way)."""
    return np.ascontiguousarray(np.rot90(_crop(bgr, rect), quarter_turns))


def _rec_crop(bgr: np.ndarray, box: Box) -> np.ndarray:
    """The crop of a box as it was read."""
    return _turned_crop(bgr, (box.x0, box.y0, box.x1, box.y1), box.turn)


def text_boxes(eng, prep: Prepared) -> list[Box]:
    """Detect, add missed glyphs, cut at vertical rules, recognise; tall boxes are also read
    turned either way (a vertical line) and kept so when that reads better; a slanted line is
    read straightened (see `is_slanted`)."""
    bgr, rules = prep.bgr, prep.rules
    h, w = bgr.shape[:2]
    verticals = [r for r in rules if r[3] - r[1] > r[2] - r[0]]
    found, tall, slants = [], [], []
    for quad in eng.detect(bgr):
        rect = rect_of(quad, w, h)
        if rect[2] - rect[0] < 2 or rect[3] - rect[1] < 2:
            continue
        if is_slanted(quad, rect) and len(split_at_rules(rect, verticals)) == 1:
            slants.append((quad, rect))
            continue
        found.append(raster.widen_over_dash(rect, prep.ink))
        if raster.is_tall(rect[2] - rect[0], rect[3] - rect[1]):
            tall.append(rect)
    rects = []
    for rect in found + missed_ink(prep.ink, found + [rect for _, rect in slants]):
        rects += split_at_rules(rect, verticals)
    results = eng.recognise([_crop(bgr, r) for r in rects] + [_straightened(bgr, q) for q, _ in slants])
    places = rects + [_band(quad, rect, h) for quad, rect in slants]
    boxes = [Box(*r, text, score) for r, (text, score) in zip(places, results)]
    if not tall:
        return boxes
    # a batch of their own: RapidOCR pads each batch to its widest crop, and scores move with it
    turned = eng.recognise([_turned_crop(bgr, r, k) for r in tall for k in (1, 3)])
    return prefer_vertical(boxes, tall, turned)


SLANT_RATIO = 1.25  # a line whose upright rectangle is this many times its own height is slanted


def _line_height(quad: np.ndarray) -> float:
    return float((np.linalg.norm(quad[0] - quad[3]) + np.linalg.norm(quad[1] - quad[2])) / 2)


def is_slanted(quad: np.ndarray, rect) -> bool:
    """A wide line that runs at an angle of its own (a phone photo of a curved page: the deskew
    of the whole page cannot level every line). Its upright rectangle takes in the lines above
    and below it: cut so, the crop read a mix of three lines and lost characters."""
    height = _line_height(quad)
    return height >= 2 and rect[3] - rect[1] > SLANT_RATIO * height and rect[2] - rect[0] > 2 * height


def _band(quad: np.ndarray, rect, page_h: int) -> tuple[float, float, float, float]:
    """Where a slanted line stands on the page for layout: its width, and its own height
    around its middle (not the rectangle that reaches into its neighbours)."""
    half, middle = _line_height(quad) / 2, float(quad[:, 1].mean())
    return rect[0], max(0.0, middle - half), rect[2], min(float(page_h), middle + half)


def _straightened(bgr: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The crop of a slanted line, warped level (the quad's corners go to a rectangle)."""
    quad = np.asarray(quad, dtype=np.float32)
    width = int(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3])))
    height = int(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2])))
    target = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    return cv2.warpPerspective(bgr, cv2.getPerspectiveTransform(quad, target), (max(1, width), max(1, height)),
                               borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC)


def _upside_down(eng, bgr: np.ndarray, boxes: list[Box], options: OcrOptions) -> bool:
    """Compare recognition scores of a few boxes as they are and turned by 180 degrees; on a
    crop where they tie, ask RapidOCR's line classifier."""
    sample = sorted(boxes, key=lambda b: -(b.y1 - b.y0 if b.vertical else b.x1 - b.x0))[:6]
    if not sample:
        return False
    crops = [_rec_crop(bgr, b) for b in sample]
    flipped = eng.recognise([np.ascontiguousarray(c[::-1, ::-1]) for c in crops])
    as_is = sum(b.score for b in sample) / len(sample)
    turned = sum(s for _, s in flipped) / len(flipped)
    if abs(turned - as_is) <= options.flip_margin and len(boxes) <= options.cls_max_boxes:
        return classified_upside_down(eng, crops)
    return turned > as_is + options.flip_margin


def classified_upside_down(eng, crops: list[np.ndarray]) -> bool:
    """RapidOCR's line classifier says 180 degrees, surely, for most of the text's width."""
    labels = eng.classify(crops)
    widths = [c.shape[1] for c in crops]
    turned = sum(w for w, (label, score) in zip(widths, labels)
                 if label == "180" and score >= CLS_THRESH)
    return turned > 0.5 * sum(widths)


def runs_vertically(eng, gray: np.ndarray) -> bool:
    """Whether the detector finds mostly tall boxes on the page as it is: the profile test of
    `raster.is_sideways` takes one line of big, spaced glyphs for a page turned by 90 degrees."""
    h, w = gray.shape
    rects = [rect_of(q, w, h) for q in eng.detect(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR))]
    tall = sum(r[3] - r[1] for r in rects if r[3] - r[1] > r[2] - r[0])
    wide = sum(r[2] - r[0] for r in rects if r[3] - r[1] <= r[2] - r[0])
    return tall > wide


def read_upright(eng, prep: Prepared, dpi: float, options: OcrOptions) -> tuple[Prepared, list[Box]]:
    """Recognised boxes, the page turned by 180 degrees first if it reads better so; a crop of
    a few boxes is always checked, a page only when its mean score is low."""
    read = text_boxes(eng, prep)
    boxes = [b for b in read if b.text.strip()]
    scored = boxes or read                    # a crop read upside down can give empty text only
    check = len(scored) <= options.cls_max_boxes or mean_score(scored) < FLIP_CHECK_SCORE
    if scored and check and _upside_down(eng, prep.bgr, scored, options):
        prep = prepare(rotate(prep.gray, 2), rotate(prep.colour, 2), dpi, options,
                       sideways_check=False)
        boxes = [b for b in text_boxes(eng, prep) if b.text.strip()]
    return prep, boxes
