"""Query normalization: any crop of an icon -> a square "ink" map the model reads.

The same steps run on every training sample (here) and on every reader's query (the widget's
``assets/widget/src/preprocess.js``); tests compare the two on the same images. Keep them in step
and bump ``PREPROCESS_VERSION`` (it is part of the cache key) when either changes.

1. Transparent images are composited over white, or over black when the opaque pixels are light.
2. Background = per-channel median of the border pixels.
3. Ink = colour distance to the background, divided by its maximum: polarity, colour and
   contrast drop out (white on a brand colour reads like black on white), while a twotone
   icon's light secondary shade keeps a low but non-zero ink.
4. Trim to the box of pixels with ink >= INK_THRESHOLD.
5. A filled container (a brand-coloured button or chip around a light icon) shows up as a box
   whose edge and most of whose inside are ink, with the icon as a hole. Then the container's
   colour becomes the background inside that box, so the icon reads as ink like everywhere else.
6. Make the box square around its centre with a small margin and area-average it down to
   ``size`` x ``size``.
"""

from __future__ import annotations

import numpy as np

PREPROCESS_VERSION = 2
INK_THRESHOLD = 0.25
MIN_CONTRAST = 0.04  # below this the image is blank: nothing to search for
MARGIN = 1 / 16
TRANSPARENT_FRACTION = 0.02
CONTAINER_EDGE = 0.6  # share of the box's edge pixels that are ink
CONTAINER_FILL = 0.55  # share of the box's pixels that are ink


def preprocess(rgba: np.ndarray, size: int) -> np.ndarray:
    """``rgba``: H x W x 3|4 uint8. Returns ``size`` x ``size`` float32 in [0, 1] (all zero if blank)."""
    rgb = composite(rgba)
    ink = ink_map(rgb)
    bounds = ink_bounds(ink)
    if bounds is None:
        return np.zeros((size, size), np.float32)
    ink = open_container(rgb, ink, bounds)
    return resample(ink, square_box(bounds), size).astype(np.float32)


def composite(rgba: np.ndarray) -> np.ndarray:
    img = np.asarray(rgba, dtype=np.float64) / 255.0
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    if img.shape[-1] == 3:
        return img
    rgb, a = img[..., :3], img[..., 3:4]
    if (a[..., 0] < 0.5).mean() <= TRANSPARENT_FRACTION:
        return rgb
    opaque = a[..., 0] >= 0.5
    lum = rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114
    back = 0.0 if opaque.any() and lum[opaque].mean() > 0.5 else 1.0
    return rgb * a + back * (1.0 - a)


def _border(a: np.ndarray) -> np.ndarray:
    h, w = a.shape[:2]
    return np.concatenate([a[0], a[h - 1], a[:, 0], a[:, w - 1]], axis=0)


def ink_map(rgb: np.ndarray, bg: np.ndarray | None = None) -> np.ndarray:
    """Colour distance to ``bg`` (default: the border's median colour), scaled to peak at 1."""
    if bg is None:
        bg = np.median(_border(rgb), axis=0)
    dist = np.sqrt(((rgb - bg) ** 2).sum(axis=-1) / 3.0)
    peak = dist.max()
    if peak < MIN_CONTRAST:
        return np.zeros(rgb.shape[:2])
    return np.minimum(dist / peak, 1.0)


def ink_bounds(ink: np.ndarray) -> tuple[int, int, int, int] | None:
    """(y0, y1, x0, x1): the box around the pixels with ink >= INK_THRESHOLD."""
    mask = ink >= INK_THRESHOLD
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def open_container(rgb: np.ndarray, ink: np.ndarray, bounds: tuple[int, int, int, int]) -> np.ndarray:
    """Inside a filled container, measure ink against the container's colour (step 5)."""
    y0, y1, x0, x1 = bounds
    if y1 - y0 < 3 or x1 - x0 < 3:
        return ink
    inside = ink[y0:y1, x0:x1] >= INK_THRESHOLD
    if _border(inside).mean() < CONTAINER_EDGE or inside.mean() < CONTAINER_FILL:
        return ink
    region = rgb[y0:y1, x0:x1]
    fill = np.median(region[inside], axis=0)
    out = np.zeros_like(ink)
    out[y0:y1, x0:x1] = ink_map(region, fill)
    return out


def square_box(bounds: tuple[int, int, int, int]) -> tuple[float, float, float]:
    """(centre x, centre y, side) of the square around ``bounds``, margin included."""
    y0, y1, x0, x1 = bounds
    side = max(y1 - y0, x1 - x0) * (1 + 2 * MARGIN)
    return (x0 + x1) / 2.0, (y0 + y1) / 2.0, float(side)


def area_weights(start: float, step: float, size: int, length: int) -> np.ndarray:
    """W[i, j]: how much of source pixel j falls in output cell i ([start + i*step, +step))."""
    edges = start + step * np.arange(size + 1)
    lo = np.maximum(edges[:-1, None], np.arange(length)[None, :])
    hi = np.minimum(edges[1:, None], np.arange(length)[None, :] + 1)
    return np.clip(hi - lo, 0.0, None) / step


def resample(ink: np.ndarray, box: tuple[float, float, float], size: int) -> np.ndarray:
    cx, cy, side = box
    step = side / size
    wy = area_weights(cy - side / 2, step, size, ink.shape[0])
    wx = area_weights(cx - side / 2, step, size, ink.shape[1])
    return wy @ ink @ wx.T
