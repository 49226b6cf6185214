"""Scanned pages -> `Page`s of `Line`s, through RapidOCR: the only module importing rapidocr/cv2.

Per page: light-on-dark pages inverted, crops and thin strips given a margin, orientation
(90/270 from projection profiles confirmed by the detector, 180 from recognition scores and, on
a crop where they tie, RapidOCR's line classifier), deskew (projection profiles, one affine
warp), ruling lines (morphological opening; they become `Page.rules` and are erased before OCR),
text detection on a downscaled copy, recognition of crops cut from the full-resolution page
(tall boxes also turned: vertical lines; a page mostly of them is given turned, its columns
rows from right to left), then one `Line` per row run of boxes with the font size
estimated from characters per ink width, stroke weight (bold) and red ink measured on the pixels.
Transparent images are laid on the ground their text stands out from.
The segmenter (ingest/segment.py) turns these pages into a bulletin exactly as for text PDFs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ingest import raster
from ingest.document import Page
from errors import ImageTooLarge, OCRUnavailable, UnreadableImage
from ingest.ocr_lines import (Box, boxes_to_lines, mean_score, prefer_vertical, rules_to_points,
                               size_px, split_at_rules, turn_frame, unpad, vertical_turn)
from ingest.text import cjk

# Rasterising PDF pages. A page that holds a scanned image is rendered at the image's own
# resolution (no resampling), capped at MAX_DPI and raised to MIN_DPI; a page without one at
# DEFAULT_DPI. Measured (bench/ocr.py): forcing 200 or 300 dpi on the 8 sample scans
# gave the same scores; recognition time does not depend on it (crops are scaled to 48 px
# high) and the image steps cost 0.05 s/page at 200 dpi, 0.09 s at 300.
DEFAULT_DPI = 300
MAX_DPI = 300
MIN_DPI = 200
IMAGE_DPI = 300            # page images without (or with an implausible) dpi tag

# Text detection runs on a copy whose longer side is DET_LIMIT px. Measured (bench/ocr.py):
# 736 px 0.41 s/page but it loses 9 pt print; 960 px 0.54 s, every box, CER 0 on 8 scans;
# 1280 px 1.06 s for no gain; RapidOCR's default (2000 px) 1.5 s.
DET_LIMIT = 960
MIN_SCORE = 0.5            # recognitions below this are noise (RapidOCR's own text_score)
RULE_MIN_PT = 48.0         # a ruling line is at least this long (longest glyph stroke: ~1 em)
FLIP_CHECK_SCORE = 0.85   # a page whose mean score is lower is also tried upside down
FLIP_MARGIN = 0.1          # ... and turned when that scores this much better (0.05: same reads)

# Crops and strips (not pages): an image whose shorter side is under CROP_PX px, or wider than
# STRIP_RATIO times its height (RapidOCR's own letterbox ratio, Global.width_height_ratio), gets
# a margin of CROP_PAD times its shorter side (at least PAD_MIN_PX) before detection: text that
# touches the edge or fills a thin strip is otherwise missed. Measured on 9 real crops
# (`python -m bench.ocr --real DIR --expect TSV --sweep`, expected lines from RapidOCR's tests):
# with no margin a two-line 1167x54 strip gives no box at all, with any from 13 px both lines;
# margins of 0.1, 0.25 and 0.5 read the other crops alike, except a 323x430 poster: 15 of 17
# lines at 0.1 and 0.25, 13 at 0.5. On 54 drawn images of 9 traits (`python -m bench.ocr
# --traits`) 0.25 and 0.5 read all, 0.1 one fewer (a white-on-black line), no margin none of the
# 6 strips. CROP_PX 1000 would pad an 834x2036 page of vertical print too: its 3 columns came
# out in the wrong order.
CROP_PX = 600
STRIP_RATIO = 8.0
CROP_PAD = 0.25
PAD_MIN_PX = 16

# RapidOCR's line classifier (0 or 180 degrees) is asked only on crops of at most CLS_MAX_BOXES
# text boxes and only when the recognition scores of the boxes as they are and turned differ by
# at most FLIP_MARGIN; it flips when it says 180 with RapidOCR's own threshold (Cls.cls_thresh)
# for most of the text's width. On pages it stays off: it once turned a good page upside down.
# A crop is always checked, a page only when its mean score is below FLIP_CHECK_SCORE. Measured
# (`python -m bench.ocr --orientation`: 28 short words of ours at 14, 20 and 28 px in grey ink,
# as they are and turned by 180 degrees): 166 of 168 crops read exactly without both, 168 with
# them (the classifier asked on 46); the real crops read the same either way (`--real --sweep`).
CLS_MAX_BOXES = 3
CLS_THRESH = 0.9

# A ruling line is also longer than RULE_GLYPH_RATIO times the median size of the page's ink
# shapes: on big print (a 50 pt line, a poster) glyph strokes outgrow RULE_MIN_PT and were
# erased. Measured (`--real --sweep`): a photographed page of ~75 pt vertical print read 1 of its
# 3 columns exactly without this test, all 3 with a ratio of 2 or 3; body-text shapes are a
# fraction of RULE_MIN_PT, and the 8 sample scans read identically with it.
RULE_GLYPH_RATIO = 2.0
MIN_SHAPES = 5             # ... measured on at least this many shapes (one glyph is 1-4)

# ------------------------------------------------------------------ the engine


_ENGINES: dict = {}        # (threads, det_limit) -> engine: a cache, like lru_cache, filled on first use
_LOCK = threading.Lock()


def _model_files() -> dict[str, Path]:
    """Paths of the detection, recognition and line-orientation models the rapidocr wheel ships."""
    import rapidocr
    from omegaconf import OmegaConf

    root = Path(rapidocr.__file__).resolve().parent
    cfg = OmegaConf.load(root / "config.yaml")
    from rapidocr.inference_engine.base import FileInfo, InferSession
    from rapidocr.utils.typings import EngineType, LangRec, ModelType, OCRVersion, TaskType

    files = {}
    for task, section in (("det", cfg.Det), ("rec", cfg.Rec), ("cls", cfg.Cls)):
        info = FileInfo(engine_type=EngineType(section.engine_type),
                        ocr_version=OCRVersion(section.ocr_version),
                        task_type=TaskType(task), lang_type=LangRec(section.lang_type),
                        model_type=ModelType(section.model_type))
        url = InferSession.get_model_url(info)["model_dir"]
        files[task] = root / "models" / Path(str(url)).name
    return files


@dataclass(frozen=True, slots=True)
class OcrOptions:
    """How OCR runs, passed down (never set on the module): the native threads it may use
    (None: every core), the detector's limit and a forced rasterising resolution (None: the
    rule of `_render_dpi`). The defaults are the measured ones; `python -m bench ocr --sweep`
    measures others by passing them here."""

    threads: int | None = None
    det_limit: int = DET_LIMIT
    dpi: float | None = None


def as_options(options: "OcrOptions | int | None") -> OcrOptions:
    """Callers that only share cores pass a thread count; None is every default."""
    if isinstance(options, OcrOptions):
        return options
    return OcrOptions(threads=options)


def _build_engine(where: Path, options: OcrOptions = OcrOptions()):
    threads = options.threads
    try:
        from rapidocr import RapidOCR
        files = _model_files()
    except ImportError as exc:
        raise OCRUnavailable(where, f"cannot import rapidocr ({exc})") from exc
    except Exception as exc:                    # a rapidocr whose config names no default model
        raise OCRUnavailable(where, f"cannot find rapidocr's default models ({exc})") from exc
    for task, path in files.items():
        if not path.is_file():
            raise OCRUnavailable(where, f"the {task} model file {path} is missing; it ships in "
                                        "the rapidocr wheel and is never downloaded: "
                                        "`pip install --force-reinstall rapidocr` restores it")
    params = {"Global.log_level": "error", "Global.use_cls": False,
              # a bulk import with N workers on C cores gives each C/N threads (pipeline/worker.py)
              "EngineConfig.onnxruntime.intra_op_num_threads": threads or -1,
              "Global.max_side_len": 100_000, "Global.text_score": MIN_SCORE,
              "Det.limit_type": "max", "Det.limit_side_len": options.det_limit,
              "Det.model_path": str(files["det"]), "Rec.model_path": str(files["rec"]),
              "Cls.model_path": str(files["cls"])}
    if threads:
        cv2.setNumThreads(threads)
    try:
        engine = RapidOCR(params=params)
        engine._load_det_model()
        engine._load_rec_model()
        engine._load_cls_model()
    except Exception as exc:                    # onnxruntime errors on a corrupt model file
        raise OCRUnavailable(where, f"the OCR models cannot be loaded ({exc})") from exc
    return engine


def engine(where: str | Path = "<ocr>", options: OcrOptions | int | None = None):
    """The process's RapidOCR engine for a thread count and detector limit, built on first use
    (models load in ~1 s); a cache like lru_cache, keyed by what the engine is built with."""
    options = as_options(options)
    key = (options.threads, options.det_limit)
    with _LOCK:
        if key not in _ENGINES:
            _ENGINES[key] = _build_engine(Path(where), options)
        return _ENGINES[key]


def _detect(eng, bgr: np.ndarray) -> list[np.ndarray]:
    """Text boxes (4x2 float arrays, page pixels) from the detector on a downscaled copy."""
    out = eng.text_det(bgr)
    return [] if out.boxes is None else [np.asarray(b, dtype=np.float32) for b in out.boxes]


def _recognise(eng, crops: list[np.ndarray]) -> list[tuple[str, float]]:
    from rapidocr.ch_ppocr_rec import TextRecInput

    if not crops:
        return []
    out = eng.text_rec(TextRecInput(img=crops, return_word_box=False))
    return list(zip(out.txts, (float(s) for s in out.scores)))


# ------------------------------------------------------------------ page images


def _to_gray(img: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
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


def _rotate(img: np.ndarray | None, quarter_turns: int) -> np.ndarray | None:
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


def _find_rules(ink: np.ndarray, dpi: float) -> list[tuple[int, int, int, int]]:
    """Ruling lines (x0, y0, x1, y1 px, exclusive) by morphological opening with long thin
    kernels, on a half-resolution copy (4x cheaper; rules stay >= 1 px there); a 3 px closing
    first bridges breaks from blur and residual skew."""
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
                glyph_floor = RULE_GLYPH_RATIO * _shape_size(half)
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


def _crop(bgr: np.ndarray, rect) -> np.ndarray:
    x0, y0, x1, y1 = (int(round(v)) for v in rect)
    return bgr[max(0, y0):max(y0 + 1, y1), max(0, x0):max(x0 + 1, x1)]


def _missed_ink(ink: np.ndarray, rects: list) -> list[tuple[float, float, float, float]]:
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


def _rect(quad: np.ndarray, w: int, h: int) -> tuple[float, float, float, float]:
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


def _text_boxes(eng, prep: "_Prepared") -> list[Box]:
    """Detect, add missed glyphs, cut at vertical rules, recognise; tall boxes are also read
    turned either way (a vertical line) and kept so when that reads better."""
    bgr, rules = prep.bgr, prep.rules
    h, w = bgr.shape[:2]
    verticals = [r for r in rules if r[3] - r[1] > r[2] - r[0]]
    found, tall = [], []
    for quad in _detect(eng, bgr):
        rect = _rect(quad, w, h)
        if rect[2] - rect[0] >= 2 and rect[3] - rect[1] >= 2:
            found.append(raster.widen_over_dash(rect, prep.ink))
            if raster.is_tall(rect[2] - rect[0], rect[3] - rect[1]):
                tall.append(rect)
    rects = []
    for rect in found + _missed_ink(prep.ink, found):
        rects += split_at_rules(rect, verticals)
    results = _recognise(eng, [_crop(bgr, r) for r in rects])
    boxes = [Box(*r, text, score) for r, (text, score) in zip(rects, results)]
    if not tall:
        return boxes
    # a batch of their own: RapidOCR pads each batch to its widest crop, and scores move with it
    turned = _recognise(eng, [_turned_crop(bgr, r, k) for r in tall for k in (1, 3)])
    return prefer_vertical(boxes, tall, turned)


def _upside_down(eng, bgr: np.ndarray, boxes: list[Box]) -> bool:
    """Compare recognition scores of a few boxes as they are and turned by 180 degrees; on a
    crop where they tie, ask RapidOCR's line classifier."""
    sample = sorted(boxes, key=lambda b: -(b.y1 - b.y0 if b.vertical else b.x1 - b.x0))[:6]
    if not sample:
        return False
    crops = [_rec_crop(bgr, b) for b in sample]
    flipped = _recognise(eng, [np.ascontiguousarray(c[::-1, ::-1]) for c in crops])
    as_is = sum(b.score for b in sample) / len(sample)
    turned = sum(s for _, s in flipped) / len(flipped)
    if abs(turned - as_is) <= FLIP_MARGIN and len(boxes) <= CLS_MAX_BOXES:
        return _classified_upside_down(eng, crops)
    return turned > as_is + FLIP_MARGIN


def _classified_upside_down(eng, crops: list[np.ndarray]) -> bool:
    """RapidOCR's line classifier says 180 degrees, surely, for most of the text's width."""
    labels = eng.text_cls(crops).cls_res
    widths = [c.shape[1] for c in crops]
    turned = sum(w for w, (label, score) in zip(widths, labels)
                 if label == "180" and score >= CLS_THRESH)
    return turned > 0.5 * sum(widths)


def _runs_vertically(eng, gray: np.ndarray) -> bool:
    """Whether the detector finds mostly tall boxes on the page as it is: the profile test of
    `raster.is_sideways` takes one line of big, spaced glyphs for a page turned by 90 degrees."""
    h, w = gray.shape
    rects = [_rect(q, w, h) for q in _detect(eng, cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR))]
    tall = sum(r[3] - r[1] for r in rects if r[3] - r[1] > r[2] - r[0])
    wide = sum(r[2] - r[0] for r in rects if r[3] - r[1] <= r[2] - r[0])
    return tall > wide


@dataclass(slots=True)
class _Prepared:
    gray: np.ndarray
    colour: np.ndarray | None
    ink: np.ndarray
    rules: list
    bgr: np.ndarray


def _prepare(gray: np.ndarray, colour: np.ndarray | None, dpi: float,
             sideways_check: bool = True, confirm_sideways=None) -> _Prepared:
    """Upright (90/270), deskewed page with its rules found and erased; `confirm_sideways(gray)`
    has the last word on a page the profile test finds turned."""
    small, scale = _downscale(gray)
    threshold = raster.otsu_threshold(small)
    threshold = min(threshold, 200.0)
    small_ink = small < threshold
    if sideways_check and raster.is_sideways(small_ink, dpi * scale) and \
            (confirm_sideways is None or confirm_sideways(gray)):
        gray, colour = _rotate(gray, 1), _rotate(colour, 1)
        small_ink = _rotate(small_ink.astype(np.uint8), 1).astype(bool)
    angle = raster.skew_angle(small_ink)
    if abs(angle) >= 0.04:
        h, w = gray.shape
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
        gray = _warp(gray, matrix, 255)
        colour = _warp(colour, matrix, (255, 255, 255))
    ink = gray < threshold
    rules = _find_rules(ink, dpi)
    clean = gray
    if rules:
        clean = gray.copy()
        _erase_rules(clean, ink, rules, margin=max(2, round(dpi / 100)))
    bgr = cv2.cvtColor(clean, cv2.COLOR_GRAY2BGR)
    return _Prepared(gray, colour, ink, rules, bgr)


def _measure(box: Box, prep: _Prepared) -> None:
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


def _dark_on_light(gray: np.ndarray, colour: np.ndarray | None):
    """The page inverted if its text is light on a dark ground (the detector and recogniser
    read dark on light); red ink is not looked for on an inverted page."""
    small, _ = _downscale(gray)
    if raster.is_light_on_dark(small < min(raster.otsu_threshold(small), 200.0)):
        return 255 - gray, None
    return gray, colour


def _crop_pad(shape) -> int:
    """Margin (px) to add around an image that is a crop or a strip rather than a page."""
    h, w = shape[:2]
    if min(h, w) >= CROP_PX and w <= STRIP_RATIO * h:
        return 0
    return max(PAD_MIN_PX, round(CROP_PAD * min(h, w)))


def _pad(img: np.ndarray | None, pad: int, fill) -> np.ndarray | None:
    if img is None or pad == 0:
        return img
    return cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=fill)


def _read_upright(eng, prep: _Prepared, dpi: float) -> tuple[_Prepared, list[Box]]:
    """Recognised boxes, the page turned by 180 degrees first if it reads better so; a crop of
    a few boxes is always checked, a page only when its mean score is low."""
    read = _text_boxes(eng, prep)
    boxes = [b for b in read if b.text.strip()]
    scored = boxes or read                    # a crop read upside down can give empty text only
    check = len(scored) <= CLS_MAX_BOXES or mean_score(scored) < FLIP_CHECK_SCORE
    if scored and check and _upside_down(eng, prep.bgr, scored):
        prep = _prepare(_rotate(prep.gray, 2), _rotate(prep.colour, 2), dpi, sideways_check=False)
        boxes = [b for b in _text_boxes(eng, prep) if b.text.strip()]
    return prep, boxes


def ocr_image(img: np.ndarray, dpi: float, number: int, where: str | Path = "<image>",
              threads: OcrOptions | int | None = None) -> Page:
    """One page image (grey or RGB array) -> a Page of OCR lines in points."""
    eng = engine(where, threads)
    gray, colour = _dark_on_light(*_to_gray(img))
    pad = _crop_pad(gray.shape)
    prep = _prepare(_pad(gray, pad, 255), _pad(colour, pad, (255, 255, 255)), dpi,
                    confirm_sideways=lambda page: _runs_vertically(eng, page))
    prep, boxes = _read_upright(eng, prep, dpi)
    boxes = [b for b in boxes if b.score >= MIN_SCORE]
    for box in boxes:
        _measure(box, prep)
    factor = 72.0 / dpi
    h, w = (n - 2 * pad for n in prep.gray.shape)
    boxes, rules = unpad(boxes, prep.rules, pad, w, h)
    # a page of vertical lines is given in its turned frame, like a sideways page: rows that
    # follow each other as the columns did (re-reading it turned merges close columns)
    boxes, rules, w, h = turn_frame(boxes, rules, vertical_turn(boxes), w, h)
    lines = boxes_to_lines(boxes, rules, factor, number)
    return Page(number, w * factor, h * factor, lines, rules_to_points(rules, factor), "ocr")


# ------------------------------------------------------------------ public API


def _native_dpi(page, width_pt: float) -> float | None:
    """Resolution of the largest image on a PDF page (a scan), or None if it has none."""
    import pypdfium2.raw as pdfium_c

    best = None
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        px_w, px_h = obj.get_px_size()
        if right - left > 0.5 * width_pt and min(px_w, px_h) > 0:
            # longer side against longer side: right for an image placed turned by 90 degrees
            dpi = max(px_w, px_h) / (max(right - left, top - bottom) / 72)
            best = max(best or 0, dpi)
    return best


def _render_dpi(native: float | None) -> float:
    if native is None:
        return DEFAULT_DPI
    return float(min(MAX_DPI, max(MIN_DPI, round(native))))


def ocr_pdf_pages(path: str | Path, indices: list[int], threads: OcrOptions | int | None = None) -> list[Page]:
    """OCR the pages at these 0-based indices of a PDF; Pages numbered index + 1."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    path = Path(path)
    engine(path, threads)
    pdf = pdfium.PdfDocument(str(path))
    pages = []
    try:
        for index in indices:
            page = pdf[index]
            try:
                if pdfium_c.FPDFPage_CountObjects(page.raw) == 0:    # nothing drawn: a blank page
                    pages.append(Page(index + 1, page.get_width(), page.get_height(), (), (), "ocr"))
                    continue
                dpi = as_options(threads).dpi or _render_dpi(_native_dpi(page, page.get_width()))
                bitmap = page.render(scale=dpi / 72, rev_byteorder=True)
                img = bitmap.to_numpy()
                if img.ndim == 3 and img.shape[2] == 4:
                    img = img[:, :, :3]
                pages.append(ocr_image(np.ascontiguousarray(img), dpi, index + 1, path, threads))
            finally:
                page.close()
    finally:
        pdf.close()
    return pages


def _image_dpi(info: dict) -> float:
    dpi = info.get("dpi")
    try:
        value = float(dpi[0]) if isinstance(dpi, (tuple, list)) else float(dpi)
    except (TypeError, ValueError):
        return IMAGE_DPI
    return value if 100 <= value <= 1200 else IMAGE_DPI


def _frame_array(frame) -> np.ndarray:
    """A PIL frame as a uint8 grey or RGB array, 16-bit scaled down; a transparent image laid on
    the ground its text stands out from (dark text on white, light text on black)."""
    mode = frame.mode
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(frame, dtype=np.float64)
        top = arr.max() if arr.size else 0
        scale = 255.0 / (65535.0 if top > 255 else 255.0)
        return np.clip(arr * scale, 0, 255).astype(np.uint8)
    if mode in ("L", "1"):
        return np.asarray(frame.convert("L"))
    if "A" in mode or (mode == "P" and "transparency" in frame.info):
        rgba = np.asarray(frame.convert("RGBA"))
        return raster.composite(rgba, raster.alpha_ground(rgba))
    return np.asarray(frame.convert("RGB"))


def _frames(path: Path):
    """(array, dpi) per frame of an image file: multi-page TIFFs give one per page. Camera
    JPEGs are turned upright by their EXIF orientation; frames above MAX_DPI are reduced."""
    import warnings

    from PIL import Image, ImageOps, ImageSequence

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            warnings.simplefilter("ignore", UserWarning)       # PIL's "Truncated File Read"
            im = Image.open(path)
        with im:
            for frame in ImageSequence.Iterator(im):
                dpi = _image_dpi(frame.info or im.info)
                if im.format == "JPEG":
                    frame = ImageOps.exif_transpose(frame)
                arr = _frame_array(frame)
                if dpi > 1.2 * MAX_DPI:
                    scale = MAX_DPI / dpi
                    size = (max(1, round(arr.shape[1] * scale)), max(1, round(arr.shape[0] * scale)))
                    arr, dpi = cv2.resize(arr, size, interpolation=cv2.INTER_AREA), float(MAX_DPI)
                yield np.ascontiguousarray(arr), dpi
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge(path, str(exc).split(",")[0]) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise UnreadableImage(path, str(exc)) from exc


def ocr_image_files(paths, threads: OcrOptions | int | None = None) -> list[Page]:
    """OCR page images (PNG/JPEG/TIFF, multi-page TIFF too); pages numbered from 1 across all."""
    paths = [Path(p) for p in paths]
    if paths:
        engine(paths[0], threads)
    pages = []
    for path in paths:
        for arr, dpi in _frames(path):
            pages.append(ocr_image(arr, dpi, len(pages) + 1, path, threads))
    return pages
