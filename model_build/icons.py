"""Scan an icon folder into clean, sanitized icons with stable ids.

An icon's id is its path relative to the folder, without ``.svg``, with ``/`` separators
(``outlined/home``). The markup is re-serialized from a parsed tree with a whitelist, so what
reaches a page never carries scripts, event handlers or external references.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

SVG_NS = "http://www.w3.org/2000/svg"

# Elements that draw or structure a static icon. Anything else (script, foreignObject, style,
# image, animation, ...) is dropped with its subtree.
ALLOWED_TAGS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "defs",
    "lineargradient", "radialgradient", "stop", "clippath", "mask", "use", "symbol", "title",
    "desc", "text", "tspan", "pattern",
    # Filter primitives that only transform the icon's own pixels (no feImage: it fetches).
    "filter", "feoffset", "fegaussianblur", "fecolormatrix", "femerge", "femergenode", "feflood",
    "fecomposite", "feblend", "femorphology", "fedropshadow", "fecomponenttransfer", "fefunca",
    "fefuncr", "fefuncg", "fefuncb",
}
# Presentation attributes an icon's root may carry; they are kept on a wrapping <g> so that
# stroke icons (fill="none" stroke="currentColor") draw the same inside a sprite.
ROOT_PRESENTATION = (
    "fill", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit",
    "fill-rule", "clip-rule", "opacity", "fill-opacity", "stroke-opacity",
)
_URL_REF = re.compile(r"url\(\s*['\"]?([^'\")\s]*)", re.I)


class IconSetError(ValueError):
    """The icon folder can't be used: the message names the option, the path and the fix."""


@dataclass(frozen=True)
class Icon:
    id: str
    digest: str  # sha256 of the file's bytes: the cache key's unit
    viewbox: str
    root_attrs: tuple[tuple[str, str], ...]
    inner: str  # sanitized child markup, without the <svg> root
    path: Path | None = field(default=None, compare=False)
    snippet: str = field(default="", compare=False)  # what a click copies (sources.py); "" -> the id

    @property
    def name(self) -> str:
        return self.id.rsplit("/", 1)[-1]

    @property
    def svg(self) -> str:
        """A standalone, sanitized SVG document (for <img src="data:..."> and files)."""
        attrs = "".join(f' {k}="{_attr(v)}"' for k, v in self.root_attrs)
        return f'<svg xmlns="{SVG_NS}" viewBox="{_attr(self.viewbox)}"{attrs}>{self.inner}</svg>'


def icon_id(root: Path, file: Path) -> str:
    return file.relative_to(root).with_suffix("").as_posix()


def scan_svg_folder(root: Path, other_files: bool = True) -> tuple[list[Icon], list[str]]:
    """Every ``*.svg`` under ``root`` (recursively), sorted by id, and one warning per skipped
    file (see :func:`scan_svg_files`); hidden files (``.DS_Store``, ``.git/``) are not icons,
    nor mistakes."""
    files = [f for f in sorted(root.rglob("*"))
             if f.is_file() and not any(part.startswith(".") for part in f.relative_to(root).parts)]
    return scan_svg_files(files, root, other_files)


def scan_svg_files(files: list[Path], root: Path, other_files: bool = True) -> tuple[list[Icon], list[str]]:
    """``files`` as icons whose ids are their paths below ``root``, and one warning per skipped
    file: broken SVGs, other files (none with ``other_files=False``, for packages' folders with
    licences in them), and ids that clash (``a.svg``/``a.SVG``)."""
    icons, warnings, seen = [], [], {}
    for file in files:
        if file.suffix.lower() != ".svg":
            if other_files:
                warnings.append(f"skipped {file}: not an SVG file (only *.svg files in the icon folder are used)")
            continue
        icon_id_ = icon_id(root, file)
        if icon_id_ in seen:
            warnings.append(f"skipped icon {file}: its id {icon_id_!r} is already used by {seen[icon_id_]}; "
                            "rename one of them")
            continue
        try:
            icon = parse_svg(file.read_bytes(), icon_id_, file)
        except ValueError as exc:
            warnings.append(f"skipped icon {file}: {exc}")
            continue
        seen[icon_id_] = file
        icons.append(icon)
    return icons, warnings


def parse_svg(data: bytes, id: str, path: Path | None = None) -> Icon:
    """Parse and sanitize one SVG; ``ValueError`` says what is wrong with it."""
    if not data.strip():
        raise ValueError("the file is empty")
    if b"\0" in data[:4096] and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 text has NULs
        raise ValueError("it holds binary data, not SVG text (an image saved with the wrong extension?)")
    if b"<!ENTITY" in data or b"<!DOCTYPE" in data[:1000] and b"[" in data[:1000]:
        raise ValueError("DTD entities are not allowed in icons")
    try:
        tree = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError(f"not well-formed XML ({exc})") from None
    if _local(tree.tag) != "svg":
        raise ValueError(f"the root element is <{_local(tree.tag)}>, not <svg>")
    viewbox = tree.get("viewBox") or _viewbox_from_size(tree)
    if not viewbox:
        raise ValueError("it has neither a viewBox nor a width and height")
    root_attrs = tuple((k, tree.get(k)) for k in ROOT_PRESENTATION if tree.get(k) is not None)
    root_attrs = tuple((k, v) for k, v in root_attrs if _safe_value(v))
    inner = "".join(_serialize(child) for child in tree)
    if not re.search(r"<(path|rect|circle|ellipse|line|polyline|polygon|use|text)\b", inner):
        raise ValueError("it draws nothing (no path or shape)")
    return Icon(id=id, digest=hashlib.sha256(data).hexdigest(), viewbox=viewbox,
                root_attrs=root_attrs, inner=inner, path=path)


def _viewbox_from_size(el: ET.Element) -> str | None:
    try:
        w = float(re.sub(r"px$", "", el.get("width", "")))
        h = float(re.sub(r"px$", "", el.get("height", "")))
    except ValueError:
        return None
    return f"0 0 {w:g} {h:g}"


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _safe_value(value: str) -> bool:
    low = value.strip().lower()
    if "javascript:" in low or "expression(" in low:
        return False
    # url(...) may only point inside the icon (#id): no external fetches from a reader's page.
    return all(ref.startswith("#") for ref in _URL_REF.findall(value))


def _serialize(el: ET.Element) -> str:
    tag = _local(el.tag).lower() if isinstance(el.tag, str) else ""
    if tag not in ALLOWED_TAGS:
        return ""
    name = _local(el.tag)
    attrs = []
    for key, value in el.attrib.items():
        k = _local(key)
        if k.lower().startswith("on"):
            continue  # event handlers
        if k == "href" and not value.startswith("#"):
            continue  # external or javascript: links and images
        if not _safe_value(value):
            continue
        attrs.append(f' {k}="{_attr(value)}"')
    children = "".join(_serialize(c) for c in el)
    body = _text(el.text) + children
    return f"<{name}{''.join(attrs)}>{body}</{name}>" if body else f"<{name}{''.join(attrs)}/>"


def _text(s: str | None) -> str:
    if not s or not s.strip():
        return ""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(s: str) -> str:
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


# An explicit paint colour: (attribute, #hex).
COLOUR_ATTR = re.compile(r'(fill|stroke)="(#[0-9a-fA-F]{3,6})"')


def drawing_key(icon: Icon) -> str:
    """Equal for icons that draw the same pixels whatever their ids (colours compared by rank)."""
    colours = {c.lower(): None for _, c in COLOUR_ATTR.findall(icon.inner)}
    ranks = {c: f"c{n}" for n, c in enumerate(colours)}
    inner = COLOUR_ATTR.sub(lambda m: f'{m.group(1)}="{ranks[m.group(2).lower()]}"', icon.inner)
    return hashlib.sha256(f"{icon.viewbox}|{icon.root_attrs}|{inner}".encode()).hexdigest()


def twin_groups(icons: list[Icon]) -> list[list[int]]:
    """Icons grouped by drawing, in first-seen order: each group is one class for the model."""
    groups: dict[str, list[int]] = {}
    for n, icon in enumerate(icons):
        groups.setdefault(drawing_key(icon), []).append(n)
    return list(groups.values())
