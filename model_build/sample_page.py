"""The sample page: a seeded layout of many random icon draws per sheet, rendered with Jinja2.

Each cell is one labelled sample: a random icon at a random size, offset, rotation,
foreground and background colour. Colours are picked with enough contrast to be read; an
icon's explicit colours are mapped onto the cell's palette (darkest -> foreground, others -> a
tint close to the background), so twotone icons keep their two shades on any theme; on a few
brand surfaces a two-paint icon's darkest paint is the surface's own colour (``_hidden_main``).

Some cells look like the crops readers paste: the icon inside a filled or bordered button
with its label cut off, beside a menu label, or with a neighbouring icon half in the crop.

Sketch cells (labels ``-1 - icon``, see :func:`sheet_labels`) draw an icon the way a hand draws
it: its shapes' outlines, not their fill, in one dark ink on a light pad or paper, with a wobbly
line (an SVG turbulence filter), a skew, and now and then a part left out.
"""

from __future__ import annotations

import colorsys
import functools
import math
import re
from dataclasses import dataclass

import jinja2
import numpy as np

from .icons import COLOUR_ATTR, Icon
from .resources import assets_dir

MIN_SIZE = 12
# Kept clear at every cell's edge: degraded sheets (blur, rescale) bleed a few pixels between
# cells, so crops leave this margin out (see screenshots.py).
INSET = 3
WORDS = ("Download", "Settings", "Save", "Edit", "Delete", "Share", "Upload", "Search", "Add user",
         "Export", "Open", "Copy link", "Home", "Send", "Print", "More", "Filter", "New file", "Login", "OK")


@dataclass(frozen=True)
class Cell:
    icon: int
    size: int
    x: int
    y: int
    fg: str
    bg: str
    tint: str
    rot: float = 0.0
    extras: tuple = ()  # decorations: dicts with kind box|text|icon and a CSS style
    sketch: str = ""  # a sketch cell: the drawing's extra CSS (stroke, wobble filter, skew)
    main: str = ""  # a two-paint icon's main paint when not fg (see _hidden_main); one-paint icons keep fg


@functools.lru_cache(maxsize=2)
def _template(name: str) -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(assets_dir())), autoescape=True)
    return env.get_template(name)


def sheet_labels(num_icons: int, samples_per_icon: int, per_sheet: int, seed: int,
                 sketches_per_icon: int = 0, sketch_sources=None) -> list[np.ndarray]:
    """Balanced labels, shuffled, cut into sheets; the last sheet is topped up at random.
    ``-1 - i`` labels a sketch of icon ``i`` (:func:`sketch_of`); icon ``k``'s sketches draw
    ``sketch_sources[k]`` (default: itself)."""
    rng = np.random.default_rng([seed, 1])
    icons = np.arange(num_icons)
    drawn = icons if sketch_sources is None else np.asarray(sketch_sources)
    labels = rng.permutation(np.concatenate([np.repeat(icons, samples_per_icon),
                                             -1 - np.repeat(drawn, sketches_per_icon)]))
    short = -len(labels) % per_sheet
    labels = np.concatenate([labels, rng.integers(0, num_icons, short)])
    return [labels[i:i + per_sheet] for i in range(0, len(labels), per_sheet)]


class Draws:
    """A sheet's random numbers: drawn from numpy in blocks, handed out one at a time as plain
    floats. numpy's cost per scalar call (1-5 us, ~20 calls a cell) made the layout a quarter
    of the screenshot stage's Python time."""

    __slots__ = ("rng", "block", "i")

    def __init__(self, rng: np.random.Generator, size: int = 4096):
        self.rng, self.block, self.i = rng, rng.random(size).tolist(), 0

    def random(self) -> float:
        if self.i == len(self.block):
            self.block, self.i = self.rng.random(len(self.block)).tolist(), 0
        self.i += 1
        return self.block[self.i - 1]

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.random()

    def integers(self, low: int, high: int) -> int:
        """In [low, high), like numpy's."""
        return low + int((high - low) * self.random())


def layout(labels: np.ndarray, cell: int, seed: int, sheet: int, num_icons: int | None = None) -> list[Cell]:
    draw = Draws(np.random.default_rng([seed, 2, sheet]), 24 * len(labels) + 16)
    num_icons = num_icons or int(labels.max()) + 1
    cells = []
    for label in labels.tolist():
        if label < 0:
            cells.append(_sketch_cell(draw, -1 - label, cell))
            continue
        kind = draw.random()
        if kind < 0.24:
            cells.append(_button_cell(draw, label, cell))
            continue
        size = draw.integers(MIN_SIZE, cell - 2 * INSET - 1)
        x = draw.integers(INSET, cell - size - INSET + 1)
        y = draw.integers(INSET, cell - size - INSET + 1)
        bg, fg = _palette(draw)
        tint, main = _second_shade(draw, fg, bg), ""
        if draw.random() < HIDDEN_MAIN:
            bg, fg, main, tint = _hidden_main(draw)
        rot = draw.uniform(-6, 6) if draw.random() < 0.15 else 0.0
        extras = ()
        if kind < 0.31:  # a menu label beside the icon, cut by the crop
            size = min(size, 32)
            x = draw.integers(INSET, INSET + 8)
            extras = (_label(draw, x + size + draw.integers(3, 9), y + size / 2, _hex(fg)),)
        elif kind < 0.37:  # a neighbouring icon, half inside the crop
            other = draw.integers(0, num_icons)
            offset = int(size * draw.uniform(0.35, 0.7))
            ox = -offset if draw.random() < 0.5 else cell - size + offset
            extras = ({"kind": "icon", "icon": other,
                       "style": f"left:{ox}px;top:{y}px;width:{size}px;height:{size}px"},)
            x = min(max(x, INSET), cell - size - INSET)
        cells.append(Cell(label, size, x, y, _hex(fg), _hex(bg), _hex(tint), rot, extras, main=main))
    return cells


def sketch_of(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(icon, is_sketch)`` for sample labels: a sketch's label is ``-1 - icon``."""
    labels = np.asarray(labels)
    sketch = labels < 0
    return np.where(sketch, -1 - labels, labels), sketch


WOBBLES = 12  # turbulence filters on the sample page (sample_page.html.j2): #w0 (gentle) .. #w11


def _sketch_cell(draw: Draws, label: int, cell: int) -> Cell:
    """A hand-drawn look: outlines (fill none, a round stroke of 3-8 % of the icon's box: the
    percentage follows its viewBox, whatever its units), a dark pen or a grey pencil on white,
    off-white or a light tint, wobbled, skewed and squeezed, a part of it erased sometimes."""
    size = draw.integers(min(MIN_SIZE + 6, cell - 2 * INSET - 2), cell - 2 * INSET - 1)
    x = draw.integers(INSET, cell - size - INSET + 1)
    y = draw.integers(INSET, cell - size - INSET + 1)
    paper = draw.uniform(0.86, 1.0)
    bg = (paper, paper, paper - draw.uniform(0, 0.05)) if draw.random() < 0.7 else \
        colorsys.hsv_to_rgb(draw.random(), draw.uniform(0.03, 0.15), draw.uniform(0.9, 1.0))
    pick = draw.random()
    ink = _grey(draw.uniform(0, 0.2)) if pick < 0.6 else _grey(draw.uniform(0.25, 0.55)) if pick < 0.8 \
        else colorsys.hsv_to_rgb(draw.uniform(0.55, 0.7), draw.uniform(0.5, 1), draw.uniform(0.2, 0.6))  # a blue pen
    # Wobbles up to a tenth of the drawing: small icons stay readable.
    wobble = draw.integers(0, max(1, min(WOBBLES, size // 5 - 2)))
    shape = (f"stroke-width:{draw.uniform(3, 8):.1f}%;filter:url(#w{wobble});transform:rotate({draw.uniform(-8, 8):.1f}deg)"
             f" skewX({draw.uniform(-8, 8):.1f}deg) scale({draw.uniform(0.85, 1):.2f},{draw.uniform(0.85, 1):.2f})")
    extras = ()
    if draw.random() < 0.25:  # a detail left out: a patch of the paper over part of it
        side = int(size * draw.uniform(0.15, 0.3))
        extras = ({"kind": "box", "style": f"left:{x + draw.integers(0, size - side)}px;top:{y + draw.integers(0, size - side)}px;"
                   f"width:{side}px;height:{side}px;background:{_hex(bg)};border-radius:{draw.integers(0, 2) * 50}%;z-index:1"},)
    return Cell(label, size, x, y, _hex(ink), _hex(bg), "none", 0.0, extras, shape)


def _label(draw: Draws, left: float, middle: float, colour: str) -> dict:
    font = draw.integers(10, 17)
    word = WORDS[draw.integers(0, len(WORDS))]
    return {"kind": "text", "text": word,
            "style": f"left:{left:.0f}px;top:{middle - font * 0.65:.0f}px;font-size:{font}px;color:{colour}"}


def _button_cell(draw: Draws, label: int, cell: int) -> Cell:
    """An icon in a button (filled with a brand colour, or bordered on the page colour)."""
    size = draw.integers(MIN_SIZE, 29)
    pad = draw.integers(4, 11)
    page = _grey(draw.uniform(0.9, 1.0)) if draw.random() < 0.7 else _grey(draw.uniform(0.05, 0.2))
    if draw.random() < 0.5:
        button = colorsys.hsv_to_rgb(draw.random(), draw.uniform(0.4, 1), draw.uniform(0.4, 0.9))
        fg = _grey(1.0) if draw.random() < 0.8 else _grey(0.0)
        border = button
    else:
        button = page
        fg = _grey(draw.uniform(0, 0.35)) if page[0] > 0.5 else _grey(draw.uniform(0.75, 1))
        border = _grey(draw.uniform(0.55, 0.85)) if draw.random() < 0.7 else fg
    x = pad + draw.integers(INSET, INSET + 6)
    y = draw.integers(pad + INSET, max(pad + INSET + 1, cell - size - pad - INSET))
    box = (f"left:{x - pad}px;top:{y - pad}px;width:{cell}px;height:{size + 2 * pad}px;"
           f"background:{_hex(button)};border:1px solid {_hex(border)};border-radius:{draw.integers(2, 9)}px")
    extras = ({"kind": "box", "style": box},
              _label(draw, x + size + draw.integers(4, 9), y + size / 2, _hex(fg)))
    tint, main = _second_shade(draw, fg, button), ""
    if fg[0] > 0.5 and button is not page and draw.random() < 0.3:  # a primary button, TwoTone left as is
        main, tint = _hex(button), antd_lightest(button)
    return Cell(label, size, x, y, _hex(fg), _hex(page), _hex(tint), 0.0, extras, main=main)


# Colours are (r, g, b) tuples of floats in [0, 1]: plain Python, as numpy's per-call cost on
# three numbers made the layout a sixth of the screenshot stage's CPU time.
def _grey(v: float) -> tuple[float, float, float]:
    return (v, v, v)


# Cells on a brand colour whose two-paint icons keep that colour as their main paint.
HIDDEN_MAIN = 0.04


def _hidden_main(draw: Draws) -> tuple[tuple, tuple, str, tuple]:
    """``(bg, fg, main, tint)`` of a surface in the brand colour that a TwoTone also paints with:
    Ant Design's primary button or dark menu's selected row (colorPrimary, white text) holding a
    TwoTone icon, whose twoToneColor defaults to colorPrimary. Its main paint vanishes into the
    surface and only its lightest-shade part shows; a one-paint icon is white there."""
    brand = colorsys.hsv_to_rgb(draw.random(), draw.uniform(0.5, 1), draw.uniform(0.55, 1))
    return brand, _grey(draw.uniform(0.92, 1.0)), _hex(brand), antd_lightest(brand)


def _second_shade(draw: Draws, fg: tuple, bg: tuple) -> tuple:
    """A twotone icon's second colour: mostly Ant Design's (the lightest shade of the primary,
    whatever the background: on dark UIs it is the lighter of the two inks, on a brand button
    the same white as the primary), else a tint close to the background (custom pairs)."""
    if draw.random() < 0.8:
        return antd_lightest(fg)
    return _mix(fg, bg, draw.uniform(0.06, 0.35))


def antd_lightest(rgb: tuple) -> tuple:
    """The first (lightest) of the 10 shades that Ant Design's ``generate(primary)``
    (@ant-design/colors) derives from a colour; @ant-design/icons fills a TwoTone icon's second
    part with it. Step 5 of its light side: hue turned by 10 degrees (towards 60/240 for hues in
    between), saturation down by 0.8 to between 0.06 and 0.1 (greys stay grey), value up by 0.25."""
    h, s, v = colorsys.rgb_to_hsv(*rgb)
    hue = h * 360
    sat = 0.0 if s == 0 else round(min(max(s - 0.8, 0.06), 0.1), 2)  # a grey stays grey
    hue = (hue - 10 if 60 <= hue <= 240 else hue + 10) % 360
    return colorsys.hsv_to_rgb(round(hue) / 360, sat, min(round(v + 0.25, 2), 1.0))


def _palette(draw: Draws) -> tuple[tuple, tuple]:
    """A background and a foreground, as UIs show icons: light, dark and coloured pages; the
    selected or hovered row (a light tint of a brand colour, the icon in that colour); disabled
    icons (low contrast)."""
    kind = draw.random()
    if kind < 0.1:  # a selected / hovered row: antd's #e6f4ff behind a #1677ff icon, in any hue
        brand = colorsys.hsv_to_rgb(draw.random(), draw.uniform(0.5, 1), draw.uniform(0.5, 1))
        return _mix(antd_lightest(brand), brand, draw.uniform(0.85, 1.0)), brand
    if kind < 0.25:  # a brand colour on a white page: a twotone's second shade is a faint tint
        bg = _grey(draw.uniform(0.95, 1.0))
        while True:
            brand = colorsys.hsv_to_rgb(draw.random(), draw.uniform(0.5, 1), draw.uniform(0.55, 1))
            if _contrast(brand, bg) >= 0.3:
                return bg, brand
    if kind < 0.7:  # a light or a dark grey, slightly tinted
        grey = draw.uniform(0.86, 1.0) if kind < 0.45 else draw.uniform(0.0, 0.25)
        bg = tuple(grey + draw.uniform(-0.03, 0.03) for _ in range(3))
    else:
        bg = colorsys.hsv_to_rgb(draw.random(), draw.uniform(0.3, 1), draw.uniform(0.3, 1))
    bg = tuple(min(max(v, 0.0), 1.0) for v in bg)
    # Disabled icons (antd: rgba(0,0,0,.25) on white) have far less contrast than the rest.
    contrast = 0.12 if draw.random() < 0.1 else 0.3
    on_colour = kind >= 0.7 and draw.random() < 0.4  # a header or a primary button: a white icon
    while True:
        if on_colour:
            fg, on_colour = _grey(draw.uniform(0.92, 1.0)), False  # once: a light background needs another
        elif draw.random() < 0.5:  # greys are the common case
            fg = _grey(draw.random())
        else:
            fg = colorsys.hsv_to_rgb(draw.random(), draw.uniform(0.3, 1), draw.uniform(0.2, 1))
        if _contrast(fg, bg) >= contrast:
            return bg, fg


def _contrast(a: tuple, b: tuple) -> float:
    """Two colours' distance, as preprocessing measures ink (RMS over the channels)."""
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b)) / 3)


def _mix(a: tuple, b: tuple, t: float) -> tuple:
    return tuple(x * t + y * (1 - t) for x, y in zip(a, b))


def _hex(rgb: tuple) -> str:
    r, g, b = rgb
    return "#%02x%02x%02x" % (_byte(r), _byte(g), _byte(b))


def _byte(v: float) -> int:
    return round((0.0 if v < 0.0 else 1.0 if v > 1.0 else v) * 255)


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    r, g, b = (int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.299 * r + 0.587 * g + 0.114 * b


_ID_REF = re.compile(r'(\bid="|url\(#|href="#)([^"\)]+)')
# An icon's own fill, in its dark colour or currentColor (Bootstrap's root, many Iconify sets):
# sketch cells set --fill: none, so that they draw outlines only (a two-paint icon's darkest
# fill is var(--fill, var(--main, currentColor)): see themable).
SKETCHABLE_FILL = "var(--fill, currentColor)"
_CURRENT_FILL = re.compile(r'fill="currentColor"', re.I)


def themable(icon: Icon, prefix: str = "") -> dict:
    """The icon's symbol parts with explicit colours mapped to currentColor (a two-paint icon's
    darkest: var(--main, currentColor)) / var(--tint), dark fills behind var(--fill) for sketch
    cells, and its internal ids prefixed (every icon shares the sample page's id space)."""
    colours = sorted({c.lower() for _, c in COLOUR_ATTR.findall(icon.inner)}, key=_luminance)
    dark = colours[0] if colours else None
    # A two-paint icon's main paint is var(--main) where a cell sets it (see _hidden_main).
    main = "var(--main, currentColor)" if len(colours) > 1 else "currentColor"

    def repl(m: re.Match) -> str:
        value = main if m.group(2).lower() == dark else "var(--tint)"
        if m.group(1) == "fill" and value != "var(--tint)":
            value = f"var(--fill, {value})"
        return f'{m.group(1)}="{value}"'

    inner = _CURRENT_FILL.sub(f'fill="{SKETCHABLE_FILL}"', COLOUR_ATTR.sub(repl, icon.inner))
    if prefix:
        inner = _ID_REF.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", inner)
    root = tuple((k, SKETCHABLE_FILL if k == "fill" and v.lower() == "currentcolor" else v) for k, v in icon.root_attrs)
    return {"viewbox": icon.viewbox, "root_attrs": root, "inner": inner}


def render_page(icons: list[Icon], grid: int, cell: int, first_sheet: list[Cell]) -> str:
    return _template("sample_page.html.j2").render(symbols=[themable(i, f"i{n}-") for n, i in enumerate(icons)],
                                                   grid=grid, cell=cell,
                                                   first_sheet=first_sheet, wobbles=WOBBLES)


def render_cells(sheet: list[Cell]) -> str:
    return str(_template("sample_cells.html.j2").module.cells(sheet))
