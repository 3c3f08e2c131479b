"""Held-out query screenshots, made by a different pipeline than training.

Training draws icons with Chromium's SVG renderer on the sample page; these queries are
rasterized by resvg and composited with Pillow, in scenarios that mimic what readers paste.
Seeded, regenerated on every run, never committed.
"""

from __future__ import annotations

import colorsys
import io
import re
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SCENARIOS = ("clean", "clean_2x", "brand", "dark", "button", "jpeg", "zoom", "offcentre")
_HEX = re.compile(r'fill="(#[0-9a-fA-F]{3,6})"')


@dataclass
class Query:
    icon_id: str
    scenario: str
    data: bytes
    mime: str


def _rgb(rng, sat=(0.5, 1.0), val=(0.4, 0.9)):
    r, g, b = colorsys.hsv_to_rgb(rng.random(), rng.uniform(*sat), rng.uniform(*val))
    return int(r * 255), int(g * 255), int(b * 255)


def _hex(c):
    return "#%02x%02x%02x" % c


def _brightness(hex_colour: str) -> int:
    h = hex_colour.lstrip("#")
    h = "".join(c * 2 for c in h) if len(h) == 3 else h
    return sum(int(h[i:i + 2], 16) for i in (0, 2, 4))


def _mix(a, b, t):
    return tuple(int(round(x * t + y * (1 - t))) for x, y in zip(a, b))


def render(svg: str, px: int, fg, bg) -> Image.Image:
    """RGBA raster of the icon: darkest explicit colour -> fg, lighter ones -> a tint of fg on bg."""
    import resvg_py

    colours = sorted({c.lower() for c in _HEX.findall(svg)}, key=_brightness)
    tint = _hex(_mix(fg, bg, 0.2))
    for c in colours:
        svg = re.sub(f'fill="{re.escape(c)}"', f'fill="{_hex(fg) if c == colours[0] else tint}"', svg, flags=re.I)
    svg = svg.replace("<svg ", f'<svg fill="{_hex(fg)}" width="{px}" height="{px}" ', 1)
    png = bytes(resvg_py.svg_to_bytes(svg_string=svg, width=px, height=px))
    return Image.open(io.BytesIO(png)).convert("RGBA")


def _canvas(icon: Image.Image, bg, margin_x: int, margin_y: int) -> Image.Image:
    w, h = icon.size
    canvas = Image.new("RGBA", (w + 2 * margin_x, h + 2 * margin_y), bg + (255,))
    canvas.alpha_composite(icon, (margin_x, margin_y))
    return canvas.convert("RGB")


def _png(img: Image.Image) -> tuple[bytes, str]:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue(), "image/png"


def make_query(svg: str, scenario: str, rng: np.random.Generator) -> tuple[bytes, str]:
    light = tuple(int(v) for v in rng.integers(235, 256, 3))
    grey = tuple([int(rng.integers(0, 90))] * 3)
    if scenario in ("clean", "clean_2x"):
        scale = 2 if scenario == "clean_2x" else 1
        size = int(rng.integers(14, 65)) * scale
        icon = render(svg, size, grey, light)
        m = int(rng.integers(2, 10)) * scale
        return _png(_canvas(icon, light, m, m))
    if scenario == "brand":
        brand = _rgb(rng)
        fg, bg = ((255, 255, 255), brand) if rng.random() < 0.5 else (brand, light)
        size = int(rng.integers(16, 49))
        return _png(_canvas(render(svg, size, fg, bg), bg, int(rng.integers(4, 14)), int(rng.integers(4, 14))))
    if scenario == "dark":
        bg = tuple([int(rng.integers(10, 45))] * 3)
        fg = tuple([int(rng.integers(190, 256))] * 3) if rng.random() < 0.7 else _rgb(rng, val=(0.8, 1))
        size = int(rng.integers(16, 49))
        return _png(_canvas(render(svg, size, fg, bg), bg, int(rng.integers(3, 12)), int(rng.integers(3, 12))))
    if scenario == "button":
        size = int(rng.integers(16, 29))
        primary = rng.random() < 0.5
        brand = _rgb(rng)
        fg, bg = ((255, 255, 255), brand) if primary else (grey, (255, 255, 255))
        icon = render(svg, size, fg, bg)
        pad = int(rng.integers(8, 14))
        text_w = int(rng.integers(40, 90))
        w, h = pad + size + 8 + text_w + pad, size + 2 * pad
        img = Image.new("RGB", (w + 8, h + 8), (255, 255, 255))
        draw = ImageDraw.Draw(img)
        draw.rounded_rectangle((4, 4, 4 + w, 4 + h), radius=6, fill=bg, outline=brand if primary else (200, 200, 200), width=1)
        img.paste(icon, (4 + pad, 4 + pad), icon)
        draw.text((4 + pad + size + 8, 4 + h // 2 - 6), "Download file"[: int(rng.integers(4, 14))], fill=fg)
        # The crop keeps the icon and only part of the label.
        right = 4 + pad + size + 8 + int(rng.integers(6, max(8, text_w // 2)))
        return _png(img.crop((0, 0, min(right, img.width), img.height)))
    if scenario == "jpeg":
        size = int(rng.integers(24, 65))
        bg = light if rng.random() < 0.6 else _rgb(rng, sat=(0.2, 0.6), val=(0.8, 1))
        img = _canvas(render(svg, size, grey if rng.random() < 0.7 else _rgb(rng), bg), bg, 8, 8)
        f = rng.uniform(0.5, 0.85)
        img = img.resize((max(8, int(img.width * f)), max(8, int(img.height * f))), Image.BILINEAR)
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=int(rng.integers(25, 61)))
        return buf.getvalue(), "image/jpeg"
    if scenario == "zoom":
        size = int(rng.integers(16, 33))
        img = _canvas(render(svg, size, grey, light), light, 6, 6)
        z = rng.uniform(1.25, 3.0)
        img = img.resize((int(img.width * z), int(img.height * z)), Image.BICUBIC)
        img = img.rotate(float(rng.uniform(-4, 4)), resample=Image.BICUBIC, fillcolor=light)
        img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.5, 1.2))))
        return _png(img)
    if scenario == "offcentre":
        size = int(rng.integers(16, 41))
        icon = render(svg, size, grey, light)
        w, h = size + int(rng.integers(size, 4 * size)), size + int(rng.integers(size, 3 * size))
        img = Image.new("RGBA", (w, h), light + (255,))
        img.alpha_composite(icon, (int(rng.integers(0, w - size)), int(rng.integers(0, h - size))))
        return _png(img.convert("RGB"))
    raise ValueError(scenario)


def make_queries(icons: list[dict], count: int, seed: int = 1234) -> list[Query]:
    """``count`` queries spread evenly over the scenarios; icons drawn at random (seeded)."""
    rng = np.random.default_rng(seed)
    out = []
    for n in range(count):
        scenario = SCENARIOS[n % len(SCENARIOS)]
        icon = icons[int(rng.integers(len(icons)))]
        data, mime = make_query(icon["svg"], scenario, rng)
        out.append(Query(icon["id"], scenario, data, mime))
    return out
