"""Query normalization: any crop of an icon -> a square "ink" map the model reads.

The same steps run on every training sample (here) and on every reader's query (the widget's
``assets/widget/src/preprocess.js``); tests compare the two on the same images. Keep them in step
and bump ``PREPROCESS_VERSION`` (it is part of the cache key) when either changes.

1. Transparent images are composited over white, or over black when the opaque pixels are light.
2. Background = per-channel median of the border pixels.
3. Ink = colour distance to the background, divided by its maximum: polarity, colour and
   contrast drop out (white on a brand colour reads like black on white), while a twotone
   icon's light secondary shade keeps a low but non-zero ink.
4. Trim to the box of pixels with ink >= INK_THRESHOLD, make it square around its centre with
   a small margin, and area-average it down to ``size`` x ``size``.
"""

from __future__ import annotations

import numpy as np

PREPROCESS_VERSION = 1
INK_THRESHOLD = 0.25
MIN_CONTRAST = 0.04  # below this the image is blank: nothing to search for
MARGIN = 1 / 16
TRANSPARENT_FRACTION = 0.02


def preprocess(rgba: np.ndarray, size: int) -> np.ndarray:
    """``rgba``: H x W x 3|4 uint8. Returns ``size`` x ``size`` float32 in [0, 1] (all zero if blank)."""
    rgb = composite(rgba)
    ink = ink_map(rgb)
    box = content_box(ink)
    if box is None:
        return np.zeros((size, size), np.float32)
    return resample(ink, box, size).astype(np.float32)


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


def ink_map(rgb: np.ndarray) -> np.ndarray:
    h, w, _ = rgb.shape
    border = np.concatenate([rgb[0], rgb[h - 1], rgb[:, 0], rgb[:, w - 1]], axis=0)
    bg = np.median(border, axis=0)
    dist = np.sqrt(((rgb - bg) ** 2).sum(axis=-1) / 3.0)
    peak = dist.max()
    if peak < MIN_CONTRAST:
        return np.zeros((h, w))
    return np.minimum(dist / peak, 1.0)


def content_box(ink: np.ndarray) -> tuple[float, float, float] | None:
    """(centre x, centre y, side) of the square around the inked pixels, margin included."""
    mask = ink >= INK_THRESHOLD
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
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
