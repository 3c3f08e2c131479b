"""Cold `mkdocs build` of example_site: the whole build with an empty iconsearch cache, timed,
with each stage's time read from the build log and the validation figures from the cache.

    .venv/bin/python benchmarks/cold_build.py [--runs 1]

Each run deletes example_site's iconsearch cache first (that is what cold means) and leaves a
fresh one and a built site behind, which `benchmarks/accuracy.py` then measures. The figures
are written to benchmarks/results/cold_build.json.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil

from _common import ROOT, SITE, median, save, timed_build

CACHE = SITE / ".cache" / "plugin" / "iconsearch"
STAGES = {
    "screenshots_s": r"screenshots: [\d,]+ crops in ([\d.]+) s",
    "backbone_features_s": r"backbone features: [\d,]+ samples in ([\d.]+) s",
    "training_s": r"training done in ([\d.]+) s",
}


def one_run() -> dict:
    shutil.rmtree(CACHE, ignore_errors=True)
    run, log = timed_build(SITE / "mkdocs.yml", ROOT, STAGES)
    samples = re.search(r"samples: ([\d,]+) \(([\d,]+) crops", log)
    if samples and run["screenshots_s"]:
        run["samples"] = int(samples.group(1).replace(",", ""))
        run["samples_per_s"] = round(run["samples"] / run["screenshots_s"])
    manifests = sorted(CACHE.glob("models/*/build.json"))
    if manifests:
        built = json.loads(manifests[-1].read_text())
        run.update(val_top1=round(built["val_accuracy"], 4), val_top5=round(built["val_top5"], 4),
                   model_bytes=built["model_bytes"])
    return run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    runs = []
    for n in range(args.runs):
        runs.append(one_run())
        print(f"run {n + 1}/{args.runs}:", runs[-1], flush=True)
    result = {"runs": runs, "wall_s_median": median([r["wall_s"] for r in runs]),
              "target_s": 300}
    print("cold build:", {k: v for k, v in result.items() if k != "runs"})
    print("saved", save("cold_build", result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
