"""What the plugin puts into pages and the built site."""

from __future__ import annotations

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


def snippets_json(icons) -> tuple[str, bytes] | None:
    """``(file name, bytes)`` of the icons' snippets ({id: snippet}), or None when no source has
    a snippet template; the name carries a content hash like the model's files."""
    snippets = {i.id: i.snippet for i in icons if i.snippet}
    if not snippets:
        return None
    data = json.dumps(snippets, separators=(",", ":"), ensure_ascii=False).encode()
    return f"snippets-{hashlib.sha256(data).hexdigest()[:10]}.json", data


def widget_html(base_url: str, manifest: dict, snippets: tuple[str, bytes] | None = None,
                language: str = "en") -> str:
    """The container the widget mounts into; ``base_url`` is relative to the page."""
    attrs = {"data-base": base_url, **model_attributes(manifest, snippets), "data-lang": language}
    return (f'<div class="iconsearch" data-iconsearch {_attributes(attrs)}>'
            '<noscript>The icon search needs JavaScript.</noscript></div>')


def model_attributes(manifest: dict, snippets: tuple[str, bytes] | None = None) -> dict[str, str]:
    """The model's files, for the widget's container and the pages' ``<meta name="iconsearch">``."""
    attrs = {"data-model": manifest["model"], "data-index": manifest["index"]}
    if snippets:
        attrs["data-snippets"] = snippets[0]
    return attrs


def _attributes(attrs: dict[str, str]) -> str:
    return " ".join(f'{k}="{html.escape(v)}"' for k, v in attrs.items())


def head_tags(base_url: str, manifest: dict, snippets: tuple[str, bytes] | None = None) -> str:
    """The widget's CSS and script, and where the model is: ``window.iconsearch`` works on any
    page that has these (the files sit beside the script)."""
    return (f'<link rel="stylesheet" href="{html.escape(base_url)}iconsearch.css">'
            f'<meta name="iconsearch" {_attributes(model_attributes(manifest, snippets))}>'
            f'<script type="module" src="{html.escape(base_url)}iconsearch.js"></script>')


def generated_page(title: str = "Icons") -> str:
    return f"# {title}\n\nFind an icon from a screenshot, or browse them all.\n\n{MARKER}\n"


def copy_site_files(bundle_dir: Path, model_dir: Path, manifest: dict, site_dir: Path,
                    snippets: tuple[str, bytes] | None = None) -> Path:
    """The widget bundle (JS, CSS, wasm), this model's files (the index, neighbours and drawings too) and the snippets, into
    ``site_dir/assets/iconsearch``."""
    dest = Path(site_dir) / SITE_DIR
    shutil.copytree(bundle_dir, dest, dirs_exist_ok=True)
    for name in (manifest["model"], manifest["weights"], manifest["index"], *manifest.get("svgs", []),
                 *filter(None, [manifest.get(k) for k in ("similar", "sketch_model", "sketch_weights")])):
        shutil.copy2(model_dir / name, dest / name)
    if snippets:
        (dest / snippets[0]).write_bytes(snippets[1])
    return dest
