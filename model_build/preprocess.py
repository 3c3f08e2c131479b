"""Query normalization: any crop of an icon -> a square "ink" map the model reads.

The same steps run on every training sample (here) and on every reader's query (the widget's
``assets/widget/src/preprocess.js``); tests compare the two on the same images. Keep them in step
and bump ``PREPROCESS_VERSION`` (it is part of the cache key) when either changes.

1. Transparent images are composited over white, or over black when the opaque pixels are light.
2. Background = per-channel median of the border pixels.
3. Ink = colour distance to the background, divided by its maximum: polarity, colour and
   contrast drop out (white on a brand colour reads like black on white), while a twotone
   icon's light secondary shade keeps a low but non-zero ink.
4. Borders and separators at the crop's edges (a disabled button's outline, a table row's rule:
   as dark as a dimmed icon, they would take the box) are dropped: a run of lines, at most
   ``RULE_RUN`` of the side thick, whose ink spans ``RULE_SPAN`` of the crop, reached from the
   edge across empty lines and followed by an empty line. Not when all four sides have one (a
   square icon), nor a line flush with the edge when what is left reaches the opposite edge (an
   icon cropped tight, like vertical-align-top's bar), nor lines whose like is left between them
   (a menu icon's bars). Then trim to the box of pixels with
   ink >= INK_THRESHOLD.
5. A filled container (a brand-coloured button or chip around a light icon) shows up as a box
   whose edge and most of whose inside are ink, with the icon as a hole. Then the container's
   colour becomes the background inside that box, so the icon reads as ink like everywhere else.
6. Make the box square around its centre with a small margin and area-average it down to
   ``size`` x ``size``.
7. A wide box (an icon with the start of its label, a toolbar strip) gives a second view: its
   leading square (as tall as the box, from the left), trimmed to its own ink, so the icon
   fills the model's input instead of a third of it. Training learns from both views; a search
   averages the model's answers over them.
"""

from __future__ import annotations

import numpy as np

PREPROCESS_VERSION = 5
INK_THRESHOLD = 0.25
MIN_CONTRAST = 0.04  # below this the image is blank: nothing to search for
MARGIN = 1 / 16
TRANSPARENT_FRACTION = 0.02
CONTAINER_EDGE = 0.6  # share of the box's edge pixels that are ink
CONTAINER_FILL = 0.55  # share of the box's pixels that are ink
WIDE = 1.4  # box width / height from which a leading view is added
LEAD = 1.1  # the leading view's width, in box heights
RULE_SPAN = 0.85  # share of the crop's width (height) a border line covers
RULE_RUN = 0.08  # a border's thickness, at most, as a share of the crop's height (width); 3 px at least


def preprocess(rgba: np.ndarray, size: int) -> np.ndarray:
    """``rgba``: H x W x 3|4 uint8. Returns ``size`` x ``size`` float32 in [0, 1] (all zero if blank):
    the whole crop's view (the first of :func:`preprocess_views`)."""
    views = preprocess_views(rgba, size)
    return views[0] if views else np.zeros((size, size), np.float32)


def preprocess_views(rgba: np.ndarray, size: int) -> list[np.ndarray]:
    """The whole crop's ink map, then the leading view when the box is wide (step 7); [] if blank."""
    rgb = composite(rgba)
    ink = strip_rules(ink_map(rgb))
    bounds = ink_bounds(ink)
    if bounds is None:
        return []
    ink = open_container(rgb, ink, bounds)
    views = [resample(ink, square_box(bounds), size).astype(np.float32)]
    lead = leading_view(ink, bounds, size)
    return views + ([lead] if lead is not None else [])


def leading_bounds(ink: np.ndarray, bounds: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """Step 7's window: the box's first ``LEAD`` heights, trimmed to its ink (None: not wide)."""
    y0, y1, x0, x1 = bounds
    if x1 - x0 < WIDE * (y1 - y0):
        return None
    xe = x0 + int(np.ceil(LEAD * (y1 - y0)))
    inner = ink_bounds(ink[y0:y1, x0:xe])
    if inner is None:
        return None
    by0, by1, bx0, bx1 = inner
    return y0 + by0, y0 + by1, x0 + bx0, x0 + bx1


def leading_view(ink: np.ndarray, bounds: tuple[int, int, int, int], size: int) -> np.ndarray | None:
    lead = leading_bounds(ink, bounds)
    if lead is None:
        return None
    y0, y1, x0, x1 = lead
    window = np.zeros_like(ink)  # nothing of the label beyond the window
    window[y0:y1, x0:x1] = ink[y0:y1, x0:x1]
    return resample(window, square_box(lead), size).astype(np.float32)


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


def _edge_runs(counts: np.ndarray, span: int) -> tuple[int, int, bool, bool]:
    """Step 4's candidates along one axis: [lo, hi), the lines left once a border run at
    either end is cut, and whether each run lies flush with the crop's edge (no empty line
    before it). ``counts``: each line's ink pixels; ``span``: the length of a line."""
    n = len(counts)
    most = max(3, round(RULE_RUN * n))

    def scan(i: int, step: int) -> tuple[int, bool]:
        start = i
        while 0 <= i < n and counts[i] == 0:
            i += step
        flush, run = i == start, 0
        while 0 <= i < n and counts[i] >= RULE_SPAN * span:
            i, run = i + step, run + 1
        return (i, flush) if 0 < run <= most else (start, False)

    (lo, lo_flush), (hi, hi_flush) = scan(0, 1), scan(n - 1, -1)
    return lo, hi + 1, lo_flush, hi_flush


def strip_rules(ink: np.ndarray) -> np.ndarray:
    """Step 4: the ink map without border lines at the crop's edges, scaled to peak at 1 again."""
    mask = ink >= INK_THRESHOLD
    h, w = mask.shape
    top, bottom, top_flush, bottom_flush = _edge_runs(mask.sum(axis=1), w)
    left, right, left_flush, right_flush = _edge_runs(mask.sum(axis=0), h)
    # A cut needs an empty line beside it, not counting the other sides' border lines.
    cut = [0 < top < h and not mask[top, left:right].any(),
           0 < bottom < h and not mask[bottom - 1, left:right].any(),
           0 < left < w and not mask[top:bottom, left].any(),
           0 < right < w and not mask[top:bottom, right - 1].any()]
    if sum(cut) in (0, 4):
        return ink

    def region(cut):  # (y0, y1, x0, x1): what the cuts leave
        return top if cut[0] else 0, bottom if cut[1] else h, left if cut[2] else 0, right if cut[3] else w

    y0, y1, x0, x1 = region(cut)
    # A line flush with the edge is kept when what is left reaches the other edge: an icon
    # cropped tight (vertical-align-top's bar), not a border beside an icon with room around it.
    rest = ink_bounds(ink[y0:y1, x0:x1])
    if rest is None:
        return ink
    ry0, ry1, rx0, rx1 = rest
    cut = [cut[0] and not (top_flush and ry1 == y1 - y0), cut[1] and not (bottom_flush and ry0 == 0),
           cut[2] and not (left_flush and rx1 == x1 - x0), cut[3] and not (right_flush and rx0 == 0)]
    # Nor when what is left has a line as long: bars of the icon itself (menu, equals, justify).
    if (mask[y0:y1].sum(axis=1) >= RULE_SPAN * w).any():
        cut[0] = cut[1] = False
    if (mask[:, x0:x1].sum(axis=0) >= RULE_SPAN * h).any():
        cut[2] = cut[3] = False
    if not any(cut):
        return ink
    y0, y1, x0, x1 = region(cut)
    out = np.zeros_like(ink)
    out[y0:y1, x0:x1] = ink[y0:y1, x0:x1]
    peak = out.max()
    if peak < INK_THRESHOLD:
        return ink
    return np.minimum(out / peak, 1.0)


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


def preprocess_batch(cells: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`preprocess` for N same-sized opaque crops at once (N x H x W x 3 uint8): the
    screenshot stage cuts hundreds per sheet, and one vectorized pass in float32 is several
    times faster than a loop. Same numbers as :func:`preprocess` on each crop, to float32
    rounding (a test checks). Returns the whole-crop views (N x size x size), then the leading
    views of the wide crops and the indexes of those crops."""
    n, h, w = cells.shape[:3]
    scale = np.float32(1 / 255)
    # uint8 stays uint8 until one channel at a time is needed as float: no N x H x W x 3
    # float copy (a 2x sheet's crops would make a 44 MB one).
    border = np.concatenate([cells[:, 0], cells[:, h - 1], cells[:, :, 0], cells[:, :, w - 1]], axis=1)
    bg = np.median(border.astype(np.float32) * scale, axis=1)
    dist = np.zeros((n, h, w), np.float32)
    for ch in range(3):
        diff = cells[..., ch].astype(np.float32)
        diff *= scale
        diff -= bg[:, ch, None, None]
        diff *= diff
        dist += diff
    dist *= np.float32(1 / 3)
    np.sqrt(dist, out=dist)
    peak = dist.max(axis=(1, 2))
    blank = peak < MIN_CONTRAST
    dist /= np.where(blank, 1, peak)[:, None, None]
    ink = np.minimum(dist, 1, out=dist)
    ink[blank] = 0
    mask = ink >= INK_THRESHOLD
    # Step 4 on the few crops with a line across them (a row or column nearly all ink).
    ruled = np.flatnonzero((mask.sum(axis=2) >= RULE_SPAN * w).any(axis=1)
                           | (mask.sum(axis=1) >= RULE_SPAN * h).any(axis=1))
    for i in ruled:
        ink[i] = strip_rules(ink[i])
    if ruled.size:
        mask = ink >= INK_THRESHOLD
    empty = ~mask.any(axis=(1, 2))
    y0, y1, x0, x1 = _bounds_batch(mask)
    boxed = np.flatnonzero(_containers(mask, y0, y1, x0, x1) & ~empty)
    if boxed.size:
        ink[boxed] = _open_containers(cells[boxed], mask[boxed], y0[boxed], y1[boxed], x0[boxed], x1[boxed])
    out = _resample_batch(ink, y0, y1, x0, x1, size)
    out[empty] = 0
    # Step 7, vectorized over the wide crops: the window's own ink box, then that box resampled.
    wide = np.flatnonzero(~empty & (x1 - x0 >= WIDE * (y1 - y0)))
    xs = np.arange(w)[None, :]
    xe = x0[wide] + np.ceil(LEAD * (y1[wide] - y0[wide])).astype(np.int64)
    in_window = (xs >= x0[wide, None]) & (xs < xe[:, None])
    inner = (ink[wide] >= INK_THRESHOLD) & in_window[:, None, :]  # ink after step 5
    keep = inner.any(axis=(1, 2))
    wide, inner = wide[keep], inner[keep]
    ly0, ly1, lx0, lx1 = _bounds_batch(inner)
    ys = np.arange(h)[None, :]
    keep_rows = (ys >= ly0[:, None]) & (ys < ly1[:, None])
    keep_cols = (xs >= lx0[:, None]) & (xs < lx1[:, None])
    window = ink[wide] * keep_rows[:, :, None] * keep_cols[:, None, :]
    leads = _resample_batch(window, ly0, ly1, lx0, lx1, size)
    return out, leads, wide.astype(np.int64)


def _bounds_batch(mask: np.ndarray):
    """:func:`ink_bounds` of each N x H x W mask (rows and columns any(), first and last)."""
    h, w = mask.shape[1:]
    rows, cols = mask.any(axis=2), mask.any(axis=1)
    return rows.argmax(axis=1), h - rows[:, ::-1].argmax(axis=1), cols.argmax(axis=1), w - cols[:, ::-1].argmax(axis=1)


def _resample_batch(ink: np.ndarray, y0, y1, x0, x1, size: int) -> np.ndarray:
    """:func:`resample` of each map over the square around its box (:func:`square_box`)."""
    side = np.maximum(y1 - y0, x1 - x0) * (1 + 2 * MARGIN)
    step = side / size
    wy = _area_weights_batch((y0 + y1) / 2.0 - side / 2, step, size, ink.shape[1])
    wx = _area_weights_batch((x0 + x1) / 2.0 - side / 2, step, size, ink.shape[2])
    return (wy @ ink @ wx.transpose(0, 2, 1)).astype(np.float32)


def _containers(mask: np.ndarray, y0, y1, x0, x1) -> np.ndarray:
    """Which crops pass :func:`open_container`'s test (edge and fill shares of their ink box),
    from the box's four edge lines and the mask's count instead of a loop; only those few are
    then opened one by one."""
    n, h, w = mask.shape
    idx = np.arange(n)
    xs, ys = np.arange(w)[None, :], np.arange(h)[None, :]
    in_x = (xs >= x0[:, None]) & (xs < x1[:, None])
    in_y = (ys >= y0[:, None]) & (ys < y1[:, None])
    yl, xl = np.maximum(y1 - 1, 0), np.maximum(x1 - 1, 0)
    top = np.count_nonzero(mask[idx, y0] & in_x, axis=1)
    bottom = np.count_nonzero(mask[idx, yl] & in_x, axis=1)
    left = np.count_nonzero(mask[idx, :, x0] & in_y, axis=1)
    right = np.count_nonzero(mask[idx, :, xl] & in_y, axis=1)
    bh, bw = y1 - y0, x1 - x0
    edge = (top + bottom + left + right) / np.maximum(2 * bw + 2 * bh, 1)
    # The box's fill: every ink pixel lies inside the box by construction.
    fill = np.count_nonzero(mask, axis=(1, 2)) / np.maximum(bh * bw, 1)
    return (bh >= 3) & (bw >= 3) & (edge >= CONTAINER_EDGE) & (fill >= CONTAINER_FILL)


def _open_containers(cells: np.ndarray, mask: np.ndarray, y0, y1, x0, x1) -> np.ndarray:
    """:func:`open_container` of M crops that passed :func:`_containers`, at once and with the
    same float64 arithmetic (identical numbers): a fifth of a sheet's crops are buttons or
    chips, and one call per crop was a third of the cutting time."""
    m, h, w = mask.shape
    scale = np.float32(1 / 255)
    level = (np.arange(256, dtype=np.float32) * scale).astype(np.float64)
    # The container's colour: each channel's median over the box's ink pixels, read off
    # per-crop histograms of the uint8 values (np.median's two middle values, averaged).
    count = np.count_nonzero(mask, axis=(1, 2))
    lower, upper = ((count - 1) // 2)[:, None], (count // 2)[:, None]
    first_bin = (np.arange(m, dtype=np.int32) * 257)[:, None, None]  # bin 256: not ink, not counted
    dist = np.zeros((m, h, w))
    for ch in range(3):
        values = cells[..., ch]
        bins = np.where(mask, values, np.uint16(256)) + first_bin
        hist = np.bincount(bins.ravel(), minlength=m * 257).reshape(m, 257)[:, :256].cumsum(axis=1)
        fill = (level[(hist > lower).argmax(axis=1)] + level[(hist > upper).argmax(axis=1)]) / 2
        diff = level[values]
        diff -= fill[:, None, None]
        dist += diff ** 2  # channel by channel: the same sums, in the same order, as ink_map's
    dist = np.sqrt(dist / 3.0)
    ys, xs = np.arange(h)[None, :], np.arange(w)[None, :]
    in_box = (((ys >= y0[:, None]) & (ys < y1[:, None]))[:, :, None]
              & ((xs >= x0[:, None]) & (xs < x1[:, None]))[:, None, :])
    dist[~in_box] = 0
    peak = dist.max(axis=(1, 2))
    faint = peak < MIN_CONTRAST
    out = np.minimum(dist / np.where(faint, 1.0, peak)[:, None, None], 1.0)
    out[faint] = 0
    return out


def _area_weights_batch(start: np.ndarray, step: np.ndarray, size: int, length: int) -> np.ndarray:
    edges = (start[:, None] + step[:, None] * np.arange(size + 1)[None, :]).astype(np.float32)
    pixels = np.arange(length, dtype=np.float32)[None, None, :]
    lo = np.maximum(edges[:, :-1, None], pixels)
    hi = np.minimum(edges[:, 1:, None], pixels + 1)
    return np.clip(hi - lo, 0, None) / step[:, None, None].astype(np.float32)
