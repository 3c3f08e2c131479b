"""Icon sources: SVG folders or globs, Iconify JSON collections, Material for MkDocs' bundled sets.

Every source gives sanitized ``Icon``s (``icons.parse_svg``) with ids made of an optional
prefix and the icon's path in its source. A source may carry a snippet template: what a click
on the icon copies (``:material-{name}:``, ``<{Name}Outlined />``). Placeholders:

- ``{id}``: the full id (prefix included); ``{path}``: the id within its source (``brands/github``);
- ``{slug}``: that path with ``/`` as ``-`` (``brands-github``); ``{name}``: its last part
  (``github``); ``{Name}``: that in PascalCase (``Github``); ``{set}``: the Material set's name.
"""

from __future__ import annotations

import glob as globlib
import json
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from .icons import Icon, IconSetError, parse_svg, scan_svg_files, scan_svg_folder
from .limits import DEFAULT_LIMITS, Limits

MATERIAL_SETS = ("material", "fontawesome", "octicons", "simple")
KINDS = ("path", "iconify", "material")
_FIELDS = {"prefix", "snippet"}
_WILDCARD = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Source:
    kind: str  # "path" (a folder or a glob), "iconify" (a JSON file) or "material" (a set's name)
    where: str
    prefix: str = ""
    snippet: str = ""

    def describe(self) -> str:
        return f"{self.kind}: {self.where}"


def parse_sources(value, option: str = "icons") -> list[Source]:
    """The ``icons`` option -> sources: a folder or glob, or a list of those and of mappings
    with one of ``path``/``iconify``/``material`` plus optional ``prefix`` and ``snippet``."""
    items = value if isinstance(value, list) else [value]
    if not items or value in (None, ""):
        raise IconSetError(f"option `{option}`: set it to a folder of SVG files (relative to mkdocs.yml), "
                           "or a list of sources, e.g. `- material: octicons`")
    sources = []
    for n, item in enumerate(items, 1):
        where = f"option `{option}`" + (f", item {n}" if isinstance(value, list) else "")
        if isinstance(item, str):
            sources.append(Source("path", item))
            continue
        if not isinstance(item, dict):
            raise IconSetError(f"{where}: expected a path or a mapping, not {item!r}")
        kinds = [k for k in KINDS if k in item]
        unknown = set(item) - set(KINDS) - _FIELDS
        if len(kinds) != 1 or unknown:
            raise IconSetError(f"{where}: give exactly one of `path`, `iconify` or `material` "
                               f"(with optional `prefix` and `snippet`), not {sorted(item)}")
        kind = kinds[0]
        if kind == "material" and item[kind] not in MATERIAL_SETS:
            raise IconSetError(f"{where}: `material: {item[kind]}` is not one of Material for MkDocs' sets "
                               f"({', '.join(MATERIAL_SETS)})")
        default_prefix = f"{item[kind]}-" if kind == "material" else ""
        default_snippet = ":{set}-{slug}:" if kind == "material" else ""
        sources.append(Source(kind, str(item[kind]), str(item.get("prefix", default_prefix)),
                              str(item.get("snippet", default_snippet))))
    return sources


def scan_sources(sources: list[Source], base: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[list[Icon], list[str]]:
    """All icons of all sources, in source order (each source sorted by id), with the warnings
    of every skipped file (broken, hostile, over a limit); an id met twice keeps its first icon
    and names both."""
    icons, warnings, seen = [], [], {}
    for source in sources:
        found, notes = _scan(source, Path(base), limits)
        warnings += notes
        for icon in found:
            if icon.id in seen:
                warnings.append(f"skipped icon {icon.path or icon.id} ({source.describe()}): its id {icon.id!r} is "
                                f"already used by {seen[icon.id]}; give one of the sources a `prefix`")
                continue
            seen[icon.id] = f"{icon.path or icon.id} ({source.describe()})"
            icons.append(icon)
    return icons, warnings


def snippet(template: str, icon: Icon, path: str, set_name: str = "") -> str:
    name = path.rsplit("/", 1)[-1]
    values = {"id": icon.id, "path": path, "slug": path.replace("/", "-"), "name": name,
              "Name": "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_\s.]+", name)),
              "set": set_name}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def material_icons_dir() -> Path:
    """Material for MkDocs' bundled icons (``material/templates/.icons``), from the installed package."""
    import importlib.util

    spec = importlib.util.find_spec("material")
    folder = Path(next(iter(spec.submodule_search_locations))) / "templates/.icons" if spec and \
        spec.submodule_search_locations else None
    if folder is None or not folder.is_dir():
        raise IconSetError("option `icons`: `material:` sources read the icons bundled with Material for MkDocs, "
                           "which is not installed: `pip install mkdocs-material`")
    return folder


def _scan(source: Source, base: Path, limits: Limits) -> tuple[list[Icon], list[str]]:
    if source.kind == "iconify":
        return _scan_iconify(source, base / source.where, limits)
    if source.kind == "material":
        folder = material_icons_dir() / source.where
        found, notes = scan_svg_folder(folder, other_files=False, limits=limits)
        return [_finish(source, i, i.id, source.where, slug_id=True) for i in found], notes
    if _is_glob(source.where):
        return _scan_glob(source, base, limits)
    folder = base / source.where
    if not folder.is_dir():
        raise IconSetError(f"option `icons`: the folder {folder.resolve()} does not exist; create it or fix the path "
                           "(it is relative to mkdocs.yml)")
    found, notes = scan_svg_folder(folder, limits=limits)
    return [_finish(source, i, i.id) for i in found], notes


def _finish(source: Source, icon: Icon, path: str, set_name: str = "", slug_id: bool = False) -> Icon:
    # Material's ids are its shortcodes' names: fontawesome-brands-github for :fontawesome-brands-github:
    icon = replace(icon, id=source.prefix + (path.replace("/", "-") if slug_id else path))
    return replace(icon, snippet=snippet(source.snippet, icon, path, set_name)) if source.snippet else icon


def _is_glob(where: str) -> bool:
    return bool(_WILDCARD.search(where))


def _glob_root(pattern: str) -> Path:
    """The fixed folder a glob starts from: ``svg/**/*.svg`` -> ``svg/``."""
    head = _WILDCARD.split(pattern, maxsplit=1)[0]
    return Path(head[:max(head.rfind("/"), head.rfind(os.sep)) + 1] or ".")


def watched_path(source: Source, base: Path) -> Path | None:
    """What `mkdocs serve` watches for a source: its folder, a glob's fixed folder, an Iconify
    file; None for Material's sets (they change only with the package)."""
    if source.kind == "material":
        return None
    if source.kind == "path" and _is_glob(source.where):
        return _glob_root(str(base / source.where))
    return base / source.where


def _scan_glob(source: Source, base: Path, limits: Limits) -> tuple[list[Icon], list[str]]:
    """A glob's ids are paths relative to its fixed folder (:func:`_glob_root`)."""
    pattern = str(base / source.where)
    files = sorted(Path(p) for p in globlib.glob(pattern, recursive=True) if Path(p).is_file())
    if not files:
        raise IconSetError(f"option `icons`: the pattern {pattern} matches no file; fix it (it is relative to mkdocs.yml)")
    found, notes = scan_svg_files(files, _glob_root(pattern), limits=limits)
    return [_finish(source, i, i.id) for i in found], notes


def _scan_iconify(source: Source, file: Path, limits: Limits) -> tuple[list[Icon], list[str]]:
    """An Iconify JSON collection (``{"prefix", "icons": {name: {"body", "width"?, ...}}, "width"?}``,
    as in the ``@iconify-json/*`` npm packages' ``icons.json``); aliases are left out (same drawing)."""
    if not file.is_file():
        raise IconSetError(f"option `icons`: the Iconify file {file.resolve()} does not exist; "
                           "install the collection (e.g. `npm install @iconify-json/mdi`) or fix the path")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        entries = data["icons"]
        if not isinstance(entries, dict):
            raise TypeError("`icons` is not a mapping")
    except (ValueError, KeyError, TypeError) as exc:
        raise IconSetError(f"option `icons`: {file} is not an Iconify JSON collection ({exc})") from None
    icons, notes = [], []
    for name in sorted(entries):
        entry = entries[name] or {}
        if not isinstance(entry, dict) or not isinstance(entry.get("body", ""), str):
            notes.append(f"skipped icon {name!r} of {file}: not an Iconify icon (an object with a `body` string)")
            continue
        left, top = entry.get("left", data.get("left", 0)), entry.get("top", data.get("top", 0))
        width, height = entry.get("width", data.get("width", 16)), entry.get("height", data.get("height", 16))
        svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{left} {top} {width} {height}">{entry.get("body", "")}</svg>'
        try:
            icons.append(_finish(source, parse_svg(svg.encode(), name, file, limits), name))
        except ValueError as exc:
            notes.append(f"skipped icon {name!r} of {file}: {exc}")
    return icons, notes
