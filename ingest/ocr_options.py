"""How OCR runs: `OcrOptions`, with every default a measured one (the measurements beside it).

Options are passed down, never set on a module: `python -m bench ocr --sweep / --real --sweep /
--orientation` measures other values by passing other options. Importing this costs nothing (no
numpy, no cv2), so settings can build options without loading the OCR stack.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from errors import InvalidValue

# The inference engine RapidOCR runs its ONNX models on. OpenVINO, on a CPU with bf16 units
# (AVX512-BF16/AMX: its CPU plugin then infers in bf16 by default), recognises 2.5x faster than
# onnxruntime on the same crops (CPU seconds for one page's 32 lines: 1.06-1.25 s vs 2.6-3.1 s;
# in f32 it is no faster than onnxruntime), with the same CER on the sample scans (bench/ocr.py
# `python -m bench ocr --engines`). onnxruntime stays a setting (and the fallback measured here).
ENGINES = ("openvino", "onnxruntime")
ENGINE = "openvino"

# Recognition batch size per engine. RapidOCR pads every crop of a batch to the widest one (crops
# are sorted by width first); onnxruntime gains from batching, OpenVINO does not: one crop at a
# time (no padding) cost 1.06 CPU-s for a page's lines against 1.25 (6 a batch) and 1.99 (32).
# A crop read alone also reads the same whatever its neighbours.
REC_BATCH = {"openvino": 1, "onnxruntime": 6}

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
FLIP_CHECK_SCORE = 0.85    # a page whose mean score is lower is also tried upside down
FLIP_MARGIN = 0.1          # ... and turned when that scores this much better (0.05: same reads)

# Crops and strips (not pages): an image whose shorter side is under CROP_PX px, or wider than
# STRIP_RATIO times its height (RapidOCR's own letterbox ratio, Global.width_height_ratio), gets
# a margin of CROP_PAD times its shorter side (at least PAD_MIN_PX) before detection: text that
# touches the edge or fills a thin strip is otherwise missed. Measured on 9 real crops
# (`python -m bench ocr --real DIR --expect TSV --sweep`, expected lines from RapidOCR's tests):
# with no margin a two-line 1167x54 strip gives no box at all, with any from 13 px both lines;
# margins of 0.1, 0.25 and 0.5 read the other crops alike, except a 323x430 poster: 15 of 17
# lines at 0.1 and 0.25, 13 at 0.5. On 54 drawn images of 9 traits (`python -m bench ocr
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
# (`python -m bench ocr --orientation`: 28 short words of ours at 14, 20 and 28 px in grey ink,
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


@dataclass(frozen=True, slots=True)
class OcrOptions:
    """How OCR runs: the inference engine and the native threads it may use (None: every
    core), the recognition batch (None: the engine's measured one), the detector's limit, a
    forced rasterising resolution (None: the rule of MIN_DPI..MAX_DPI), and the measured
    settings for crops, orientation and ruling lines (see the constants above)."""

    threads: int | None = None
    engine: str = ENGINE
    rec_batch: int | None = None
    det_limit: int = DET_LIMIT
    dpi: float | None = None
    crop_px: int = CROP_PX
    strip_ratio: float = STRIP_RATIO
    crop_pad: float = CROP_PAD
    cls_max_boxes: int = CLS_MAX_BOXES
    flip_margin: float = FLIP_MARGIN
    rule_glyph_ratio: float = RULE_GLYPH_RATIO

    def __post_init__(self):
        if self.engine not in ENGINES:
            raise InvalidValue(f"the OCR engine is one of {', '.join(ENGINES)}, not {self.engine!r}")

    @property
    def batch(self) -> int:
        return self.rec_batch or REC_BATCH[self.engine]

    @property
    def engine_key(self) -> tuple:
        """What an engine is built with: options that differ only in the rest share one."""
        return (self.engine, self.threads, self.det_limit, self.batch)


def as_options(options: "OcrOptions | int | None") -> OcrOptions:
    """Callers that only share cores pass a thread count; None is every default."""
    if isinstance(options, OcrOptions):
        return options
    return OcrOptions(threads=options)


def with_changes(options: OcrOptions, **changes) -> OcrOptions:
    """Options with some fields changed (bench sweeps name them as strings)."""
    return replace(options, **changes)
