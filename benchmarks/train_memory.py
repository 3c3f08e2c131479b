"""Training alone, on a cached samples file: wall time and peak memory, the model's figures.

    .venv/bin/python benchmarks/train_memory.py [--samples FILE] [--finetune-epochs N] [--name NAME]

``--samples`` defaults to the newest ``*.samples`` file in example_site's iconsearch cache (a
built example_site). Each run is a fresh process (peak RSS is per process), trains as a build
does (the shipped backbone, the default options) and writes nothing to the cache. Prints and
saves benchmarks/results/train_memory-<name>.json: seconds, the process's peak RSS before and
after training (so the samples' own share shows), validation top-1/top-5.
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import time
from pathlib import Path

import numpy as np
from _common import SITE, save

from model_build.hparams import HParams
from model_build.sample_page import sketch_of
from model_build.store import load_samples


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=Path, help="a .samples file (default: example_site's newest)")
    ap.add_argument("--finetune-epochs", type=int, default=HParams().finetune_epochs)
    ap.add_argument("--name", default="example_site")
    args = ap.parse_args()
    path = args.samples or max((SITE / ".cache/plugin/iconsearch/samples").glob("*.samples"),
                               key=lambda p: p.stat().st_mtime, default=None)
    if path is None:
        sys.exit("no samples file: build example_site first (scripts/demo), or pass --samples")
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from model_build.backbone import load
    from model_build.train import train

    x, labels, _ = load_samples(path)
    icon, sketch = sketch_of(labels)  # icons are the classes here (twins not merged), sketches' names too
    y = np.where(sketch, -1, icon)
    loaded = peak_rss_mb()
    hp = HParams(finetune_epochs=args.finetune_epochs)
    start = time.monotonic()
    result = train(x, y, int(icon.max()) + 1, hp, load(), np.where(sketch, icon, -1) if sketch.any() else None)
    seconds = time.monotonic() - start
    out = {"samples_file": path.name, "samples": len(x), "classes": int(icon.max()) + 1,
           "finetune_epochs": hp.finetune_epochs, "train_s": round(seconds, 1),
           "peak_rss_after_loading_mb": round(loaded), "peak_rss_mb": round(peak_rss_mb()),
           "val_top1": round(100 * result.val_accuracy, 2), "val_top5": round(100 * result.val_top5, 2)}
    print(out)
    print(f"saved {save(f'train_memory-{args.name}', out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
