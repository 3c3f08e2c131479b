"""What the plugin puts into pages and the built site."""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
import shutil
from pathlib import Path

MARKER = "<!-- iconsearch -->"
# The marker counts on a line of its own only: pages that mention it (in `code`) keep it as text.
MARKER_LINE = re.compile(r"^[ \t]*<!-- iconsearch -->[ \t]*$", re.M)
SITE_DIR = "assets/iconsearch"  # inside site_dir


@dataclasses.dataclass(frozen=True)
class Snippets:
    """The icons' snippets in files of ``chunk`` (the drawings' files' size, so that the widget
    fetches an icon's snippet with its drawing): file k lists the snippets of the index's icons
    k*chunk up to (k+1)*chunk, "" where an icon has none. ``pattern`` names them, ``*`` for k;
    it carries a content hash like the model's files."""
    pattern: str
    files: tuple[tuple[str, bytes], ...]


def snippet_files(icons, ids: list[str], chunk: int) -> Snippets | None:
    """The snippets of ``icons`` in the order of the model's index (``ids``), or None when no
    source has a snippet template."""
    of = {i.id: i.snippet for i in icons if i.snippet}
    if not of:
        return None
    lists = [[of.get(id_, "") for id_ in ids[start:start + chunk]] for start in range(0, len(ids), chunk)]
    data = [json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode() for part in lists]
    digest = hashlib.sha256(b"\0".join(data)).hexdigest()[:10]
    return Snippets(f"snippets-{digest}-*.json",
                    tuple((f"snippets-{digest}-{k}.json", part) for k, part in enumerate(data)))


def widget_html(base_url: str, manifest: dict, snippets: Snippets | None = None,
                language: str = "en") -> str:
    """The container the widget mounts into; ``base_url`` is relative to the page."""
    attrs = {"data-base": base_url, **model_attributes(manifest, snippets), "data-lang": language}
    return (f'<div class="iconsearch" data-iconsearch {_attributes(attrs)}>'
            '<noscript>The icon search needs JavaScript.</noscript></div>')


def model_attributes(manifest: dict, snippets: Snippets | None = None) -> dict[str, str]:
    """The model's files, for the widget's container and the pages' ``<meta name="iconsearch">``."""
    attrs = {"data-model": manifest["model"], "data-index": manifest["index"]}
    if snippets:
        attrs["data-snippets"] = snippets.pattern
    return attrs


def _attributes(attrs: dict[str, str]) -> str:
    return " ".join(f'{k}="{html.escape(v)}"' for k, v in attrs.items())


def head_tags(base_url: str, manifest: dict, snippets: Snippets | None = None) -> str:
    """The widget's CSS and script, and where the model is: ``window.iconsearch`` works on any
    page that has these (the files sit beside the script)."""
    return (f'<link rel="stylesheet" href="{html.escape(base_url)}iconsearch.css">'
            f'<meta name="iconsearch" {_attributes(model_attributes(manifest, snippets))}>'
            f'<script type="module" src="{html.escape(base_url)}iconsearch.js"></script>')


def generated_page(title: str = "Icons") -> str:
    return f"# {title}\n\nFind an icon from a screenshot, or browse them all.\n\n{MARKER}\n"


def copy_site_files(bundle_dir: Path, model_dir: Path, manifest: dict, site_dir: Path,
                    snippets: Snippets | None = None) -> Path:
    """The widget bundle (JS, CSS, wasm), this model's files (the index, neighbours and drawings too) and the snippets, into
    ``site_dir/assets/iconsearch``."""
    dest = Path(site_dir) / SITE_DIR
    shutil.copytree(bundle_dir, dest, dirs_exist_ok=True)
    for name in (manifest["model"], manifest["weights"], manifest["index"], *manifest.get("svgs", []),
                 *filter(None, [manifest.get(k) for k in ("similar", "sketch_model", "sketch_weights")])):
        shutil.copy2(model_dir / name, dest / name)
    for name, data in snippets.files if snippets else ():
        (dest / name).write_bytes(data)
    return dest
