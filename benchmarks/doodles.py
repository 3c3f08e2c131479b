"""Doodles of icons, as a person draws them, for benchmarks/sketch.py.

The procedure, on purpose unlike the plugin's training sketches (Chromium drawing the SVG's
paths as ``fill:none`` strokes, i.e. every shape's contour, wobbled per pixel by an
feTurbulence/feDisplacementMap filter, skewed, rotated, a patch erased):

1. The icon is rasterized by resvg at 128 px (a TwoTone icon with both of its parts as ink) and
   its alpha binarized: the pixels, never the SVG's path geometry.
2. Each connected part is drawn the way people draw it: a thin, stroke-like part along its
   centre line (a Zhang-Suen skeleton: one line where the training draws two contours), a thick
   or solid part along its outline (holes included), a small solid dot as a blob or tiny circle.
3. Those pixel curves are traced into ordered polylines (walking the 8-connected skeleton,
   split at junctions), simplified by Douglas-Peucker at a random tolerance, sometimes rounded
   by a corner-cutting pass; very short strokes are dropped, and each other one with p=0.1
   (missed details, never all of them).
4. Hand error is geometric, per stroke and low-frequency (a few smooth sine offsets along the
   stroke), with ends that over- or undershoot and loops left open or crossing; one affine
   (rotation, anisotropic scale, shear) moves the whole doodle, placed at a random spot/size.
5. PIL lines (round joints and caps) in one of three styles: "pad" (the widget's draw pad: a
   mouse or finger, thick black lines on white, 240 px), "pen" (ballpoint, thin dark blue or
   black, 160-400 px), "pencil_photo" (a phone photo of a pencil sketch: uneven grey graphite on
   off-white paper with a lighting gradient, grain, blur, JPEG).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from scipy import ndimage

from scenes import prepare, rasterize

from model_build.icons import family  # the name a sketch search answers by (eva's home = home-outline)

STYLES = ("pad", "pen", "pencil_photo")
RASTER = 128  # the traced raster; all hand-error sizes below are in its pixels
_EIGHT = np.ones((3, 3), bool)
# Neighbour offsets, 4-connected first: a walk prefers them so it does not skip a staircase pixel.
_STEPS = ((-1, 0), (0, 1), (1, 0), (0, -1), (-1, 1), (1, 1), (1, -1), (-1, -1))


@dataclass
class Doodle:
    icon_id: str
    variant: str
    name: str
    style: str
    data: bytes
    mime: str


# ---------------------------------------------------------------------------- raster -> curves

def ink_mask(svg: str, variant: str, rng: np.random.Generator | None = None, px: int = RASTER) -> np.ndarray:
    """The icon's pixels (alpha > 0.5) at ``px``, with a 4-px margin. A TwoTone icon is drawn
    from both parts as ink (its silhouette), or, half the time when ``rng`` is given, from its
    dark part only: the lines a person sees in it. As a silhouette, dark details that lie wholly
    on the light part (info-circle's "i") are cut out of it, as the Filled icon cuts them: else
    the light fill would swallow them."""
    twotone = variant == "twotone"
    img = np.asarray(rasterize(prepare(svg, px, "#000", ("#000", "#808080") if twotone else None), px, "resvg"))
    alpha = img[..., 3]
    mask = alpha > 127
    if twotone:
        dark = mask & (img[..., 0] < 64)
        if rng is not None and rng.random() < 0.5:
            mask = dark
        else:
            labels, n = ndimage.label(dark, _EIGHT)
            near_paper = ndimage.binary_dilation(~mask, iterations=2)
            inside = np.setdiff1d(np.arange(1, n + 1), labels[near_paper])
            mask = mask & ~np.isin(labels, inside)
    if not mask.any():
        mask = alpha > 0  # hairline icons: any coverage at all
    # A margin: icons touch the viewBox's edge, and distances must not stop at the array's.
    return np.pad(mask, 4)


def thin(mask: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning (numpy, both sub-iterations vectorized), then staircase corners removed
    so that every pixel of a plain line has two neighbours and only true junctions have more."""
    img = np.pad(mask.astype(np.uint8), 1)
    while True:
        changed = False
        for step in (0, 1):
            p2, p3, p4, p5 = img[:-2, 1:-1], img[:-2, 2:], img[1:-1, 2:], img[2:, 2:]
            p6, p7, p8, p9 = img[2:, 1:-1], img[2:, :-2], img[1:-1, :-2], img[:-2, :-2]
            ring = (p2, p3, p4, p5, p6, p7, p8, p9, p2)
            b = sum(x.astype(np.int16) for x in ring[:8])
            a = sum(((ring[i] == 0) & (ring[i + 1] == 1)).astype(np.int16) for i in range(8))
            if step == 0:
                cond = (p2 * p4 * p6 == 0) & (p4 * p6 * p8 == 0)
            else:
                cond = (p2 * p4 * p8 == 0) & (p2 * p6 * p8 == 0)
            kill = (img[1:-1, 1:-1] == 1) & (b >= 2) & (b <= 6) & (a == 1) & cond
            if kill.any():
                img[1:-1, 1:-1][kill] = 0
                changed = True
        if not changed:
            break
    # A pixel with two 4-neighbours at a right angle and nothing on the opposite side is a
    # redundant staircase step (its neighbours touch diagonally): removed one by one.
    for y, x in zip(*np.nonzero(img)):
        for (ay, ax), (by, bx) in (((-1, 0), (0, 1)), ((0, 1), (1, 0)), ((1, 0), (0, -1)), ((0, -1), (-1, 0))):
            opp = ((-ay - by, -ax - bx), (-ay, -ax), (-by, -bx))
            if img[y + ay, x + ax] and img[y + by, x + bx] and not any(img[y + oy, x + ox] for oy, ox in opp):
                img[y, x] = 0
                break
    return img[1:-1, 1:-1].astype(bool)


def trace(skel: np.ndarray, min_len: float = 0, spur: float = 0) -> list[np.ndarray]:
    """Ordered (x, y) polylines along a 1-px skeleton: split at junction pixels (3+ neighbours),
    each piece walked from an end (or anywhere on a loop, which is closed) and joined to the
    centre of the junction it touches so that branches meet. Spurs (pieces shorter than ``spur``
    from a junction to a free end: thinning's whiskers at corners) are dropped, and pieces that
    then meet two at a junction are joined into one stroke."""
    nb = ndimage.convolve(skel.astype(np.uint8), _EIGHT.astype(np.uint8), mode="constant") - skel
    junction = skel & (nb >= 3)
    jlab, nj = ndimage.label(junction, _EIGHT)
    centres = ndimage.center_of_mass(junction, jlab, range(1, nj + 1)) if nj else []
    rest = skel & ~junction
    h, w = skel.shape
    seen = np.zeros_like(skel)

    def nbrs(y, x, where):
        return [(y + dy, x + dx) for dy, dx in _STEPS
                if 0 <= y + dy < h and 0 <= x + dx < w and where[y + dy, x + dx]]

    def junction_at(y, x):
        for yy, xx in nbrs(y, x, junction):
            return int(jlab[yy, xx])
        return 0

    pieces = []  # [points, junction at the start or 0, junction at the end or 0]
    # Ends first (pixels with at most one free neighbour), then whatever is left: loops.
    order = sorted(zip(*np.nonzero(rest)), key=lambda p: len(nbrs(*p, rest)))
    for start in order:
        if seen[start]:
            continue
        path, (y, x) = [start], start
        seen[start] = True
        while True:
            nxt = [p for p in nbrs(y, x, rest) if not seen[p]]
            if not nxt:
                break
            y, x = nxt[0]
            seen[y, x] = True
            path.append((y, x))
        pts = [(float(x), float(y)) for y, x in path]
        head, tail = junction_at(*path[0]), junction_at(*path[-1])
        if not head and not tail and len(path) > 8 and max(abs(path[0][0] - path[-1][0]),
                                                          abs(path[0][1] - path[-1][1])) <= 1:
            pts.append(pts[0])  # a loop
        if head:
            pts.insert(0, centres[head - 1][::-1])
        if tail:
            pts.append(centres[tail - 1][::-1])
        line = np.array(pts)
        if (bool(head) != bool(tail)) and _length(line) < spur:
            continue
        pieces.append([line, head, tail])
    # Join pieces two by two where only they meet (a junction left by a dropped spur).
    while True:
        ends = {}
        for i, (_, a, b) in enumerate(pieces):
            for j, at_end in ((a, False), (b, True)):
                if j:
                    ends.setdefault(j, []).append((i, at_end))
        pair = next((v for v in ends.values() if len(v) == 2 and v[0][0] != v[1][0]), None)
        if pair is None:
            break
        (i, i_end), (k, k_end) = pair
        li, lk = pieces[i], pieces[k]
        a = li[0] if i_end else li[0][::-1]  # runs into the junction
        b = lk[0][::-1] if k_end else lk[0]  # runs out of it
        start = li[1] if i_end else li[2]
        end = lk[1] if k_end else lk[2]
        pieces = [p for n, p in enumerate(pieces) if n not in (i, k)] + [[np.vstack([a, b[1:]]), start, end]]
    return [line for line, _, _ in pieces if _length(line) >= min_len]


def _length(line: np.ndarray) -> float:
    return float(np.hypot(*np.diff(line, axis=0).T).sum()) if len(line) > 1 else 0.0


def outline(mask: np.ndarray) -> np.ndarray:
    """The 1-px boundary of a region, its holes' included."""
    edge = mask & ~ndimage.binary_erosion(mask, border_value=0)
    return thin(edge)


def curves(mask: np.ndarray, rng: np.random.Generator) -> list[tuple[np.ndarray, bool]]:
    """What a person would draw for each connected part of ``mask``, as (polyline, is a dot):
    thin parts' centre lines, thick parts' outlines, small dots as tiny circles or filled blobs."""
    labels, n = ndimage.label(mask, _EIGHT)
    size = max(mask.shape)
    thick_at = 0.045 * size  # antd strokes are ~64/896 of the icon wide: half-width ~0.04 of this raster
    out = []
    for i in range(1, n + 1):
        part = labels == i
        area = int(part.sum())
        if area < 3:
            continue
        dist = ndimage.distance_transform_edt(part)
        ys, xs = np.nonzero(part)
        extent = max(np.ptp(ys), np.ptp(xs)) + 1
        if extent < 0.14 * size and dist.max() >= 0.3 * extent:
            # A small compact dot (an "i"'s point, a "more" icon's dots).
            c = np.array([xs.mean(), ys.mean()])
            r = max(1.5, extent / 2)
            if rng.random() < 0.5:
                # Filled in: a scribbled spiral out to the dot's edge (a blob at any pen width).
                t = np.linspace(0, 2 * np.pi * rng.uniform(2, 3), 40)
                out.append((c + (r * t / t[-1])[:, None] * np.stack([np.cos(t), np.sin(t)], 1), True))
            else:
                t = np.linspace(0, 2 * np.pi, 13)
                out.append((c + r * np.stack([np.cos(t), np.sin(t)], 1), True))
            continue
        # Solid when a good share of it is farther than a stroke's half-width from its edge
        # (thin parts with a small solid blob stay centre lines).
        core = ndimage.binary_dilation(dist > thick_at, iterations=int(thick_at))
        solid = dist.max() > thick_at and (core & part).sum() > 0.4 * area
        if solid:
            out += [(x, False) for x in trace(outline(part), min_len=0.05 * size, spur=4)]
        else:
            skel = thin(part)
            # Whiskers shorter than about the stroke's width go: nobody draws them.
            width = 2 * float(np.median(dist[skel])) if skel.any() else 0
            out += [(x, False) for x in trace(skel, min_len=0.05 * size, spur=max(4.0, 0.9 * width))]
    return out


# ---------------------------------------------------------------------------- hand error

def simplify(line: np.ndarray, tol: float) -> np.ndarray:
    """Douglas-Peucker (iterative: a long outline must not hit the recursion limit)."""
    if len(line) < 3:
        return line
    keep = np.zeros(len(line), bool)
    keep[[0, -1]] = True
    stack = [(0, len(line) - 1)]
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        a, d = line[i], line[j] - line[i]
        norm = math.hypot(*d)
        rel = line[i + 1:j] - a
        dist = np.abs(d[0] * rel[:, 1] - d[1] * rel[:, 0]) / norm if norm > 1e-9 else np.hypot(*rel.T)
        k = int(dist.argmax())
        if dist[k] > tol:
            keep[i + 1 + k] = True
            stack += [(i, i + 1 + k), (i + 1 + k, j)]
    return line[keep]


def chaikin(line: np.ndarray, closed: bool) -> np.ndarray:
    """One corner-cutting pass: a hand rounds the corners it does not stop at."""
    if len(line) < 3:
        return line
    p, q = line[:-1], line[1:]
    cut = np.empty((2 * len(p), 2))
    cut[0::2], cut[1::2] = 0.75 * p + 0.25 * q, 0.25 * p + 0.75 * q
    return np.vstack([cut, cut[:1]]) if closed else np.vstack([line[:1], cut, line[-1:]])


def resample(line: np.ndarray, step: float) -> np.ndarray:
    seg = np.hypot(*np.diff(line, axis=0).T)
    s = np.concatenate([[0], np.cumsum(seg)])
    if s[-1] < 1e-6:
        return line
    t = np.linspace(0, s[-1], max(2, int(s[-1] / step) + 1))
    return np.stack([np.interp(t, s, line[:, 0]), np.interp(t, s, line[:, 1])], 1)


def wobble(line: np.ndarray, amp: float, rng) -> np.ndarray:
    """Smooth offsets along the stroke: a few sines of 25-90 px wavelength (the hand drifts, it
    does not shake per pixel), fading in from where the pen lands."""
    pts = resample(line, 2.0)
    s = np.concatenate([[0], np.cumsum(np.hypot(*np.diff(pts, axis=0).T))])
    off = np.zeros_like(pts)
    for _ in range(3):
        wave = rng.uniform(25, 90)
        for axis in (0, 1):
            off[:, axis] += amp / 2 * rng.uniform(0.3, 1) * np.sin(2 * np.pi * s / wave + rng.uniform(0, 2 * np.pi))
    return pts + off + rng.normal(0, amp / 3, 2)  # and the whole stroke lands a little off


def ends(line: np.ndarray, closed: bool, reach: float, rng) -> np.ndarray:
    """Over- or undershoot each end along its direction; a loop is left open or crosses itself."""
    if len(line) < 2:
        return line
    if closed:
        line = line[:-1] if len(line) > 3 else line
        extra = rng.uniform(-1.5, 2.5) * reach
        if extra > 0:  # run on past the start
            more = resample(line, 1.0)
            s = np.concatenate([[0], np.cumsum(np.hypot(*np.diff(more, axis=0).T))])
            return np.vstack([line, more[s <= extra]])
        return _trim(line, -extra, at_end=True)
    for at_end in (False, True):
        d = rng.uniform(-1, 1.6) * reach
        if d >= 0:
            p, q = (line[-1], line[-2]) if at_end else (line[0], line[1])
            v = p - q
            n = math.hypot(*v)
            if n > 1e-6:
                new = p + v / n * d
                line = np.vstack([line, new]) if at_end else np.vstack([new, line])
        else:
            line = _trim(line, -d, at_end)
    return line


def _trim(line: np.ndarray, by: float, at_end: bool) -> np.ndarray:
    if _length(line) <= 3 * by:
        return line
    pts = resample(line, 1.0)
    s = np.concatenate([[0], np.cumsum(np.hypot(*np.diff(pts, axis=0).T))])
    keep = s <= s[-1] - by if at_end else s >= by
    return pts[keep]


def strokes(svg: str, variant: str, rng: np.random.Generator) -> list[np.ndarray]:
    """The doodle's strokes in the 128-px raster's coordinates, hand error included (before the
    whole-doodle affine). Never empty: without a traceable part, the raster's outline; without
    a raster, a rough circle."""
    mask = ink_mask(svg, variant, rng)
    found = curves(mask, rng) if mask.any() else []
    if not found and mask.any():
        filled = ndimage.binary_fill_holes(ndimage.binary_closing(mask, _EIGHT, iterations=2))
        found = [(x, False) for x in trace(outline(filled))] or [
            (np.array(np.nonzero(mask)[::-1], float).T[[0, -1]], False)]
    if not found:
        t = np.linspace(0, 2 * np.pi, 17)
        found = [(RASTER / 2 + RASTER / 3 * np.stack([np.cos(t), np.sin(t)], 1), False)]
    lines, dots = [x for x, _ in found], [d for _, d in found]
    tol = rng.uniform(0.6, 2.2)
    amp = rng.uniform(0.6, 2.4)
    reach = rng.uniform(1.0, 4.0)
    round_ = rng.random() < 0.6
    # Missed details: each stroke shorter than a third of the drawing's longest goes with p=0.1
    # (a person skips a detail, not half of the outline), never all of them.
    lengths = np.array([_length(x) for x in lines])
    keep = (rng.random(len(lines)) >= 0.1) | (lengths >= lengths.max() / 3)
    out = []
    for line, dot, k in zip(lines, dots, keep):
        if not k:
            continue
        if dot:  # too small to wobble: it only lands a little off
            out.append(line + rng.normal(0, amp / 3, 2))
            continue
        closed = len(line) > 3 and np.allclose(line[0], line[-1])
        line = simplify(line, tol)
        if round_ and len(line) > 2:
            line = chaikin(line, closed)
        out.append(wobble(ends(line, closed, reach, rng), amp, rng))
    return out


def affine(lines: list[np.ndarray], rng) -> list[np.ndarray]:
    """One affine for the whole doodle about its middle: rotation +-8 deg, scale 0.85-1.15 per
    axis, shear +-0.1."""
    a = math.radians(rng.uniform(-8, 8))
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    m = rot @ np.array([[1, rng.uniform(-0.1, 0.1)], [0, 1]]) @ np.diag(rng.uniform(0.85, 1.15, 2))
    c = np.full(2, RASTER / 2)
    return [(x - c) @ m.T + c for x in lines]


# ---------------------------------------------------------------------------- drawing

def place(lines: list[np.ndarray], canvas: int, fill: tuple[float, float], rng) -> tuple[list[np.ndarray], float]:
    """Scale the doodle's bounding box to ``fill`` (a random share) of the canvas and put it at a
    random spot inside; returns the lines and the scale (canvas px per raster px)."""
    allp = np.vstack(lines)
    lo, hi = allp.min(0), allp.max(0)
    span = max(float((hi - lo).max()), 8.0)
    scale = rng.uniform(*fill) * canvas / span
    size = (hi - lo) * scale
    margin = canvas * 0.04
    room = np.maximum(canvas - size - 2 * margin, 0)
    origin = margin + rng.random(2) * room - lo * scale
    return [x * scale + origin for x in lines], scale


def _stroke(draw: ImageDraw.ImageDraw, line: np.ndarray, width: float, fill) -> None:
    """A line with round joints and caps (circles at the ends); a 1-point stroke is a blob."""
    r = width / 2
    if len(line) == 1:
        (x, y), r = line[0], max(r * 1.3, 2)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=fill)
        return
    draw.line([tuple(p) for p in line], fill=fill, width=max(1, round(width)), joint="curve")
    for x, y in (line[0], line[-1]):
        draw.ellipse([x - r, y - r, x + r, y + r], fill=fill)


SS = 3  # supersampling: PIL lines are aliased, pads and photos are not


def _ink_canvas(lines, canvas: int, width: float) -> Image.Image:
    """Coverage (L, 0-255) of ``lines`` drawn ``width`` px wide, antialiased."""
    img = Image.new("L", (canvas * SS, canvas * SS), 0)
    draw = ImageDraw.Draw(img)
    for line in lines:
        _stroke(draw, line * SS, width * SS, 255)
    return img.resize((canvas, canvas), Image.BOX)


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def draw_pad(lines, rng) -> tuple[bytes, str]:
    """The widget's draw pad: 240 px, a mouse or finger, 5-12 px black/dark lines on white."""
    canvas = 240
    lines, _ = place(lines, canvas, (0.55, 0.92), rng)
    cov = np.asarray(_ink_canvas(lines, canvas, rng.uniform(5, 12)), np.float32)[..., None] / 255
    ink = np.array([rng.uniform(0, 40)] * 3, np.float32)
    rgb = 255 * (1 - cov) + ink * cov
    return _encode(Image.fromarray(np.round(rgb).astype(np.uint8)), "PNG"), "image/png"


def draw_pen(lines, rng) -> tuple[bytes, str]:
    """A ballpoint on white paper (scanned or drawn in an app): thin dark blue or black lines."""
    canvas = int(rng.integers(160, 401))
    lines, _ = place(lines, canvas, (0.5, 0.9), rng)
    width = rng.uniform(2, 4) * canvas / 240
    cov = np.asarray(_ink_canvas(lines, canvas, width), np.float32)[..., None] / 255
    ink = np.array((rng.uniform(10, 40), rng.uniform(20, 50), rng.uniform(90, 150)) if rng.random() < 0.5
                   else [rng.uniform(10, 40)] * 3, np.float32)
    paper = np.float32(rng.uniform(245, 255))
    rgb = paper * (1 - cov) + ink * cov
    return _encode(Image.fromarray(np.round(rgb).astype(np.uint8)), "PNG"), "image/png"


def draw_pencil_photo(lines, rng) -> tuple[bytes, str]:
    """A phone photo of a pencil sketch: grey graphite (value 0.25-0.55) whose darkness varies
    along each stroke, some strokes gone over twice, on off-white paper under uneven light,
    with grain, a little blur and JPEG."""
    canvas = int(rng.integers(300, 601))
    lines, scale = place(lines, canvas, (0.4, 0.8), rng)
    width = rng.uniform(1.5, 3.5) * canvas / 400
    cov = np.zeros((canvas, canvas), np.float32)
    for line in lines:
        passes = [line] + ([line + rng.normal(0, 0.6 * scale, 2)] if rng.random() < 0.3 else [])
        for one in passes:
            # Pressure drifts along the stroke: draw it in short runs of different darkness.
            img = Image.new("L", (canvas * SS, canvas * SS), 0)
            draw = ImageDraw.Draw(img)
            pts = resample(one, 4.0) if len(one) > 1 else one
            phase, wave = rng.uniform(0, 2 * np.pi), rng.uniform(40, 160)
            run = 6
            for i in range(0, max(1, len(pts) - 1), run):
                seg = pts[i:i + run + 1]
                alpha = 0.75 + 0.25 * math.sin(phase + 2 * np.pi * i * 4.0 / wave)
                _stroke(draw, seg * SS, width * SS, round(255 * alpha))
            cov = np.maximum(cov, np.asarray(img.resize((canvas, canvas), Image.BOX), np.float32) / 255)
    cov *= rng.uniform(0.6, 1.0, cov.shape).astype(np.float32)  # graphite grain on paper tooth
    value = rng.uniform(0.25, 0.55)
    yy, xx = np.mgrid[0:canvas, 0:canvas].astype(np.float32) / canvas
    a = rng.uniform(0, 2 * np.pi)
    light = 1 + rng.uniform(0.05, 0.2) * ((xx - 0.5) * math.cos(a) + (yy - 0.5) * math.sin(a))
    cx, cy = rng.uniform(0.2, 0.8, 2)
    light -= rng.uniform(0, 0.15) * ((xx - cx) ** 2 + (yy - cy) ** 2)  # falloff from a lamp's spot
    tint = np.array([rng.uniform(232, 250), rng.uniform(228, 246), rng.uniform(215, 240)], np.float32)
    paper = tint * light[..., None] + rng.normal(0, rng.uniform(1.5, 4), (canvas, canvas, 1)).astype(np.float32)
    rgb = paper * (1 - cov[..., None] * (1 - value))
    img = Image.fromarray(np.clip(np.round(rgb), 0, 255).astype(np.uint8))
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.2)))
    return _encode(img, "JPEG", quality=int(rng.integers(70, 91))), "image/jpeg"


_DRAW = {"pad": draw_pad, "pen": draw_pen, "pencil_photo": draw_pencil_photo}


def doodle(svg: str, variant: str, style: str, rng: np.random.Generator) -> tuple[bytes, str]:
    """One doodle of the icon in ``style``: (encoded image, MIME type)."""
    return _DRAW[style](affine(strokes(svg, variant, rng), rng), rng)


def make_doodles(icons: list[tuple[str, str, str]], per_style: int, seed: int, styles=STYLES) -> list[Doodle]:
    """``per_style`` doodles per style of icons picked at random from ``icons`` ((id, variant,
    svg)); the same seed gives the same doodles."""
    out = []
    for s, style in enumerate(styles):
        rng = np.random.default_rng([seed, s])
        picks = rng.choice(len(icons), per_style, replace=per_style > len(icons))
        for n, i in enumerate(picks):
            icon_id, variant, svg = icons[i]
            # Each doodle its own stream: one icon's randomness does not shift the others'.
            data, mime = doodle(svg, variant, style, np.random.default_rng([seed, s, n]))
            out.append(Doodle(icon_id, variant, family(icon_id), style, data, mime))
    return out
