"""Scanned pages -> `Page`s of `Line`s, through RapidOCR: the only module importing rapidocr.

Per page (ingest/ocr_page.py): light-on-dark pages inverted, crops and thin strips given a
margin, 90/270 degree turns from projection profiles confirmed by the detector, deskew, ruling
lines found (they become `Page.rules`) and erased. Then (ingest/ocr_read.py) text detection on a
downscaled copy, recognition of crops cut from the full-resolution page (tall boxes also turned:
vertical lines), a 180 degree turn from recognition scores; then one `Line` per row run of boxes
(ingest/ocr_lines.py) with the font size, stroke weight (bold) and red ink measured on the
pixels. How it runs (engine, threads, batch, the measured settings) is an `OcrOptions`
(ingest/ocr_options.py). The segmenter turns these pages into a bulletin exactly as for text PDFs.
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np

from errors import OCRUnavailable
from ingest.document import Page
from ingest.ocr_lines import boxes_to_lines, rules_to_points, turn_frame, unpad, vertical_turn
from ingest.ocr_options import DET_LIMIT, MIN_SCORE, OcrOptions, as_options
from ingest import ocr_page, ocr_read
from ingest.ocr_sources import iter_frames, iter_pdf_images
from ingest.page_progress import pages_done

__all__ = ["OcrOptions", "engine", "ocr_image", "ocr_pdf_pages", "ocr_image_files"]

_ENGINES: dict = {}        # OcrOptions.engine_key -> engine: a cache, like lru_cache, filled on first use
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


def _engine_params(files: dict[str, Path], options: OcrOptions) -> dict:
    """RapidOCR's configuration: our model files (the ONNX files the wheel ships, which
    OpenVINO reads as well), the engine and its threads, the detector limit, the batch."""
    from rapidocr.utils.typings import EngineType

    threads = options.threads
    params = {"Global.log_level": "error", "Global.use_cls": False,
              "Global.max_side_len": 100_000, "Global.text_score": MIN_SCORE,
              "Det.limit_type": "max", "Det.limit_side_len": options.det_limit,
              "Rec.rec_batch_num": options.batch}
    for task in ("det", "rec", "cls"):
        section = task.capitalize()
        params[f"{section}.model_path"] = str(files[task])
        params[f"{section}.engine_type"] = EngineType(options.engine)
    # a bulk import with N workers on C cores gives each C/N threads (pipeline/worker.py)
    if options.engine == "openvino":
        params["EngineConfig.openvino.inference_num_threads"] = threads or -1
    else:
        params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads or -1
    return params


UPSCALE_MAX = 4.0           # a small image is scaled up for the detector at most this much
REC_SHAPE = (48, 320)       # RapidOCR's Rec.rec_img_shape: crops scaled to 48 px high, 320 px at least


def _rec_input(crop: np.ndarray) -> np.ndarray:
    """A crop as RapidOCR's TextRecognizer feeds it in a batch of one (resize_norm_img):
    48 px high, scaled to [-1, 1], channels first, padded with zeros to at least 320 px."""
    height, least = REC_SHAPE
    width = max(least, int(height * max(least / height, crop.shape[1] / crop.shape[0])))
    resized_w = min(width, int(np.ceil(height * crop.shape[1] / crop.shape[0])))
    resized = cv2.resize(crop, (resized_w, height)).astype(np.float32).transpose((2, 0, 1))
    out = np.zeros((1, 3, height, width), dtype=np.float32)
    out[0, :, :, :resized_w] = (resized / 255 - 0.5) / 0.5
    return out


class _Streams:
    """Recognition on OpenVINO with one inference stream per thread: crops one at a time (no
    padding to a batch's widest), as many at once as there are streams, each decoded (by
    RapidOCR's CTC decoder) as soon as it is read, so a crop reads as RapidOCR reads it alone.
    Measured on a page's 32 lines (CPU-s / wall on a loaded machine): one stream of 1 thread
    1.19 / 6.9 s, one of 2 threads 1.37 / 7.3 s, two streams of 1 thread 1.10 / 4.0 s."""

    def __init__(self, model_path: Path, threads: int | None):
        import os

        import openvino as ov
        from rapidocr.ch_ppocr_rec.utils import CTCLabelDecode

        core = ov.Core()
        model = core.read_model(str(model_path))
        # the model carries its character list, as RapidOCR reads it (OpenVINOInferSession)
        characters = model.get_rt_info()["framework"]["character"].value.splitlines()
        self._decode = CTCLabelDecode(character=characters).decode
        streams = max(1, threads or os.cpu_count() or 1)
        compiled = core.compile_model(model, "CPU", {"NUM_STREAMS": streams,
                                                     "INFERENCE_NUM_THREADS": streams})
        self._queue = ov.AsyncInferQueue(compiled, streams)
        self._lock = threading.Lock()            # one page's crops at a time per engine

    def __call__(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        found: list = [None] * len(crops)

        def done(request, i):                    # on OpenVINO's thread: keep only the best paths
            out = request.get_output_tensor().data
            found[i] = (out.argmax(axis=2), out.max(axis=2))
        with self._lock:
            self._queue.set_callback(done)
            for i in sorted(range(len(crops)), key=lambda i: -crops[i].shape[1] / crops[i].shape[0]):
                self._queue.start_async([_rec_input(crops[i])], i)    # longest first
            self._queue.wait_all()
        return [(text, float(score)) for idx, prob in found
                for text, score in self._decode(idx, prob, remove_duplicate=True)[0]]


class _Engine:
    """RapidOCR's detector, recogniser and line classifier as three calls on numpy arrays
    (the shape ingest/ocr_read.py reads with); `raw` is RapidOCR's own pipeline (bench). On
    OpenVINO crops are read by `_Streams` (RapidOCR's recogniser is then loaded only if `raw`
    is called); the classifier loads on first use (only small crops ever ask it)."""

    def __init__(self, rapid, streams: _Streams | None, limit: int = DET_LIMIT):
        self.raw = rapid
        self._streams = streams
        self.limit = limit

    def detect(self, bgr: np.ndarray) -> list[np.ndarray]:
        """Text boxes (4x2 float arrays, page pixels) from the detector on a copy scaled to its
        input size: a page is scaled down; a small image (a phone crop, a web picture) is scaled
        up, as the detector misses text a few pixels high (a 430-pixel photo: 14 of 18 lines)."""
        h, w = bgr.shape[:2]
        scale = min(UPSCALE_MAX, self.limit / max(h, w, 1))
        if scale > 1:
            bgr = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        out = self.raw.text_det(bgr)
        if out.boxes is None:
            return []
        return [np.asarray(b, dtype=np.float32) / max(scale, 1.0) for b in out.boxes]

    def recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        from rapidocr.ch_ppocr_rec import TextRecInput
        if not crops:
            return []
        if self._streams is not None:
            return self._streams(crops)
        out = self.raw.text_rec(TextRecInput(img=crops, return_word_box=False))
        return list(zip(out.txts, (float(s) for s in out.scores)))

    def classify(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        cls = self.raw._load_cls_model()
        return [(label, float(score)) for label, score in cls(crops).cls_res]


def _build_engine(where: Path, options: OcrOptions) -> _Engine:
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
    if options.threads:
        cv2.setNumThreads(options.threads)
    try:
        rapid = RapidOCR(params=_engine_params(files, options))
        rapid._load_det_model()
        if options.engine == "openvino" and options.batch == 1:
            return _Engine(rapid, _Streams(files["rec"], options.threads), options.det_limit)
        rapid._load_rec_model()
        return _Engine(rapid, None, options.det_limit)
    except ImportError as exc:                  # the engine's package is not installed
        raise OCRUnavailable(where, f"the {options.engine} engine cannot be imported ({exc}); "
                                    f"`pip install {options.engine}` or choose the other "
                                    "engine (--ocr-engine)") from exc
    except Exception as exc:                    # engine errors on a corrupt model file
        raise OCRUnavailable(where, f"the OCR models cannot be loaded ({exc})") from exc


def engine(where: str | Path = "<ocr>", options: OcrOptions | int | None = None) -> _Engine:
    """The process's OCR engine for what it is built with (engine, threads, detector limit,
    batch), built on first use (models load in ~1 s); a cache like lru_cache."""
    options = as_options(options)
    with _LOCK:
        if options.engine_key not in _ENGINES:
            _ENGINES[options.engine_key] = _build_engine(Path(where), options)
        return _ENGINES[options.engine_key]


def ocr_image(img: np.ndarray, dpi: float, number: int, where: str | Path = "<image>",
              threads: OcrOptions | int | None = None) -> Page:
    """One page image (grey or RGB array) -> a Page of OCR lines in points."""
    options = as_options(threads)
    eng = engine(where, options)
    gray, colour = ocr_page.dark_on_light(*ocr_page.to_gray(img))
    pad = ocr_page.crop_pad(gray.shape, options)
    prep = ocr_page.prepare(ocr_page.pad(gray, pad, 255), ocr_page.pad(colour, pad, (255, 255, 255)),
                            dpi, options, confirm_sideways=lambda page: ocr_read.runs_vertically(eng, page))
    prep, boxes = ocr_read.read_upright(eng, prep, dpi, options)
    boxes = [b for b in boxes if b.score >= MIN_SCORE]
    for box in boxes:
        ocr_page.measure(box, prep)
    factor = 72.0 / dpi
    h, w = (n - 2 * pad for n in prep.gray.shape)
    boxes, rules = unpad(boxes, prep.rules, pad, w, h)
    # a page of vertical lines is given in its turned frame, like a sideways page: rows that
    # follow each other as the columns did (re-reading it turned merges close columns)
    boxes, rules, w, h = turn_frame(boxes, rules, vertical_turn(boxes), w, h)
    lines = boxes_to_lines(boxes, rules, factor, number)
    return Page(number, w * factor, h * factor, lines, rules_to_points(rules, factor), "ocr")


def ocr_pdf_pages(path: str | Path, indices: list[int],
                  threads: OcrOptions | int | None = None) -> list[Page]:
    """OCR the pages at these 0-based indices of a PDF; Pages numbered index + 1."""
    path = Path(path)
    options = as_options(threads)
    engine(path, options)
    pages = []
    for index, width, height, img, dpi in iter_pdf_images(path, indices, options.dpi):
        if img is None:                                 # nothing drawn: a blank page
            pages.append(Page(index + 1, width, height, (), (), "ocr"))
        else:
            pages.append(ocr_image(img, dpi, index + 1, path, options))
        pages_done(1)
    return pages


def ocr_image_files(paths, threads: OcrOptions | int | None = None) -> list[Page]:
    """OCR page images (PNG/JPEG/TIFF, multi-page TIFF too); pages numbered from 1 across all."""
    paths = [Path(p) for p in paths]
    options = as_options(threads)
    if paths:
        engine(paths[0], options)
    pages = []
    for path in paths:
        for arr, dpi in iter_frames(path):
            pages.append(ocr_image(arr, dpi, len(pages) + 1, path, options))
            pages_done(1)
    return pages
