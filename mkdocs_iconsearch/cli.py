"""``mkdocs-iconsearch``: the plugin's model, without building the site.

    mkdocs-iconsearch build [-f mkdocs.yml]          train (or find) the model in the cache: for CI
    mkdocs-iconsearch evaluate SHOTS [-f mkdocs.yml] search each screenshot in SHOTS with it
    mkdocs-iconsearch confusions [-f mkdocs.yml]     the icon pairs its validation confused most
    mkdocs-iconsearch duplicates [-f mkdocs.yml] [--threshold 0.9] [--json]
                                                     identical icons and near-duplicates

``evaluate`` expects files named by the icon they show: ``SHOTS/outlined/home.png``, or
``SHOTS/outlined/home--2.png`` for more than one (the part after ``--`` is ignored). It runs the
site's own widget in headless Chromium, as a reader would, and prints top-1/top-5 as JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from pathlib import Path

from model_build import LOGGER_NAME
from model_build.lookalikes import text as lookalike_text

from .plugin import EXPECTED
from .site_model import lookalikes, site_model

log = logging.getLogger(LOGGER_NAME)
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp", ".bmp": "image/bmp", ".svg": "image/svg+xml"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mkdocs-iconsearch", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    commands = {
        "build": sub.add_parser("build", help="train the model into the cache, or find it there (for CI caches)"),
        "evaluate": sub.add_parser("evaluate", help="search a folder of screenshots named by icon id; top-1/top-5"),
        "confusions": sub.add_parser("confusions", help="the icon pairs most confused in validation"),
        "duplicates": sub.add_parser("duplicates", help="icons that draw the same pixels, and near-duplicates"),
    }
    for command in commands.values():
        command.add_argument("-f", "--config-file", default="mkdocs.yml", help="the site's mkdocs.yml")
    commands["evaluate"].add_argument("shots", type=Path, help="folder of screenshots: <icon id>[--n].png")
    commands["evaluate"].add_argument("--top", type=int, default=5, help="matches asked for per screenshot")
    commands["duplicates"].add_argument("--threshold", type=float, default=None,
                                        help="similarity from which two icons count as near-duplicates (0-1; "
                                             "default: the site's lookalikes_threshold, 0.9)")
    commands["duplicates"].add_argument("--json", action="store_true", help="print JSON instead of lines")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s -  %(message)s")
    from mkdocs.exceptions import MkDocsException

    try:
        config, site = _model(args.config_file)
        if args.command == "build":
            print(json.dumps({"cache_entry": str(site.model.folder), **site.model.manifest}, indent=1))
        elif args.command == "confusions":
            _print_confusions(site.model)
        elif args.command == "duplicates":
            found = lookalikes(site.model, config.lookalikes_threshold if args.threshold is None else args.threshold)
            print(json.dumps(found, indent=1) if args.json else lookalike_text(found))
        else:
            result = evaluate(site, args.shots, args.top, config.browser_path)
            print(json.dumps(result, indent=1))
    except (MkDocsException, FileNotFoundError, ValueError, *EXPECTED) as exc:  # EXPECTED has OptionError
        log.error("%s", exc)
        return 1
    return 0


def _model(config_file: str):
    """The site's iconsearch options and its model, built or found in the cache."""
    from mkdocs.config import load_config

    config = load_config(config_file)
    plugin = config.plugins.get("iconsearch")
    if plugin is None:
        raise ValueError(f"{config_file} has no iconsearch plugin: add `- iconsearch` under `plugins`")
    if not plugin.config.enabled:
        raise ValueError(f"the iconsearch plugin is disabled in {config_file} (`enabled: false`)")
    root = Path(config.config_file_path).resolve().parent
    return plugin.config, site_model(plugin.config, root)


def _print_confusions(model) -> None:
    pairs = json.loads((model.folder / "confusions.json").read_text())
    val = model.manifest.get("val_accuracy")
    print(f"validation top-1 {100 * val:.2f}% over {model.manifest['icons']} icons" if val is not None else "")
    if not pairs:
        print("no icon was confused with another in validation")
    for pair in pairs:
        print(f"{pair['count']:4d}  {pair['true']}  ->  {pair['predicted']}")


def shots_of(folder: Path) -> list[tuple[Path, str]]:
    """(file, expected id) for every image under ``folder``."""
    if not folder.is_dir():
        raise FileNotFoundError(f"the screenshots folder {folder} does not exist")
    shots = []
    for file in sorted(folder.rglob("*")):
        if file.is_file() and file.suffix.lower() in IMAGE_TYPES:
            expected = file.relative_to(folder).with_suffix("").as_posix().split("--", 1)[0]
            shots.append((file, expected))
    if not shots:
        raise ValueError(f"no images in {folder}: name them by icon id, e.g. outlined/home.png")
    return shots


def evaluate(site, folder: Path, top: int = 5, browser_path: str | None = None) -> dict:
    """Each screenshot through the site's widget in headless Chromium; top-1/top-5 and the misses."""
    from playwright.sync_api import sync_playwright

    from model_build.browser import launch
    from model_build.localweb import search_images, serve
    from model_build.pipeline import index_ids
    from model_build.resources import widget_bundle_dir

    from .injection import SITE_DIR, copy_site_files, head_tags, widget_html

    shots = shots_of(folder)
    model = site.model
    known = set(index_ids(json.loads((model.folder / model.manifest["index"]).read_text())))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        copy_site_files(widget_bundle_dir(), model.folder, model.manifest, root, site.snippets)
        base_url = f"{SITE_DIR}/"
        head = head_tags(base_url, model.manifest, site.snippets)
        body = widget_html(base_url, model.manifest, site.snippets)
        (root / "index.html").write_text(f"<!doctype html><html><head>{head}</head><body>{body}</body></html>")
        origin, server = serve(root)
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright, browser_path)
                page = browser.new_page()
                page.goto(f"{origin}/index.html")
                page.evaluate("iconsearch.ready()")
                images = [(file.read_bytes(), IMAGE_TYPES[file.suffix.lower()]) for file, _ in shots]
                answers = [[m["id"] for m in a["results"]] if "error" not in a else {"error": a["error"]}
                           for a in search_images(page, images, top, strict=False)]
                browser.close()
        finally:
            server.shutdown()
    return score(shots, answers, known, folder)


def score(shots, answers, known: set[str], folder: Path) -> dict:
    rows, top1, top5 = [], 0, 0
    for (file, expected), answer in zip(shots, answers):
        ids = answer if isinstance(answer, list) else []
        top1 += bool(ids[:1] == [expected])
        top5 += expected in ids[:5]
        if ids[:1] != [expected]:
            rows.append({"file": str(file.relative_to(folder)), "expected": expected, "got": ids[:5] or answer,
                         **({"note": "no icon has this id"} if expected not in known else {})})
    n = len(shots)
    return {"screenshots": n, "top1": round(top1 / n, 4), "top5": round(top5 / n, 4), "misses": rows}


if __name__ == "__main__":
    sys.exit(main())
