"""What the plugin puts into pages and the built site."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

MARKER = "<!-- iconsearch -->"
SITE_DIR = "assets/iconsearch"  # inside site_dir


def widget_html(base_url: str, manifest: dict) -> str:
    """The container the widget mounts into; ``base_url`` is relative to the page."""
    attrs = {"data-base": base_url, "data-model": manifest["model"], "data-index": manifest["index"]}
    data = " ".join(f'{k}="{html.escape(v)}"' for k, v in attrs.items())
    return f'<div class="iconsearch" data-iconsearch {data}><noscript>The icon search needs JavaScript.</noscript></div>'


def head_tags(base_url: str) -> str:
    return (f'<link rel="stylesheet" href="{html.escape(base_url)}iconsearch.css">'
            f'<script type="module" src="{html.escape(base_url)}iconsearch.js"></script>')


def generated_page(title: str = "Icons") -> str:
    return f"# {title}\n\nFind an icon from a screenshot, or browse them all.\n\n{MARKER}\n"


def copy_site_files(bundle_dir: Path, model_dir: Path, manifest: dict, site_dir: Path) -> Path:
    """The widget bundle (JS, CSS, wasm) and this model's files, into ``site_dir/assets/iconsearch``."""
    dest = Path(site_dir) / SITE_DIR
    shutil.copytree(bundle_dir, dest, dirs_exist_ok=True)
    for name in (manifest["model"], manifest["weights"], manifest["index"]):
        shutil.copy2(model_dir / name, dest / name)
    return dest
