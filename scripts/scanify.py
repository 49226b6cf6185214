"""Scanned pages: rasterise a text PDF with pypdfium2, optionally degrade, encode as JPEG.

Degradation (seeded, reproducible) imitates a cheap office scan: slight skew, blur, grain and
a yellowish-grey paper tone; a whole-page rotation can be added for orientation tests.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

SCAN_BUDGET = 2_400_000          # bytes of JPEG per document, clean scans
CLEAN_QUALITY = (75, 65, 55, 45, 40)   # tried in turn until the scan fits SCAN_BUDGET
CLEAN_BLUR = 0.9                 # scanner optics, in pixels; also keeps the JPEGs small
DEGRADED_QUALITY = 60
GRAIN = 5.0                      # paper/sensor noise sigma, grey levels
PAPER = (234, 228, 206)
INK = (38, 34, 34)


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """How to scan: resolution, degradation with its seed, whole-page rotation (0/90/180)."""

    dpi: int = 300
    degrade: bool = False
    seed: int = 0
    rotate: int = 0


@dataclass(frozen=True, slots=True)
class ScanImage:
    """One scanned page: JPEG bytes and its page size in points."""

    jpeg: bytes
    width: float
    height: float


def rasterise(pdf: bytes, number: int, dpi: int):
    """Greyscale PIL image of page `number` (1-based)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        bitmap = doc[number - 1].render(scale=dpi / 72, grayscale=True)
        return bitmap.to_pil().convert("L")
    finally:
        doc.close()


def degrade(img, rng):
    """Skew within ±0.7°, paper tone with grain, then optics blur: an RGB image."""
    import numpy as np
    from PIL import Image, ImageFilter

    img = img.rotate(float(rng.uniform(-0.7, 0.7)), resample=Image.BICUBIC, fillcolor=255)
    ink = 1.0 - np.asarray(img, dtype=np.float32)[..., None] / 255.0
    h, w = ink.shape[:2]
    yy, xx = np.mgrid[-1:1:complex(0, h), -1:1:complex(0, w)].astype(np.float32)
    shade = 1.0 - 0.035 * (xx ** 2 + yy ** 2)[..., None]
    paper = (np.array(PAPER, np.float32) + rng.normal(0, 3, 3).astype(np.float32)) * shade
    rgb = paper * (1 - ink) + np.array(INK, np.float32) * ink
    rgb += rng.normal(0, GRAIN, (h, w, 1)).astype(np.float32)
    out = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")
    return out.filter(ImageFilter.GaussianBlur(0.7))


def jpeg(img, quality: int) -> bytes:
    """Progressive JPEG bytes (deterministic for the same pixels)."""
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, optimize=True, progressive=True)
    return buf.getvalue()


def scan_images(pdf: bytes, pages: tuple[int, ...], opts: ScanOptions) -> dict:
    """Page number -> final PIL image (before JPEG)."""
    import numpy as np
    from PIL import ImageFilter

    rng = np.random.default_rng(opts.seed)
    out = {}
    for number in pages:
        img = rasterise(pdf, number, opts.dpi)
        if opts.degrade:
            img = degrade(img, rng)
        else:
            img = img.filter(ImageFilter.GaussianBlur(CLEAN_BLUR))
        if opts.rotate:
            img = img.rotate(opts.rotate, expand=True)
        out[number] = img
    return out


def scan_pages(pdf: bytes, pages: tuple[int, ...], opts: ScanOptions) -> dict:
    """Page number -> ScanImage; clean scans drop JPEG quality until they fit SCAN_BUDGET."""
    images = scan_images(pdf, pages, opts)
    for quality in (DEGRADED_QUALITY,) if opts.degrade else CLEAN_QUALITY:
        data = {n: jpeg(img, quality) for n, img in images.items()}
        if sum(map(len, data.values())) <= SCAN_BUDGET:
            break
    return {n: ScanImage(data[n], img.width * 72 / opts.dpi, img.height * 72 / opts.dpi)
            for n, img in images.items()}


def add_image_page(pdf, image: ScanImage) -> None:
    """Append a page to an fpdf2 document holding only the scanned image (JPEG as is)."""
    pdf.add_page(format=(image.width, image.height))
    pdf.image(io.BytesIO(image.jpeg), x=0, y=0, w=image.width, h=image.height)


def write_images(images: dict, directory: Path, stem: str, fmt: str) -> list[Path]:
    """Write the page images as they are embedded (decoded JPEG for png/tiff)."""
    from PIL import Image

    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, image in sorted(images.items()):
        path = directory / f"{stem}-p{number:02d}.{fmt}"
        if fmt == "jpg":
            path.write_bytes(image.jpeg)
        else:
            Image.open(io.BytesIO(image.jpeg)).save(
                path, **({"compression": "tiff_lzw"} if fmt == "tiff" else {}))
        paths.append(path)
    return paths
