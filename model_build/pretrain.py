"""Pretrain the backbone that ships in the package, on many public icon sets from npm.

Run once by maintainers (``scripts/pretrain``), reproducibly: the icon sets are pinned npm
packages (``pretrain/package.json`` and its lock), the choice of icons and every sample are
seeded. Ant Design is never among them: it is the benchmark's icon set, and the backbone must
work for icon sets it has never seen.

The same sample page, screenshots and preprocessing as a site's build; a classifier over
thousands of icons, trained from scratch; its trunk and embedding layer are kept.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from . import LOGGER_NAME
from .backbone import save
from .hparams import HParams
from .icons import Icon, scan_svg_folder, twin_groups
from .network import Arch
from .preprocess import PREPROCESS_VERSION
from .store import ModelStore, samples_record

log = logging.getLogger(LOGGER_NAME)

PRETRAIN_HPARAMS = HParams(samples_per_icon=24, sketches_per_icon=0, epochs=12, backbone="none", validation_fraction=0.05,
                           learning_rate=3e-3)
DEFAULT_ICONS = 10000


def load_sets(sets_file: Path, node_modules: Path) -> tuple[list[Icon], list[dict]]:
    """Every icon of every set, ids prefixed with the set's name; and what was read (versions)."""
    spec = json.loads(sets_file.read_text())
    icons, used = [], []
    for s in spec["sets"]:
        package_dir = node_modules / s["package"]
        if not package_dir.is_dir():
            raise FileNotFoundError(f"{package_dir} is missing: run `npm ci` in {sets_file.parent}")
        version = json.loads((package_dir / "package.json").read_text())["version"]
        found, warnings = scan_svg_folder(package_dir / s["folder"])
        icons += [replace(i, id=f"{s['name']}/{i.id}") for i in found]
        used.append({"name": s["name"], "package": f"{s['package']}@{version}", "icons": len(found),
                     "skipped": len(warnings)})
        log.info("pretraining set %s (%s@%s): %d icons, %d skipped", s["name"], s["package"], version,
                 len(found), len(warnings))
    return icons, used


def choose(icons: list[Icon], count: int, seed: int) -> list[Icon]:
    """``count`` distinct drawings at random (seeded), in id order."""
    distinct = [icons[g[0]] for g in twin_groups(icons)]
    rng = np.random.default_rng([seed, 11])
    picked = rng.choice(len(distinct), size=min(count, len(distinct)), replace=False)
    return sorted((distinct[i] for i in picked), key=lambda i: i.id)


def pretrain(sets_file: Path, node_modules: Path, out_dir: Path, count: int = DEFAULT_ICONS,
             hp: HParams = PRETRAIN_HPARAMS, browser_path: str | None = None,
             cache_dir: Path = Path(".cache/pretrain")) -> dict:
    """The screenshots are kept in ``cache_dir`` (a model store): a second run with the same
    icons and sampling options trains again without a browser."""
    from .train import train

    start = time.monotonic()
    everything, sets = load_sets(sets_file, node_modules)
    icons = choose(everything, count, hp.seed)
    log.info("pretraining on %d of %d icons", len(icons), len(everything))
    samples = ModelStore(cache_dir).samples(icons, hp, browser_path)
    result = train(*samples, len(icons), hp)
    arch = Arch(image_size=hp.image_size)
    meta = {
        "sets": sets, "icons": len(icons), "samples": result.samples, "hparams": hp.to_dict(),
        "samples_code": samples_record(icons, hp)["code"], "preprocess": PREPROCESS_VERSION,
        "val_accuracy": round(result.val_accuracy, 4), "val_top5": round(result.val_top5, 4),
        "seconds": round(time.monotonic() - start),
    }
    save(out_dir, arch, result.model.get_layer("trunk").get_weights(),
         result.model.get_layer("head").get_layer("embedding").get_weights(), meta)
    log.info("backbone saved in %s: validation top-1 %.2f%% over %d icons", out_dir,
             100 * result.val_accuracy, len(icons))
    return meta
