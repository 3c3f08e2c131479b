"""Ant Design's colour palette generation, and the theme colours the benchmark's scenes use.

``generate`` follows ``generate()`` of npm @ant-design/colors 8.0.1 (lib/generate.js) with the
HSV conversions of @ant-design/fast-color 3.0.1 (FastColor.getHue/getHSVSaturation/fromHsv),
rounding as JavaScript's Math.round does. @ant-design/icons 6.3.4 draws a TwoTone icon with
``secondaryColor = generate(primaryColor)[0]`` (lib/colorUtils.js getSecondaryColor), whatever
the background. Theme values were read from antd 6.6.8 ``theme.getDesignToken()`` (default and
dark algorithms) and its Menu/Button styles, @primer/primitives (GitHub dark), mkdocs-material
9.8.2's palette CSS and VS Code's Dark+/Dark Modern themes.
"""

from __future__ import annotations

import colorsys
import math

RGB = tuple[int, int, int]

_HUE_STEP, _SAT_STEP, _SAT_STEP2 = 2, 0.16, 0.05
_BRIGHT_STEP1, _BRIGHT_STEP2 = 0.05, 0.15
_LIGHT_COUNT, _DARK_COUNT = 5, 4


def _jsround(x: float) -> int:
    return math.floor(x + 0.5)


def hex_rgb(colour: str) -> RGB:
    h = colour.lstrip("#")
    h = "".join(c * 2 for c in h) if len(h) == 3 else h
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def rgb_hex(rgb: RGB) -> str:
    return "#%02x%02x%02x" % tuple(rgb)


def _to_hsv(rgb: RGB) -> tuple[int, float, float]:
    r, g, b = rgb
    mx, mn = max(rgb), min(rgb)
    delta = mx - mn
    if delta == 0:
        h = 0
    elif r == mx:
        h = _jsround(60 * ((g - b) / delta + (6 if g < b else 0)))
    elif g == mx:
        h = _jsround(60 * ((b - r) / delta + 2))
    else:
        h = _jsround(60 * ((r - g) / delta + 4))
    return h, (0.0 if delta == 0 else delta / mx), mx / 255


def _from_hsv(h: float, s: float, v: float) -> RGB:
    h = (h % 360 + 360) % 360
    vv = _jsround(v * 255)
    if s <= 0:
        return vv, vv, vv
    hh = h / 60
    i = math.floor(hh)
    ff = hh - i
    p, q, t = (_jsround(v * x * 255) for x in (1 - s, 1 - s * ff, 1 - s * (1 - ff)))
    return [(vv, t, p), (q, vv, p), (p, vv, t), (p, q, vv), (t, p, vv)][i] if i < 5 else (vv, p, q)


def _hue(h: int, i: int, light: bool) -> int:
    up = 60 <= h <= 240
    hue = h - _HUE_STEP * i if up == light else h + _HUE_STEP * i
    return hue + 360 if hue < 0 else hue - 360 if hue >= 360 else hue


def _saturation(h: int, s: float, i: int, light: bool) -> float:
    if h == 0 and s == 0:  # greys keep saturation 0
        return s
    if light:
        sat = s - _SAT_STEP * i
    elif i == _DARK_COUNT:
        sat = s + _SAT_STEP
    else:
        sat = s + _SAT_STEP2 * i
    sat = min(sat, 1)
    if light and i == _LIGHT_COUNT and sat > 0.1:
        sat = 0.1
    sat = max(sat, 0.06)
    return _jsround(sat * 100) / 100


def _value(v: float, i: int, light: bool) -> float:
    value = v + _BRIGHT_STEP1 * i if light else v - _BRIGHT_STEP2 * i
    return _jsround(max(0, min(1, value)) * 100) / 100


def generate(colour: str) -> list[str]:
    """The 10-shade palette of ``colour`` (light theme), lightest first; index 5 is ``colour``."""
    rgb = hex_rgb(colour)
    h, s, v = _to_hsv(rgb)
    light = [_from_hsv(_hue(h, i, True), _saturation(h, s, i, True), _value(v, i, True))
             for i in range(_LIGHT_COUNT, 0, -1)]
    dark = [_from_hsv(_hue(h, i, False), _saturation(h, s, i, False), _value(v, i, False))
            for i in range(1, _DARK_COUNT + 1)]
    return [rgb_hex(c) for c in (*light, rgb, *dark)]


def twotone_secondary(primary: str) -> str:
    """What @ant-design/icons fills a TwoTone icon's #E6E6E6 parts with, for twoToneColor ``primary``."""
    return generate(primary)[0]


def over(colour: str, alpha: float, background: str) -> str:
    """``colour`` at ``alpha`` seen on an opaque ``background`` (CSS rgba over a flat colour)."""
    fg, bg = hex_rgb(colour), hex_rgb(background)
    return rgb_hex(tuple(_jsround(f * alpha + b * (1 - alpha)) for f, b in zip(fg, bg)))


def hsl(h: float, s: float, l: float) -> str:  # noqa: E741 (CSS names)
    r, g, b = colorsys.hls_to_rgb(h / 360, l, s)
    return rgb_hex((_jsround(r * 255), _jsround(g * 255), _jsround(b * 255)))


# @ant-design/colors presetPrimaryColors (shade 6 of each palette).
PRESET_PRIMARIES = {
    "red": "#f5222d", "volcano": "#fa541c", "orange": "#fa8c16", "gold": "#faad14", "yellow": "#fadb14",
    "lime": "#a0d911", "green": "#52c41a", "cyan": "#13c2c2", "blue": "#1677ff", "geekblue": "#2f54eb",
    "purple": "#722ed1", "magenta": "#eb2f96", "grey": "#666666",
}
TWOTONE_DEFAULT_V5 = "#1677ff"  # @ant-design/icons 5/6: colors.blue.primary
TWOTONE_DEFAULT_V4 = "#1890ff"  # @ant-design/icons 4

# antd 6 design tokens, default (light) algorithm.
LIGHT = {"bg": "#ffffff", "layout": "#f5f5f5", "text": ("#000000", 0.88), "secondary": ("#000000", 0.65),
         "disabled": ("#000000", 0.25), "disabled_bg": ("#000000", 0.04), "primary": "#1677ff",
         "item_active": "#e6f4ff", "item_hover": ("#000000", 0.06), "border": "#d9d9d9",
         "error": "#ff4d4f", "success": "#52c41a"}
# antd 6 dark algorithm.
DARK = {"bg": "#141414", "elevated": "#1f1f1f", "layout": "#000000", "text": ("#ffffff", 0.85),
        "secondary": ("#ffffff", 0.65), "disabled": ("#ffffff", 0.25), "primary": "#1668dc",
        "item_active": "#15325b", "item_hover": ("#ffffff", 0.12), "border": "#424242"}
# antd Menu theme="dark": darkItemBg, darkItemColor (colorTextDark), darkItemSelectedBg (colorPrimary).
DARK_MENU = {"bg": "#001529", "text": ("#ffffff", 0.65), "selected_bg": "#1677ff", "selected_text": "#ffffff"}
# antd 6 dark palette of blue (generate(blue, {theme: 'dark'})): the light primaries dark UIs use.
BLUE_DARK = ["#111a2c", "#112545", "#15325b", "#15417e", "#1554ad", "#1668dc", "#3c89e8", "#65a9f3",
             "#8dc5f8", "#b7dcfa"]

# mkdocs-material 9.8.2: slate scheme (--md-hue 225deg) and the default indigo header.
_MD_HUE = 225
MATERIAL_SLATE = {"bg": hsl(_MD_HUE, 0.15, 0.14), "code_bg": hsl(_MD_HUE, 0.15, 0.18),
                  "text": (hsl(_MD_HUE, 0.15, 0.90), 0.82), "light": (hsl(_MD_HUE, 0.15, 0.90), 0.56),
                  "link": "#5488e8"}
MATERIAL_LIGHT = {"bg": "#ffffff", "text": ("#000000", 0.87), "light": ("#000000", 0.54),
                  "lighter": ("#000000", 0.32), "header": "#4051b5"}
# VS Code Dark+ (editor #1e1e1e, side bar #252526, foreground #cccccc) and Dark Modern (#1f1f1f, #181818).
VSCODE_DARK = {"bgs": ["#1e1e1e", "#252526", "#1f1f1f", "#181818"], "text": "#cccccc", "muted": "#858585"}
# @primer/primitives, GitHub dark: bgColor-default/muted, fgColor-default/muted, fgColor-accent.
GITHUB_DARK = {"bgs": ["#0d1117", "#151b23"], "text": "#f0f6fc", "muted": "#9198a1", "accent": "#4493f8"}
