"""Material for MkDocs' bundled icon sets in one site: build cost by stage, memory, bytes,
latency and accuracy on screenshots made the way real UIs show icons.

    .venv/bin/python benchmarks/material_sets.py [--sets material fontawesome octicons simple]
                                                 [--count 100] [--seeds 1 2 3] [--warm]
                                                 [--option training_finetune_epochs=0] [--name NAME]

Builds a site with ``icons: [{material: <set>}, ...]`` in benchmarks/results/material-site-<sets>/
(cold: its iconsearch cache is deleted first, unless ``--warm``), reads each stage's time from the
build log and the build's peak RSS, measures the bytes the widget loads, then searches
``--count`` queries per scenario per seed (benchmarks/scenes.py: resvg, Cairo and a heavy-gamma
rasterizer, antd/VS Code/GitHub/Material colours, DPRs, palette PNGs, chat JPEGs, blur; never
Chromium) through the built page; icons that draw the same pixels count as one (the plugin's
twins). Prints and saves benchmarks/results/material_sets-<sets>.json; the build's log is kept
beside the site (material-site-<name>/build.log).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

import yaml

from _common import RESULTS, median, percentile, save
from cold_build import STAGES as COLD_BUILD_STAGES
from realworld import build_site, print_table, search_queries, summarize
from scenes import SCENARIOS

from model_build.pipeline import read_index
from model_build.sources import MATERIAL_SETS

# Stage times the build log gives: cold_build.py's, and the drawing check before them.
STAGES = {"check_s": r"drew each of the [\d,]+ icons once to check them in ([\d.]+) s", **COLD_BUILD_STAGES}


def stage_times(log: str, wall: float) -> dict:
    out = {}
    for name, pattern in STAGES.items():
        found = re.search(pattern, log)
        out[name] = float(found.group(1)) if found else None
    # Features are computed inside training's time; the rest: scanning, export, MkDocs itself.
    counted = sum(v for k, v in out.items() if v and k != "backbone_features_s")
    out["other_s"] = round(wall - counted, 1)
    return out


def widget_bytes(site: Path, index: dict, index_name: str) -> dict:
    """What the widget fetches: the model's files and the index before a first answer, the
    drawings' files as the grid shows icons."""
    folder = site / "assets/iconsearch"
    model = next(folder.glob("model-*.json"))
    weights = [folder / p for m in json.loads(model.read_text())["weightsManifest"] for p in m["paths"]]
    svgs = [folder / name for name in index["svgs"]["files"]]
    sizes = {"model_json": model.stat().st_size, "weights": sum(p.stat().st_size for p in weights),
             "index": (folder / index_name).stat().st_size, "svg_chunks": sum(p.stat().st_size for p in svgs),
             "svg_chunk_files": len(svgs)}
    sizes["first_answer"] = sizes["model_json"] + sizes["weights"] + sizes["index"]
    return sizes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="+", default=list(MATERIAL_SETS), choices=MATERIAL_SETS)
    ap.add_argument("--count", type=int, default=100, help="queries per scenario, per seed")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--warm", action="store_true", help="keep the site's iconsearch cache (default: cold)")
    ap.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                    help="a plugin option for the build, e.g. training_finetune_epochs=0 (repeatable)")
    ap.add_argument("--name", help="results name (default: the sets, joined by -)")
    args = ap.parse_args()
    options = {k: yaml.safe_load(v) for k, _, v in (o.partition("=") for o in args.option)}
    name = args.name or "-".join(args.sets)
    folder = RESULTS / f"material-site-{name}"
    if not args.warm:
        shutil.rmtree(folder / ".cache", ignore_errors=True)
    built = build_site(folder, f"Material for MkDocs icons: {', '.join(args.sets)}",
                       [{"material": s} for s in args.sets], options)
    site = built["site"]
    (folder / "build.log").write_text(built["log"])  # (every stage's lines: what a figure's time went on)
    index_name = next((site / "assets/iconsearch").glob("index-*.json")).name
    index = read_index(site / "assets/iconsearch", index_name)
    build = {"wall_s": built["wall_s"], "peak_rss_mb": built["peak_rss_mb"], **stage_times(built["log"], built["wall_s"])}
    manifest = json.loads(max((folder / ".cache/plugin/iconsearch/models").glob("*/build.json"),
                              key=lambda p: p.stat().st_mtime).read_text())
    print(f"{len(index['icons'])} icons ({len(index['classes'])} distinct drawings) built "
          f"{'warm' if args.warm else 'cold'}: {build}", flush=True)

    # Material's sets are one colour each: every icon is one "variant" here.
    icons = [(i["id"], "-", i["svg"]) for i in index["icons"]]
    per_seed, ms, backend = search_queries(site, "icons/", icons, args.count, args.seeds, list(SCENARIOS))
    summary = summarize(per_seed)
    result = {"sets": args.sets, "options": options, "icons": len(icons), "classes": len(index["classes"]),
              "cache": "warm" if args.warm else "cold", "build": build,
              "validation": {"top1": manifest["val_accuracy"], "top5": manifest["val_top5"],
                             "samples": manifest["samples"]},
              "bytes": widget_bytes(site, index, index_name), "backend": backend,
              "search_ms_median": round(median(ms), 2), "search_ms_p95": round(percentile(ms, 95), 2),
              "seeds": args.seeds, "per_cell_per_seed": args.count, "overall": summary["all|all"], "table": summary}
    print_table(summary, ["-"], args.seeds)
    print(f"bytes: {result['bytes']}; search p50 {result['search_ms_median']} ms, p95 {result['search_ms_p95']} ms "
          f"on {backend}")
    print(f"saved {save(f'material_sets-{name}', result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
