"""Pure numpy page-image measurements for OCR: ink, orientation, skew, stroke weight, colour.

Nothing here imports cv2 or an OCR engine (ingest/ocr_page.py and ingest/ocr.py do); every function takes numpy
arrays and returns numbers, so each can be tested on small synthetic images.
"""

from __future__ import annotations

import numpy as np

# Light text on a dark ground: darker-than-threshold pixels are more than this share of the image
# and of its border. Measured (both shares, on the 1000 px copy the check uses) on the real
# images `python -m bench.ocr --real` reads: a photographed shop sign 0.58 and 0.97; a purple
# poster with white and dark text 0.35 and 0.86 (left as it is: most of its text is dark on
# light); pages, crops and phone photos of pages 0.06-0.23 and 0-0.31.
DARK_GROUND_SHARE = 0.5

# Height over width from which a detected box may be a vertical line: RapidOCR turns crops from
# 1.5 (utils/process_img.get_rotate_crop_image). Such a box is read as it is and turned either
# way, and the best score wins, so a tall lone digit stays a digit: the 48 pages of the 8 sample
# scans have 8 such boxes (digits in table cells), none read better turned.
TALL_RATIO = 1.5


def otsu_threshold(gray: np.ndarray) -> float:
    """The grey level that best separates ink from paper (Otsu on the 256-bin histogram)."""
    hist = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    if total == 0:
        return 128.0
    levels = np.arange(256, dtype=np.float64)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    w1 = total - w0
    mean_all = m0[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean_all * w0 - m0 * total) ** 2 / (w0 * w1)
    between[~np.isfinite(between)] = 0
    first = int(np.argmax(between))
    # Every level between two occupied ones separates the same pixels; on a two-level image
    # (0 and 255 only) argmax would give 0, with which `gray < threshold` finds no ink at all.
    last = first
    while last + 1 < 256 and between[last + 1] >= between[first] * (1 - 1e-12):
        last += 1
    return float(first if last == first else (first + last + 1) // 2)


def is_light_on_dark(ink: np.ndarray) -> bool:
    """True if the "ink" (pixels darker than the threshold) is most of the image and most of
    its border: the ground is dark and the text light (white on black, a shop sign)."""
    if ink.size == 0:
        return False
    band = max(1, min(ink.shape) // 50)
    border = np.concatenate([ink[:band].ravel(), ink[-band:].ravel(),
                             ink[:, :band].ravel(), ink[:, -band:].ravel()])
    return bool(ink.mean() > DARK_GROUND_SHARE and border.mean() > DARK_GROUND_SHARE)


def alpha_ground(rgba: np.ndarray) -> int:
    """Grey level (0 or 255) to lay a transparent image on: the one farther from what its
    opaque pixels show (dark text goes on white, light text on black)."""
    alpha = rgba[..., 3].astype(np.float64)
    weight = alpha.sum()
    if weight == 0:
        return 255
    rgb = rgba[..., :3].astype(np.float64)
    luma = rgb @ np.array([0.299, 0.587, 0.114])
    return 0 if float((luma * alpha).sum() / weight) > 127.5 else 255


def composite(rgba: np.ndarray, ground: int) -> np.ndarray:
    """An RGBA array laid on a uniform grey ground: RGB uint8."""
    alpha = rgba[..., 3:4].astype(np.float64) / 255.0
    out = rgba[..., :3].astype(np.float64) * alpha + float(ground) * (1.0 - alpha)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def is_tall(width: float, height: float) -> bool:
    """A text box this shape may hold a vertical line (glyphs stacked top to bottom)."""
    return width > 0 and height >= TALL_RATIO * width


def _sharpness(coords: np.ndarray, n_bins: int) -> float:
    """How peaked a projection profile is: sum of squared bin counts over their mean^2."""
    counts = np.bincount(coords, minlength=n_bins).astype(np.float64)
    mean = counts.mean()
    return float((counts ** 2).mean() / (mean * mean)) if mean > 0 else 0.0


def _ink_points(ink: np.ndarray, limit: int = 60_000) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.nonzero(ink)
    if len(ys) > limit:                       # a regular subsample keeps the profile's shape
        step = len(ys) // limit + 1
        ys, xs = ys[::step], xs[::step]
    return ys.astype(np.float64), xs.astype(np.float64)


def skew_angle(ink: np.ndarray, max_deg: float = 5.0, step: float = 0.025) -> float:
    """Angle (degrees, counter-clockwise positive) by which text lines rise to the right;
    rotating the page clockwise by it makes them horizontal.

    Projection profiles: the shear that makes rows of ink most peaked is the skew.
    """
    ys, xs = _ink_points(ink)
    if len(ys) < 200:
        return 0.0
    height = ink.shape[0]
    xs = xs - ink.shape[1] / 2
    # rows shift by up to half the width times tan(angle): more than the height on a thin strip
    reach = int(np.ceil(np.abs(xs).max() * np.tan(np.radians(max_deg + 8 * step)))) + 1
    offset = max(height, reach)

    def score(deg: float) -> float:
        shifted = np.round(ys + xs * np.tan(np.radians(deg))).astype(np.int64) + offset
        return _sharpness(shifted, height + 2 * offset)

    coarse = np.arange(-max_deg, max_deg + 1e-9, 8 * step)
    best = max(coarse, key=score)
    fine = np.arange(best - 8 * step, best + 8 * step + 1e-9, step)
    return float(max(fine, key=score))


def _block_density(ink: np.ndarray, k: int) -> np.ndarray:
    h, w = ink.shape[0] // k * k, ink.shape[1] // k * k
    return ink[:h, :w].reshape(h // k, k, w // k, k).mean(axis=(1, 3))


def _profile_variation(density: np.ndarray, deg: float) -> float:
    """Total variation of the row profile of a density map sheared by `deg`, per unit of ink:
    high when rows alternate between text lines and the gaps between them."""
    h, w = density.shape
    ys, xs = np.nonzero(density)
    weights = density[ys, xs]
    rows = np.round(ys + (xs - w / 2) * np.tan(np.radians(deg))).astype(np.int64) + w
    profile = np.bincount(rows, weights=weights, minlength=h + 2 * w)
    total = profile.sum()
    return float(np.abs(np.diff(profile)).sum() / total) if total > 0 else 0.0


def is_sideways(ink: np.ndarray, dpi: float) -> bool:
    """True if the text lines run vertically (the page is turned by 90 or 270 degrees).

    On a ~2.5 pt grid the gaps between characters vanish but those between lines remain, so
    the profile across the lines varies much more than the one along them (CJK text sits in a
    grid of columns too, which defeats a plain projection test at full resolution).
    """
    if ink.sum() < 200:
        return False
    density = _block_density(ink, max(1, round(dpi * 2.5 / 72)))
    angles = (-3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0)
    rows = max(_profile_variation(density, d) for d in angles)
    cols = max(_profile_variation(density.T, d) for d in angles)
    return cols > 1.25 * rows


def ink_extent(ink: np.ndarray, min_count: int = 1) -> tuple[int, int, int, int] | None:
    """Tight box (x0, y0, x1, y1), exclusive ends, of the ink in a crop; None if blank.

    Rows are kept only in the band around the crop's densest band, so a neighbour line's
    ink grazing the crop's edge does not widen the box.
    """
    rows = ink.sum(axis=1)
    if rows.max(initial=0) < min_count:
        return None
    on = rows >= min_count
    window = max(5, ink.shape[0] // 3)      # the line is the densest band a third as high
    centre = int(np.argmax(np.convolve(rows, np.ones(window), mode="same")))
    if not on[centre]:
        centre = int(np.argmax(rows))
    top = centre
    bottom = centre
    gap_allow = max(2, ink.shape[0] // 12)   # small blank rows inside a glyph line are fine
    gap = 0
    for y in range(centre - 1, -1, -1):
        gap = 0 if on[y] else gap + 1
        if gap > gap_allow:
            break
        if on[y]:
            top = y
    gap = 0
    for y in range(centre + 1, len(on)):
        gap = 0 if on[y] else gap + 1
        if gap > gap_allow:
            break
        if on[y]:
            bottom = y
    cols = ink[top:bottom + 1].sum(axis=0)
    xs = np.nonzero(cols >= min_count)[0]
    if len(xs) == 0:
        return None
    return int(xs[0]), top, int(xs[-1]) + 1, bottom + 1


def stroke_width(ink: np.ndarray, size_px: float) -> float | None:
    """Typical stroke thickness in pixels: the mean length of the ink runs, across rows and
    columns, shorter than 0.2 em (runs across a stroke; runs along one are longer).
    Bold type measures ~1.2x regular type of the same size; None if there is too little ink."""
    lengths = []
    for arr in (ink, ink.T):
        diff = np.diff(np.pad(arr.astype(np.int8), ((0, 0), (1, 1))), axis=1)
        starts = np.nonzero(diff == 1)[1]
        ends = np.nonzero(diff == -1)[1]
        lengths.append(ends - starts)        # np.nonzero walks rows in order: pairs line up
    runs = np.concatenate(lengths)
    runs = runs[runs < 0.2 * size_px]
    if len(runs) < 30:
        return None
    return float(runs.mean())


def red_fraction(rgb: np.ndarray, ink: np.ndarray) -> float:
    """Share of the ink pixels of a crop that are clearly red (RGB order)."""
    n = int(ink.sum())
    if n == 0:
        return 0.0
    px = rgb[ink].astype(np.int16)
    r, g, b = px[:, 0], px[:, 1], px[:, 2]
    red = (r > 120) & (r - np.maximum(g, b) > 60)
    return float(red.sum()) / n


def leading_dash_length(ink: np.ndarray, size_px: float) -> float:
    """Length in ems of a dash (a thin horizontal stroke) that starts a line's ink, else 0.

    Tells a subtitle's `——` (2 em) from `一` (1 em), which recognisers confuse.
    """
    if ink.size == 0 or size_px <= 0:
        return 0.0
    cols = np.nonzero(ink.any(axis=0))[0]
    if len(cols) == 0:
        return 0.0
    thin = 0.2 * size_px
    allowed_gap = max(1, int(0.25 * size_px))
    start = end = int(cols[0])
    band: tuple[int, int] | None = None
    gap = 0
    for x in range(start, ink.shape[1]):
        ys = np.nonzero(ink[:, x])[0]
        if len(ys) == 0:
            gap += 1
            if gap > allowed_gap:
                break
            continue
        lo, hi = int(ys[0]), int(ys[-1])
        if band is None:
            band = (lo, hi)
        lo2, hi2 = min(band[0], lo), max(band[1], hi)
        if hi2 - lo2 + 1 > thin:
            break
        band, end, gap = (lo2, hi2), x + 1, 0
    return (end - start) / size_px


def widen_over_dash(rect, ink: np.ndarray):
    """Widen a box to the left over a dash that precedes it (a subtitle's `——`): thin strokes
    vanish from the detector's downscaled copy, so the box often starts after them."""
    x0, y0, x1, y1 = (int(round(v)) for v in rect)
    h = y1 - y0
    if h < 4:
        return rect
    for _ in range(3):                           # up to three dash pieces, right to left
        left = max(0, x0 - int(1.5 * h))
        sub = ink[y0:y1, left:x0]
        cols = np.nonzero(sub.any(axis=0))[0]
        if len(cols) == 0:
            return rect
        # the run of inked columns nearest the box
        end = cols[-1]
        start = end
        for c in cols[::-1][1:]:
            if start - c > 2:
                break
            start = c
        run = sub[:, start:end + 1]
        rows = np.nonzero(run.any(axis=1))[0]
        if rows[-1] - rows[0] + 1 > 0.22 * h or end - start + 1 < 0.3 * h or \
                x0 - (left + end) > 0.8 * h:
            return rect
        x0 = left + start - 2
        rect = (float(x0), rect[1], rect[2], rect[3])
    return rect
