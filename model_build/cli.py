"""Command line: build a model from a folder of SVGs, without MkDocs.

    iconsearch-model build --icons DIR --out DIR [--cache DIR] [--epochs N] [--samples-per-icon N] ...
    iconsearch-model pretrain [--sets pretrain/sets.json] [--out model_build/backbone]  (maintainers)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import shutil
import sys
from pathlib import Path

from . import LOGGER_NAME
from .backbone import BackboneError
from .browser import BrowserFailed, BrowserNotFound
from .hparams import BACKBONES, PRECISIONS, HParams
from .icons import IconSetError, scan_svg_folder
from .limits import Limits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="iconsearch-model", description="mkdocs-iconsearch's model pipeline")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="screenshots, training and TF.js conversion for a folder of SVGs")
    build.add_argument("--icons", type=Path, required=True, help="folder of SVG files (searched recursively)")
    build.add_argument("--out", type=Path, required=True, help="folder for the model, weights and index")
    build.add_argument("--cache", type=Path, default=Path(".cache/iconsearch-model"),
                       help="the model store: screenshots and models, reused by the next build")
    build.add_argument("--browser", help="Chromium/Chrome executable (found automatically otherwise)")
    build.add_argument("--no-incremental", dest="incremental", action="store_false",
                       help="train in full even when a cached model differs by a few icons (see ModelStore.model)")
    for f in dataclasses.fields(HParams):
        kind = int if f.default is None else type(f.default)  # epochs: None means automatic
        build.add_argument(f"--{f.name.replace('_', '-')}", type=kind, default=f.default,
                           **({"help": f"{' or '.join(BACKBONES)} or a backbone's folder"} if f.name == "backbone" else
                              {"choices": PRECISIONS} if f.name == "precision" else {}))
    for f in dataclasses.fields(Limits):  # what one icon may cost before it is skipped
        build.add_argument(f"--limit-{f.name.replace('_', '-')}", dest=f"limit_{f.name}", type=type(f.default),
                           default=f.default)
    pre = sub.add_parser("pretrain", help="pretrain the shipped backbone on the public icon sets of pretrain/")
    pre.add_argument("--sets", type=Path, default=Path("pretrain/sets.json"))
    pre.add_argument("--node-modules", type=Path, default=Path("pretrain/node_modules"))
    pre.add_argument("--out", type=Path, default=Path("model_build/backbone"))
    pre.add_argument("--icons", type=int, default=None, help="how many icons to pretrain on")
    pre.add_argument("--epochs", type=int, help="passes over the samples (default: pretrain.PRETRAIN_HPARAMS)")
    pre.add_argument("--until", type=int, help="stop after this epoch (the run goes on from there when started again)")
    pre.add_argument("--cache", type=Path, default=Path(".cache/pretrain"), help="keep (and reuse) the screenshots here")
    pre.add_argument("--resume", type=Path, default=Path("pretrain/resume"),
                     help="a run's backbone committed part way: without checkpoints, the run goes on from it")
    pre.add_argument("--browser", help="Chromium/Chrome executable (found automatically otherwise)")
    args = parser.parse_args(argv)
    if args.command == "pretrain":
        return _pretrain(args)

    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s -  %(message)s")
    log = logging.getLogger(LOGGER_NAME)
    if not args.icons.is_dir():
        log.error("--icons: the folder %s does not exist", args.icons)
        return 2
    try:
        limits = Limits(**{f.name: getattr(args, f"limit_{f.name}") for f in dataclasses.fields(Limits)})
    except ValueError as exc:
        log.error("--%s", str(exc).replace("_", "-"))
        return 2
    try:
        hp = HParams(**{f.name: getattr(args, f.name) for f in dataclasses.fields(HParams)})
    except ValueError as exc:  # "training_batch_size must be ..." -> "--batch-size must be ..."
        name, _, rest = str(exc).removeprefix("training_").partition(" ")
        log.error("--%s %s", name.replace("_", "-"), rest)
        return 2
    icons, warnings = scan_svg_folder(args.icons, limits=limits)
    for warning in warnings:
        log.warning("%s", warning)
    from .store import CacheWriteError, ModelStore

    try:
        model = ModelStore(args.cache).model(icons, hp, limits, args.browser, args.incremental)
        args.out.mkdir(parents=True, exist_ok=True)
        for name in model.manifest["files"]:
            shutil.copy2(model.folder / name, args.out / name)
    except (BrowserNotFound, BrowserFailed, IconSetError, BackboneError, CacheWriteError, OSError) as exc:
        log.error("%s", exc)
        return 1
    print(json.dumps({"cache_entry": str(model.folder.resolve()), **model.manifest}, indent=1))
    return 0


def _pretrain(args) -> int:
    from .pretrain import DEFAULT_ICONS, PRETRAIN_HPARAMS, pretrain

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-7s -  %(message)s")
    logging.getLogger("tensorflow").setLevel(logging.WARNING)  # (its INFO lines: "Sharding callback duration")
    hp = dataclasses.replace(PRETRAIN_HPARAMS, epochs=args.epochs or PRETRAIN_HPARAMS.epochs)
    meta = pretrain(args.sets, args.node_modules, args.out, args.icons or DEFAULT_ICONS, hp=hp,
                    browser_path=args.browser, cache_dir=args.cache, until=args.until,
                    resume_dir=args.resume)
    print(json.dumps(meta, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
