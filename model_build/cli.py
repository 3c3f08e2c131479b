"""Command line: build a model from a folder of SVGs, without MkDocs.

    iconsearch-model build --icons DIR --out DIR [--epochs N] [--samples-per-icon N] ...
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from pathlib import Path

from . import LOGGER_NAME
from .browser import BrowserNotFound
from .hparams import HParams
from .icons import IconSetError, scan_svg_folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="iconsearch-model", description="mkdocs-iconsearch's model pipeline")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="screenshots, training and TF.js conversion for a folder of SVGs")
    build.add_argument("--icons", type=Path, required=True, help="folder of SVG files (searched recursively)")
    build.add_argument("--out", type=Path, required=True, help="folder for the model, weights and index")
    build.add_argument("--browser", help="Chromium/Chrome executable (found automatically otherwise)")
    for f in dataclasses.fields(HParams):
        build.add_argument(f"--{f.name.replace('_', '-')}", type=type(f.default), default=f.default)
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s -  %(message)s")
    log = logging.getLogger(LOGGER_NAME)
    if not args.icons.is_dir():
        log.error("--icons: the folder %s does not exist", args.icons)
        return 2
    icons, warnings = scan_svg_folder(args.icons)
    for warning in warnings:
        log.warning("%s", warning)
    hp = HParams(**{f.name: getattr(args, f.name) for f in dataclasses.fields(HParams)})
    from .pipeline import build_model

    try:
        manifest = build_model(icons, hp, args.out, browser_path=args.browser)
    except (BrowserNotFound, IconSetError) as exc:
        log.error("%s", exc)
        return 1
    print(json.dumps(manifest, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
