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

from .limits import DEFAULT_LIMITS, Limits

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
    removed: str = field(default="", compare=False)  # what the sanitizer took out (for warnings)

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


def scan_svg_folder(root: Path, other_files: bool = True, limits: Limits = DEFAULT_LIMITS) -> tuple[list[Icon], list[str]]:
    """Every ``*.svg`` under ``root`` (recursively), sorted by id, and one warning per skipped
    file (see :func:`scan_svg_files`); hidden files (``.DS_Store``, ``.git/``) are not icons,
    nor mistakes."""
    files = [f for f in sorted(root.rglob("*"))
             if f.is_file() and not any(part.startswith(".") for part in f.relative_to(root).parts)]
    return scan_svg_files(files, root, other_files, limits)


def scan_svg_files(files: list[Path], root: Path, other_files: bool = True,
                   limits: Limits = DEFAULT_LIMITS) -> tuple[list[Icon], list[str]]:
    """``files`` as icons whose ids are their paths below ``root``, and one warning per skipped
    file: broken, hostile or too costly SVGs (:func:`parse_svg`), other files (none with
    ``other_files=False``, for packages' folders with licences in them), and ids that clash
    (``a.svg``/``a.SVG``). Never raises: one file never stops a build."""
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
            size = file.stat().st_size
            if size > limits.bytes:  # before reading it: a 2 GB file is never loaded
                raise ValueError(_over("the file has", size, "bytes", limits, "bytes"))
            icon = parse_svg(file.read_bytes(), icon_id_, file, limits)
        except ValueError as exc:
            warnings.append(f"skipped icon {file}: {exc}")
            continue
        except OSError as exc:
            warnings.append(f"skipped icon {file}: it cannot be read ({exc.strerror or exc})")
            continue
        seen[icon_id_] = file
        icons.append(icon)
    return icons, warnings


def parse_svg(data: bytes, id: str, path: Path | None = None, limits: Limits = DEFAULT_LIMITS) -> Icon:
    """Parse and sanitize one SVG; ``ValueError`` says what is wrong with it. Nothing else is
    raised, whatever the bytes (tests/test_fuzz.py)."""
    try:
        return _parse_svg(data, id, path, limits)
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser's surprise must not stop a build
        raise ValueError(f"it cannot be read as SVG ({type(exc).__name__}: {exc})") from None


def _parse_svg(data: bytes, id: str, path: Path | None, limits: Limits) -> Icon:
    if len(data) > limits.bytes:
        raise ValueError(_over("the file has", len(data), "bytes", limits, "bytes"))
    if not data.strip():
        raise ValueError("the file is empty")
    if b"\0" in data[:4096] and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 text has NULs
        raise ValueError("it holds binary data, not SVG text (an image saved with the wrong extension?)")
    if b"<!ENTITY" in data or b"<!DOCTYPE" in data[:1000] and b"[" in data[:1000]:
        raise ValueError("DTD entities are not allowed in icons")
    tree = _parse_tree(data, limits)
    if _local(tree.tag) != "svg":
        raise ValueError(f"the root element is <{_local(tree.tag)}>, not <svg>")
    viewbox = tree.get("viewBox") or _viewbox_from_size(tree)
    if not viewbox:
        raise ValueError("it has neither a viewBox nor a width and height")
    _check_viewbox(viewbox, "viewBox" if tree.get("viewBox") else "width and height")
    root_attrs = tuple((k, tree.get(k)) for k in ROOT_PRESENTATION if tree.get(k) is not None)
    root_attrs = tuple((k, v) for k, v in root_attrs if _safe_value(v))
    inner, removed, coordinates = _serialize(list(tree))
    if coordinates > limits.coordinates:
        raise ValueError(_over("its paths have", coordinates, "coordinates", limits, "coordinates",
                               "too costly to draw many times"))
    if not _SHAPE_TAG.search(inner):
        why = f"; the sanitizer removed {_removed_text(removed)}" if removed else ""
        raise ValueError(f"it draws nothing (no path or shape){why}")
    return Icon(id=id, digest=hashlib.sha256(data).hexdigest(), viewbox=viewbox,
                root_attrs=root_attrs, inner=inner, path=path, removed=_removed_text(removed))


def _over(what: str, value: int, unit: str, limits: Limits, name: str, why: str = "") -> str:
    limit = getattr(limits, name)
    return (f"{what} {value:,} {unit}, over the limit of {limit:,}{f' ({why})' if why else ''}; "
            f"simplify the icon, or raise the option {Limits.option(name)}")


def _parse_tree(data: bytes, limits: Limits) -> ET.Element:
    """The parsed tree, stopped as soon as it is nested too deep or has too many elements
    (expat and the tree builder are iterative; our walks over the tree are too)."""
    parser = ET.XMLPullParser(events=("start", "end"))
    root, depth, count = None, 0, 0
    try:
        for at in range(0, len(data), 1 << 16):
            parser.feed(data[at:at + (1 << 16)])
            for event, el in parser.read_events():
                if event == "end":
                    depth -= 1
                    continue
                root = root if root is not None else el
                depth, count = depth + 1, count + 1
                if depth > limits.depth:
                    raise ValueError(f"its elements nest more than {limits.depth} levels deep; simplify the icon, "
                                     f"or raise the option {Limits.option('depth')}")
                if count > limits.elements:
                    raise ValueError(f"it has more than {limits.elements:,} elements; simplify the icon, "
                                     f"or raise the option {Limits.option('elements')}")
        parser.close()
    except ET.ParseError as exc:
        raise ValueError(f"not well-formed XML ({exc})") from None
    except LookupError as exc:  # <?xml encoding="..."?> names a codec Python lacks
        raise ValueError(f"its XML declaration names an unknown encoding ({exc}); save it as UTF-8") from None
    if root is None:
        raise ValueError("not well-formed XML (no element)")
    return root


_NUMBER = re.compile(r"[-+]?(?:\d*\.\d+|\d+\.?)(?:[eE][-+]?\d+)?")
_NOT_FINITE = re.compile(r"\b(?:nan|inf(?:inity)?)\b", re.I)
_FLOAT32_MAX = 3.4e38  # browsers draw in 32-bit floats: past this a number is infinite
GEOMETRY = {"d", "points", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width", "height",
            "transform", "viewbox", "stroke-width", "offset", "fx", "fy"}


def _numbers(value: str) -> list[str]:
    return _NUMBER.findall(value)


def _not_finite(value: str) -> str | None:
    """The first number in ``value`` that a browser cannot draw with (NaN, 1e999), or None."""
    if word := _NOT_FINITE.search(value):
        return word.group(0)
    return next((n for n in _numbers(value) if not abs(float(n)) < _FLOAT32_MAX), None)


def _check_viewbox(viewbox: str, what: str) -> None:
    parts = viewbox.replace(",", " ").split()
    try:
        x, y, w, h = (float(p) for p in parts)
    except ValueError:
        raise ValueError(f"its {what} {viewbox!r} is not four numbers") from None
    if _not_finite(viewbox) or not (w > 0 and h > 0):
        raise ValueError(f"its {what} {viewbox!r} is degenerate: it needs finite numbers and a width and "
                         "height above 0, or the icon draws nothing")


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


SHAPES = ("path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "use", "text")  # what draws
_SHAPE_TAG = re.compile(rf"<({'|'.join(SHAPES)})\b")


def _serialize(elements: list[ET.Element]) -> tuple[str, dict[str, int], int]:
    """The whitelisted markup of ``elements`` (an explicit stack: no recursion, whatever the
    depth), what was removed (``{"<a> (with 1 shape inside)": 1}``), and the paths' coordinates.
    A number that is not finite stops it: browsers draw nothing, or half, of such a shape."""
    out, removed, coordinates = [], {}, 0
    stack: list = [(False, el) for el in reversed(elements)]
    while stack:
        closing, item = stack.pop()
        if closing:  # (name, attrs, index of the open tag)
            name, attrs, at = item
            if len(out) == at + 1:
                out[at] = f"<{name}{attrs}/>"
            else:
                out.append(f"</{name}>")
            continue
        el = item
        tag = _local(el.tag).lower() if isinstance(el.tag, str) else ""
        if tag not in ALLOWED_TAGS:
            if tag:  # (comments and processing instructions are not worth a word)
                shapes = sum(1 for e in el.iter() if isinstance(e.tag, str) and _local(e.tag).lower() in SHAPES)
                what = f"<{_local(el.tag)}>" + (f" with {shapes} shape{'s' * (shapes > 1)} inside" if shapes else "")
                removed[what] = removed.get(what, 0) + 1
            continue
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
            if k.lower() in GEOMETRY and (bad := _not_finite(value)):
                raise ValueError(f"its <{name} {k}> holds a number that is not finite ({_clip(bad)}); "
                                 "browsers would draw nothing, or half of it")
            if k in ("d", "points"):
                coordinates += len(_numbers(value))
            attrs.append(f' {k}="{_attr(value)}"')
        at = len(out)
        out.append(f"<{name}{''.join(attrs)}>")
        if text := _text(el.text):
            out.append(text)
        stack.append((True, (name, "".join(attrs), at)))
        stack.extend((False, child) for child in reversed(list(el)))
    return "".join(out), removed, coordinates


def _removed_text(removed: dict[str, int]) -> str:
    return ", ".join(what + (f" (x{n})" if n > 1 else "") for what, n in removed.items())


def _clip(value: str, length: int = 40) -> str:
    return repr(value if len(value) <= length else value[:length] + "...")


def _text(s: str | None) -> str:
    if not s or not s.strip():
        return ""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(s: str) -> str:
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


# An explicit paint colour: (attribute, #hex).
COLOUR_ATTR = re.compile(r'(fill|stroke)="(#[0-9a-fA-F]{3,6})"')
# Any paint a drawing names in a fill or stroke attribute, as the widget's variant check reads
# them (variants.js, channelCoded: NO_PAINT and url() are none); styles are not read there either.
PAINT_ATTR = re.compile(r"""(?<![\w-])(?:fill|stroke)\s*=\s*(["'])(.*?)\1""", re.S)
NO_PAINT = {"", "none", "transparent", "currentcolor", "inherit"}


def painted(svg: str) -> bool:
    """Whether a drawing names a paint of its own (antd's TwoTone: #333 and #E6E6E6): only then
    can the widget tell its variants apart by colour (the index lists such classes)."""
    return any((v := value.strip().lower()) not in NO_PAINT and not v.startswith("url(")
               for _, value in PAINT_ATTR.findall(svg))

# Variant words that names carry: icons whose names differ only by one are variants of one icon
# (antd's outlined/home and filled/home, eva's home and home-outline). The index lists each
# name's classes (pipeline.families), which the widget reads.
VARIANT_SUFFIX = re.compile(r"-(outline|outlined|fill|filled|twotone|solid|regular|line|sharp|round|rounded)$")


def family(icon_id: str) -> str:
    """The name an icon shares with its variants: ``outlined/home`` -> ``home``."""
    return VARIANT_SUFFIX.sub("", icon_id.rsplit("/", 1)[-1])


def canonical(icons: list[Icon]) -> list[int]:
    """Per icon, its family's outlined member (an id with "outline" in it), else its first:
    what a sketch of any of them is labelled as (a sketch shows outlines)."""
    canon: dict[str, int] = {}
    for i, icon in enumerate(icons):
        key = family(icon.id)
        if key not in canon or ("outline" in icon.id and "outline" not in icons[canon[key]].id):
            canon[key] = i
    return [canon[family(icon.id)] for icon in icons]


def sketch_sources(icons: list[Icon]) -> list[int]:
    """Per icon, the icon its sketches draw: itself, unless it has two paints (antd's TwoTone),
    whose outlines, drawn and labelled as its outlined sibling, would teach the model that a
    TwoTone's screenshot is that sibling: then its family's outlined member."""
    canon = canonical(icons)
    return [canon[i] if len({c.lower() for _, c in COLOUR_ATTR.findall(icon.inner)}) > 1 else i
            for i, icon in enumerate(icons)]


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
