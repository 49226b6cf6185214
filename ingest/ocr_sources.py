"""Files -> page images for OCR: PDF pages rasterised at their scan's resolution, image files
(PNG/JPEG/TIFF, multi-page TIFF too) as grey or RGB arrays with their dpi."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from errors import ImageTooLarge, UnreadableImage
from ingest import raster
from ingest.ocr_options import DEFAULT_DPI, IMAGE_DPI, MAX_DPI, MIN_DPI


def native_dpi(page, width_pt: float) -> float | None:
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


def render_dpi(native: float | None) -> float:
    if native is None:
        return DEFAULT_DPI
    return float(min(MAX_DPI, max(MIN_DPI, round(native))))


def iter_pdf_images(path: Path, indices: list[int], forced_dpi: float | None = None):
    """(index, width pt, height pt, RGB array or None for a blank page, dpi) per page index."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(str(path))
    try:
        for index in indices:
            page = pdf[index]
            try:
                size = (page.get_width(), page.get_height())
                if pdfium_c.FPDFPage_CountObjects(page.raw) == 0:    # nothing drawn: a blank page
                    yield index, *size, None, 0.0
                    continue
                dpi = forced_dpi or render_dpi(native_dpi(page, size[0]))
                img = page.render(scale=dpi / 72, rev_byteorder=True).to_numpy()
                if img.ndim == 3 and img.shape[2] == 4:
                    img = img[:, :, :3]
                yield index, *size, np.ascontiguousarray(img), dpi
            finally:
                page.close()
    finally:
        pdf.close()


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


def iter_frames(path: Path):
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
