"""Query screenshots for benchmarks/realworld.py, written from how real UIs show icons.

Nothing here comes from the plugin's training pages. Icons are coloured the way their library
colours them (Ant Design's TwoTone: ``#333`` parts get the primary colour, ``#E6E6E6`` parts
``generate(primary)[0]``, see antd_colors.py; every other icon: one currentColor), drawn by
rasterizers other than Chromium (resvg; Cairo; resvg supersampled with a heavier coverage gamma,
as CoreGraphics' smoothing draws), placed in scenes whose colours and sizes are antd 6's design
tokens, VS Code's, GitHub's and Material for MkDocs' themes, then degraded the way a screenshot
is between the screen and a paste (device pixel ratios, palette PNGs, chat-app JPEGs, blur).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from antd_colors import (BLUE_DARK, DARK, DARK_MENU, GITHUB_DARK, LIGHT, MATERIAL_LIGHT, MATERIAL_SLATE,
                         PRESET_PRIMARIES, TWOTONE_DEFAULT_V4, TWOTONE_DEFAULT_V5, VSCODE_DARK, hex_rgb, over,
                         twotone_secondary)


@dataclass
class Query:
    icon_id: str
    variant: str
    scenario: str
    renderer: str
    data: bytes
    mime: str
    # Other icons of the same name whose rendering in this very scene gives the same pixels
    # (a TwoTone whose second colour equals the row's background is its Outlined icon, to
    # anyone): like twins, either id is the right answer.
    same_pixels: tuple[str, ...] = ()


# ---------------------------------------------------------------------------- drawing one icon

_ROOT = re.compile(r"<svg\b[^>]*>", re.S)
_ROOT_ATTRS = re.compile(r"""\s(?:width|height|fill|color|viewBox|xmlns)\s*=\s*("[^"]*"|'[^']*')""", re.I)
# @ant-design/icons-svg twotone files: #333 is the primary part, #E6E6E6 the secondary one.
_TT_PRIMARY = re.compile(r"""fill=(["'])#333(?:333)?\1""", re.I)
_TT_SECONDARY = re.compile(r"""fill=(["'])#e6e6e6\1""", re.I)


def _viewbox(tag: str) -> list[float]:
    m = re.search(r"""viewBox\s*=\s*["']([^"']+)["']""", tag, re.I)
    if m:
        return [float(v) for v in re.split(r"[\s,]+", m.group(1).strip())]
    w, h = (re.search(rf"""\s{k}\s*=\s*["']([\d.]+)""", tag) for k in ("width", "height"))
    return [0, 0, float(w.group(1)) if w else 24, float(h.group(1)) if h else 24]


def prepare(svg: str, px: int, colour: str, twotone: tuple[str, str] | None, shift=(0.0, 0.0)) -> str:
    """The SVG as a page draws it at ``px`` device pixels: ``colour`` is currentColor, ``twotone``
    (primary, secondary) replaces antd's #333/#E6E6E6; ``shift`` moves it by a fraction of a pixel
    (icons sit at fractional positions, e.g. antd's ``vertical-align: -0.125em``)."""
    if twotone:
        svg = _TT_PRIMARY.sub(f'fill="{twotone[0]}"', svg)
        svg = _TT_SECONDARY.sub(f'fill="{twotone[1]}"', svg)
    tag = _ROOT.search(svg).group(0)
    x, y, w, h = _viewbox(tag)
    x, y = x - shift[0] * w / px, y - shift[1] * h / px
    new = _ROOT_ATTRS.sub("", tag)[:-1].rstrip("/").rstrip()
    new += (f' xmlns="http://www.w3.org/2000/svg" width="{px}" height="{px}" viewBox="{x} {y} {w} {h}"'
            f' fill="{colour}" color="{colour}">')
    return svg.replace(tag, new, 1)


def rasterize(svg: str, px: int, renderer: str, gamma: float = 1.8) -> Image.Image:
    """RGBA raster by ``renderer``: "resvg" (tiny-skia's analytic AA), "cairo" (Cairo's AA, via
    CairoSVG), "cg" (resvg at 4x, box-filtered down, coverage ** (1 / gamma): heavier edges)."""
    if renderer == "cairo":
        import cairosvg

        png = cairosvg.svg2png(bytestring=svg.encode(), output_width=px, output_height=px)
        return Image.open(io.BytesIO(png)).convert("RGBA")
    import resvg_py

    scale = 4 if renderer == "cg" else 1
    png = bytes(resvg_py.svg_to_bytes(svg_string=svg, width=px * scale, height=px * scale, skip_system_fonts=True))
    img = Image.open(io.BytesIO(png)).convert("RGBA")
    if renderer == "cg":
        img = img.resize((px, px), Image.BOX)
        a = np.asarray(img.getchannel("A"), dtype=np.float32) / 255
        img.putalpha(Image.fromarray(np.round(255 * a ** (1 / gamma)).astype(np.uint8)))
    return img


@dataclass
class Paint:
    """How one icon is coloured: ``fg`` is currentColor; a TwoTone icon gets ``twotone`` as its
    twoToneColor and generate(twotone)[0] as its secondary colour (@ant-design/icons)."""
    fg: str
    twotone: str = TWOTONE_DEFAULT_V5


class Icon:
    """One icon's SVG and variant, drawn by one rasterizer chosen per query."""

    def __init__(self, svg: str, variant: str, renderer: str, rng: np.random.Generator):
        self.svg, self.variant, self.renderer, self.rng = svg, variant, renderer, rng
        self.gamma = float(rng.uniform(1.6, 2.2))

    def draw(self, css: float, dpr: float, paint: Paint) -> Image.Image:
        px = max(6, round(css * dpr))
        twotone = (paint.twotone, twotone_secondary(paint.twotone)) if self.variant == "twotone" else None
        svg = prepare(self.svg, px, paint.fg, twotone, tuple(self.rng.random(2)))
        return rasterize(svg, px, self.renderer, self.gamma)


# ---------------------------------------------------------------------------- scenes

def _pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def _font(px: float):
    return ImageFont.load_default(max(8, round(px)))  # Pillow's bundled font: the same everywhere


def _margins(rng, dpr, lo=2, hi=12) -> list[int]:
    """A reader's crop around the icon: left, top, right, bottom, in device pixels."""
    return [round(float(rng.uniform(lo, hi)) * dpr) for _ in range(4)]


def tile(icon: Image.Image, bg: str, margins) -> Image.Image:
    """The icon alone on a flat background, cropped with ``margins``."""
    left, top, right, bottom = margins
    img = Image.new("RGBA", (icon.width + left + right, icon.height + top + bottom), hex_rgb(bg) + (255,))
    img.alpha_composite(icon, (left, top))
    return img.convert("RGB")


def row(icon: Image.Image, rng, dpr: float, *, page: str, fill: str, text: str, label: str, height: float,
        pad: float, gap: float, radius: float, border: str | None = None, into_label: float = 0.5) -> Image.Image:
    """A button, menu item or header row: [pad][icon][gap][label][pad] in a rounded ``fill`` box on
    ``page``; the crop keeps the icon and, with probability ``into_label``, part of the label."""
    font = _font(14 * dpr)
    text_w = round(font.getlength(label))
    w = round((2 * pad + gap) * dpr) + icon.width + text_w
    h = max(round(height * dpr), icon.height + 2)
    edge = round(6 * dpr)
    img = Image.new("RGBA", (w + 2 * edge, h + 2 * edge), hex_rgb(page) + (255,))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((edge, edge, edge + w - 1, edge + h - 1), radius=round(radius * dpr), fill=hex_rgb(fill),
                           outline=hex_rgb(border) if border else None, width=max(1, round(dpr)))
    ix, iy = edge + round(pad * dpr), edge + (h - icon.height) // 2
    img.alpha_composite(icon, (ix, iy))
    tx = ix + icon.width + round(gap * dpr)
    draw.text((tx, edge + h // 2), label, fill=hex_rgb(text), font=font, anchor="lm")
    left, top, right, bottom = _margins(rng, dpr, 2, 10)
    x1 = tx + round(text_w * float(rng.uniform(0.15, 0.8))) if rng.random() < into_label else ix + icon.width + right
    box = (max(0, ix - left), max(0, iy - top), min(img.width, x1), min(img.height, iy + icon.height + bottom))
    return img.crop(box).convert("RGB")


LABELS = ("Dashboard", "Settings", "Navigation One", "Upload", "Download", "Team", "Files", "Share", "Option 1",
          "Delete", "Search", "Profile")
CSS_SIZES = (14, 16, 18, 20, 24, 32, 36, 48)
BRANDS = (*PRESET_PRIMARIES.values(), TWOTONE_DEFAULT_V5, TWOTONE_DEFAULT_V4, TWOTONE_DEFAULT_V5)
# Filled brand surfaces with white content: antd primary/danger/success buttons, Material's header.
BRAND_SURFACES = (LIGHT["primary"], TWOTONE_DEFAULT_V4, LIGHT["error"], LIGHT["success"], MATERIAL_LIGHT["header"],
                  PRESET_PRIMARIES["purple"], PRESET_PRIMARIES["magenta"], PRESET_PRIMARIES["cyan"],
                  PRESET_PRIMARIES["orange"], PRESET_PRIMARIES["geekblue"])


def _dark_theme(rng) -> tuple[str, str, str]:
    """(background, text colour, muted colour) of one dark UI, flattened to opaque colours."""
    kind = _pick(rng, ("antd", "vscode", "github", "material"))
    if kind == "antd":
        bg = _pick(rng, (DARK["bg"], DARK["elevated"], DARK["layout"]))
        return bg, over(*DARK["text"], bg), over(*DARK["secondary"], bg)
    if kind == "vscode":
        return _pick(rng, VSCODE_DARK["bgs"]), VSCODE_DARK["text"], VSCODE_DARK["muted"]
    if kind == "github":
        return _pick(rng, GITHUB_DARK["bgs"]), GITHUB_DARK["text"], GITHUB_DARK["muted"]
    bg = _pick(rng, (MATERIAL_SLATE["bg"], MATERIAL_SLATE["code_bg"]))
    return bg, over(*MATERIAL_SLATE["text"], bg), over(*MATERIAL_SLATE["light"], bg)


def _default_look(rng) -> tuple[str, Paint]:
    """How a site shows icons when nobody sets colours: antd's light or dark theme text colour,
    and TwoTone's global default twoToneColor (v5 #1677ff or v4 #1890ff) in both themes."""
    twotone = _pick(rng, (TWOTONE_DEFAULT_V5, TWOTONE_DEFAULT_V5, TWOTONE_DEFAULT_V4))
    if rng.random() < 0.65:
        bg = _pick(rng, (LIGHT["bg"], LIGHT["bg"], LIGHT["layout"]))
        return bg, Paint(over(*LIGHT["text"], bg), twotone)
    bg, text, _ = _dark_theme(rng)
    return bg, Paint(text, twotone)


def _dpr(rng) -> float:
    return 2.0 if rng.random() < 0.3 else 1.0


def page_brand(icon: Icon, rng) -> Image.Image:
    """Icons in brand colours on a light page: antd preset primaries; TwoTone with twoToneColor=P."""
    p = _pick(rng, BRANDS)
    bg = _pick(rng, (LIGHT["bg"], LIGHT["layout"], "#fafafa"))
    dpr = _dpr(rng)
    return tile(icon.draw(_pick(rng, CSS_SIZES), dpr, Paint(p, p)), bg, _margins(rng, dpr))


def on_brand(icon: Icon, rng) -> Image.Image:
    """White content on a filled brand surface: antd primary button (32 px high, 15 px padding,
    14 px icon, 8 px gap, radius 6) or Material's 48 px header with 24 px icons; TwoTone with a
    white or near-white twoToneColor, whose secondary generate() makes white too."""
    surface = _pick(rng, BRAND_SURFACES)
    white = _pick(rng, ("#ffffff", "#ffffff", "#f0f0f0", "#fafafa"))
    dpr = _dpr(rng)
    if rng.random() < 0.6:
        img = icon.draw(_pick(rng, (14, 14, 16)), dpr, Paint(white, white))
        return row(img, rng, dpr, page=LIGHT["bg"], fill=surface, text=white, label=_pick(rng, LABELS),
                   height=32, pad=15, gap=8, radius=6)
    img = icon.draw(24, dpr, Paint(white, white))
    return tile(img, surface, _margins(rng, dpr, 2, 12))


def dark_ui(icon: Icon, rng) -> Image.Image:
    """Dark UIs: antd dark (#141414/#1f1f1f/#000), VS Code, GitHub dark, Material slate; the theme's
    text colour or a light accent; TwoTone with a light primary (antd's dark blues, the theme text)
    or the untouched default #1677ff, its secondary generate(P)[0] a near-white."""
    bg, text, muted = _dark_theme(rng)
    fg = _pick(rng, (text, text, muted, BLUE_DARK[6], BLUE_DARK[7], GITHUB_DARK["accent"], MATERIAL_SLATE["link"]))
    twotone = _pick(rng, (TWOTONE_DEFAULT_V5, DARK["primary"], BLUE_DARK[6], BLUE_DARK[7], BLUE_DARK[8], text))
    dpr = _dpr(rng)
    return tile(icon.draw(_pick(rng, CSS_SIZES), dpr, Paint(fg, twotone)), bg, _margins(rng, dpr))


def menu(icon: Icon, rng) -> Image.Image:
    """An antd Menu row (40 px high, 24 px inline padding, 14 px icon, 10 px gap, radius 8), crop
    with part of the label: selected (#e6f4ff, #1677ff), hovered (rgba(0,0,0,.06)), plain, or
    theme="dark" (#001529, rgba(255,255,255,.65); selected #1677ff with white). TwoTone icons
    keep the global twoToneColor whatever the row's state, as antd draws them."""
    state = _pick(rng, ("selected", "selected", "hover", "plain", "dark", "dark_selected"))
    if state == "selected":
        fill, text = LIGHT["item_active"], LIGHT["primary"]
    elif state in ("hover", "plain"):
        fill = over(*LIGHT["item_hover"], LIGHT["bg"]) if state == "hover" else LIGHT["bg"]
        text = over(*LIGHT["text"], fill)
    elif state == "dark":
        fill, text = DARK_MENU["bg"], over(*DARK_MENU["text"], DARK_MENU["bg"])
    else:
        fill, text = DARK_MENU["selected_bg"], DARK_MENU["selected_text"]
    page = DARK_MENU["bg"] if state.startswith("dark") else LIGHT["bg"]
    dpr = _dpr(rng)
    img = icon.draw(_pick(rng, (14, 14, 16)), dpr, Paint(text, _pick(rng, (TWOTONE_DEFAULT_V5, TWOTONE_DEFAULT_V4))))
    return row(img, rng, dpr, page=page, fill=fill, text=text, label=_pick(rng, LABELS), height=40, pad=24,
               gap=10, radius=8, into_label=0.8)


def disabled(icon: Icon, rng) -> Image.Image:
    """Disabled controls: antd colorTextDisabled rgba(0,0,0,.25) on white or on a disabled button
    (rgba(0,0,0,.04), border #d9d9d9), rgba(255,255,255,.25) on #141414, Material's
    --md-default-fg-color--lighter rgba(0,0,0,.32). TwoTone keeps its fills in antd, so a disabled
    one is dimmed by CSS opacity (.25-.65; Bootstrap's --bs-btn-disabled-opacity is .65)."""
    dark = rng.random() < 0.3
    bg = DARK["bg"] if dark else _pick(rng, (LIGHT["bg"], over(*LIGHT["disabled_bg"], LIGHT["bg"])))
    fg = over(*(DARK["disabled"] if dark else _pick(rng, (LIGHT["disabled"], MATERIAL_LIGHT["lighter"]))), bg)
    dpr = _dpr(rng)
    img = icon.draw(_pick(rng, (14, 16, 20, 24)), dpr, Paint(fg, TWOTONE_DEFAULT_V5))
    if icon.variant == "twotone":
        img.putalpha(img.getchannel("A").point(lambda a, o=float(rng.uniform(0.25, 0.65)): round(a * o)))
    if rng.random() < 0.5:
        return row(img, rng, dpr, page=DARK["bg"] if dark else LIGHT["bg"], fill=bg, text=fg, label=_pick(rng, LABELS),
                   height=32, pad=15, gap=8, radius=6, border=DARK["border"] if dark else LIGHT["border"])
    return tile(img, bg, _margins(rng, dpr))


def device_ratio(icon: Icon, rng) -> Image.Image:
    """OS scaling: drawn at device pixel ratio 1.25, 1.5, 1.75, 2 or 3 (fractional positions
    included); half are shrunk back to CSS pixels as some screenshot tools and chat apps do."""
    dpr = _pick(rng, (1.25, 1.5, 1.75, 2.0, 3.0))
    bg, paint = _default_look(rng)
    img = tile(icon.draw(_pick(rng, (14, 16, 20, 24, 32)), dpr, paint), bg, _margins(rng, dpr))
    if rng.random() < 0.5:
        size = (max(8, round(img.width / dpr)), max(8, round(img.height / dpr)))
        img = img.resize(size, _pick(rng, (Image.BILINEAR, Image.BICUBIC, Image.LANCZOS)))
    return img


def heavy_aa(icon: Icon, rng) -> Image.Image:
    """Small icons (12-20 px) where anti-aliasing and stroke weight matter most, drawn by the
    supersampled heavy-gamma rasterizer (coverage gamma 1.6-2.2) or Cairo."""
    bg, paint = _default_look(rng)
    return tile(icon.draw(_pick(rng, (12, 14, 14, 16, 18, 20)), 1.0, paint), bg, _margins(rng, 1.0))


def _base(icon: Icon, rng) -> Image.Image:
    """The screen before a lossy step: the default look, sometimes brand colours or a dark UI."""
    r = rng.random()
    if r < 0.2:
        return page_brand(icon, rng)
    if r < 0.35:
        return dark_ui(icon, rng)
    bg, paint = _default_look(rng)
    dpr = _dpr(rng)
    return tile(icon.draw(_pick(rng, CSS_SIZES), dpr, paint), bg, _margins(rng, dpr))


def blur(icon: Icon, rng) -> Image.Image:
    """A zoomed or resampled screenshot: scaled 0.75-1.6x (bilinear), Gaussian blur 0.3-0.9 px."""
    img = _base(icon, rng)
    f = float(rng.uniform(0.75, 1.6))
    img = img.resize((max(8, round(img.width * f)), max(8, round(img.height * f))), Image.BILINEAR)
    return img.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 0.9))))


def png(img: Image.Image) -> tuple[bytes, str]:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue(), "image/png"


def palette_png(img: Image.Image, rng) -> tuple[bytes, str]:
    """A palette PNG (pngquant-like tools, GIF-era pipelines): 16, 32 or 64 colours, dithered or not."""
    colours = _pick(rng, (16, 32, 64))
    method = _pick(rng, (Image.Quantize.MEDIANCUT, Image.Quantize.FASTOCTREE))
    dither = _pick(rng, (Image.Dither.NONE, Image.Dither.FLOYDSTEINBERG))
    buf = io.BytesIO()
    img.quantize(colours, method=method, dither=dither).save(buf, "PNG")
    return buf.getvalue(), "image/png"


def chat_jpeg(img: Image.Image, rng) -> tuple[bytes, str]:
    """What chat apps send: sometimes downscaled (0.6-0.9x), JPEG quality 40-75, mostly 4:2:0."""
    if rng.random() < 0.4:
        f = float(rng.uniform(0.6, 0.9))
        img = img.resize((max(8, round(img.width * f)), max(8, round(img.height * f))), Image.BILINEAR)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=int(rng.integers(40, 76)), subsampling=2 if rng.random() < 0.8 else 0)
    return buf.getvalue(), "image/jpeg"


# name -> (scene, encoder, renderers it draws with). Every scene but heavy_aa draws half its
# queries with resvg and half with Cairo.
_SCREEN = ("resvg", "cairo")
SCENARIOS = {
    "page_brand": (page_brand, None, _SCREEN),
    "on_brand": (on_brand, None, _SCREEN),
    "dark_ui": (dark_ui, None, _SCREEN),
    "menu": (menu, None, _SCREEN),
    "disabled": (disabled, None, _SCREEN),
    "device_ratio": (device_ratio, None, _SCREEN),
    "heavy_aa": (heavy_aa, None, ("cg", "cg", "cairo")),
    "palette_png": (_base, palette_png, _SCREEN),
    "chat_jpeg": (_base, chat_jpeg, _SCREEN),
    "blur": (blur, None, _SCREEN),
}


def make_query(icon_id: str, variant: str, svg: str, scenario: str, rng: np.random.Generator) -> Query:
    scene, encode, renderers = SCENARIOS[scenario]
    icon = Icon(svg, variant, _pick(rng, renderers), rng)
    img = scene(icon, rng)
    data, mime = (encode or (lambda i, _: png(i)))(img, rng)
    return Query(icon_id, variant, scenario, icon.renderer, data, mime)


def same_pixels(query: Query, state: dict, siblings: list[tuple[str, str, str]]) -> tuple[str, ...]:
    """The siblings (same name, other variant) drawn in the same scene, from the same random
    state, that give the query's pixels (within 2/255: anti-aliasing of equal shapes)."""
    want = np.asarray(Image.open(io.BytesIO(query.data)).convert("RGB"), np.int16)
    same = []
    for icon_id, variant, svg in siblings:
        rng = np.random.default_rng()
        rng.bit_generator.state = state
        other = make_query(icon_id, variant, svg, query.scenario, rng)
        got = np.asarray(Image.open(io.BytesIO(other.data)).convert("RGB"), np.int16)
        if got.shape == want.shape and np.abs(got - want).max() <= 2:
            same.append(icon_id)
    return tuple(same)


def make_queries(icons: list[tuple[str, str, str]], per_cell: int, seed: int,
                 scenarios=tuple(SCENARIOS), name_of=None) -> list[Query]:
    """``per_cell`` queries for every scenario x variant; ``icons`` are (id, variant, svg). Icons
    are drawn without replacement within a cell while the variant has enough of them. With
    ``name_of`` (id -> name without variant), each query lists its same-pixel siblings."""
    rng = np.random.default_rng(seed)
    by_variant: dict[str, list] = {}
    by_name: dict[str, list] = {}
    for item in icons:
        by_variant.setdefault(item[1], []).append(item)
        if name_of:
            by_name.setdefault(name_of(item[0]), []).append(item)
    out = []
    for scenario in scenarios:
        for variant in sorted(by_variant):
            pool = by_variant[variant]
            picks = np.concatenate([rng.permutation(len(pool)) for _ in range(-(-per_cell // len(pool)))])[:per_cell]
            for i in picks:
                icon_id, _, svg = pool[int(i)]
                state = rng.bit_generator.state
                query = make_query(icon_id, variant, svg, scenario, rng)
                siblings = [s for s in by_name.get(name_of(icon_id), ()) if s[0] != icon_id] if name_of else []
                if siblings:
                    query.same_pixels = same_pixels(query, state, siblings)
                out.append(query)
    return out
