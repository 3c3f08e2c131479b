"""One icon at a time on a warm example_site: each rebuild's time by stage, and whether the search
finds the icon that changed.

    .venv/bin/python benchmarks/incremental.py [--count 10] [--name NAME] [--material SITE]

Copies example_site (its mkdocs.yml without the docs' hook and nav, its icons and its iconsearch
cache: build example_site first) into benchmarks/results/incremental-site/, then runs ``mkdocs build`` there once per step,
as a user would after each edit: add eva-icons' activity (as outlined/eva-activity), add its award,
edit eva-activity into eva's shake, remove eva-award. After each build: wall time, whether the
model was re-fitted, the stages' seconds from the build's log; then ``--count`` queries per
scenario of the icon added or edited (benchmarks/scenes.py: resvg, Cairo and a heavy-gamma
rasterizer, never Chromium) through the built page: exact top-1 / top-5. The icons are from a set
the backbone never saw. The site it leaves can be benchmarked whole afterwards:
``benchmarks/realworld.py --site benchmarks/results/incremental-site/site --config benchmarks/results/incremental-site/mkdocs.yml``.
``--material SITE``: the same steps on a site that ``benchmarks/material_sets.py --name SITE``
built (Material for MkDocs' sets, its warm cache), an ``icons/outlined`` source added beside them
(into incremental-<SITE>/): a big set's one-icon rebuild. Prints and saves
benchmarks/results/incremental-<name>.json.
"""

from __future__ import annotations

import argparse
import shutil
import sys

import yaml
from _common import RESULTS, ROOT, SITE, save, search_images, timed_build, widget_page
from accuracy import ids_of
from scenes import SCENARIOS, make_queries

EVA = ROOT / "node_modules" / "eva-icons" / "outline" / "svg"
FOLDER = RESULTS / "incremental-site"
STEPS = [("add", "eva-activity", "activity-outline"), ("add", "eva-award", "award-outline"),
         ("edit", "eva-activity", "shake-outline"), ("remove", "eva-award", None)]
STAGES = {"check_s": r"drew each of the \d+ icons once to check them in ([\d.]+) s",
          "screenshots_s": r"screenshots: [\d,]+ crops in ([\d.]+) s",
          "training_s": r"training done in ([\d.]+) s"}


def copy_material_site(name: str) -> None:
    source = RESULTS / f"material-site-{name}"
    cache = source / ".cache/plugin/iconsearch"
    if not any(cache.glob("models/*/manifest.json")):
        sys.exit(f"{cache} holds no model: build it first (benchmarks/material_sets.py --name {name})")
    shutil.rmtree(FOLDER, ignore_errors=True)
    (FOLDER / "icons/outlined").mkdir(parents=True)
    shutil.copytree(cache, FOLDER / ".cache/plugin/iconsearch")
    shutil.copytree(source / "docs", FOLDER / "docs")
    shutil.copy(source / "mkdocs.yml", FOLDER / "mkdocs.yml")


def add_source(config_path) -> None:
    """The icons/outlined source, once its first icon is there (a source of no icons is an error)."""
    config = yaml.safe_load(config_path.read_text())
    options = next(p["iconsearch"] for p in config["plugins"] if isinstance(p, dict) and "iconsearch" in p)
    if not any(isinstance(s, dict) and s.get("path") == "icons/outlined" for s in options["icons"]):
        options["icons"].append({"path": "icons/outlined", "prefix": "outlined/"})
        config_path.write_text(yaml.safe_dump(config, sort_keys=False))


def copy_site() -> None:
    cache = SITE / ".cache/plugin/iconsearch"
    if not any(cache.glob("models/*/manifest.json")):
        sys.exit(f"{cache} holds no model: build example_site first (scripts/demo)")
    shutil.rmtree(FOLDER, ignore_errors=True)
    shutil.copytree(SITE / "icons", FOLDER / "icons")
    shutil.copytree(cache, FOLDER / ".cache/plugin/iconsearch")
    # The same theme and plugin options; a home page only (the docs' hook reads the repository).
    config = yaml.safe_load((SITE / "mkdocs.yml").read_text())
    for key in ("hooks", "nav"):
        config.pop(key, None)
    (FOLDER / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    (FOLDER / "docs").mkdir()
    (FOLDER / "docs/index.md").write_text("# example_site, one icon at a time\n")


def build(step: int = 0) -> dict:
    """(Each build's log is kept beside the site: build-<step>.log.)"""
    run, log = timed_build(FOLDER / "mkdocs.yml", FOLDER, STAGES)
    (FOLDER / f"build-{step}.log").write_text(log)
    return {**run, "refit": "re-fitting the last model" in log, "cached": "using the cached model" in log}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=10, help="queries per scenario of each icon added or edited")
    ap.add_argument("--name", default="example_site")
    ap.add_argument("--material", metavar="SITE", help="a material_sets.py site instead of example_site")
    args = ap.parse_args()
    global FOLDER
    if args.material:
        FOLDER = RESULTS / f"incremental-{args.material}"
    if not EVA.is_dir():
        sys.exit(f"{EVA} is missing: run scripts/setup (npm ci installs eva-icons)")
    copy_material_site(args.material) if args.material else copy_site()
    first = build()  # the copy's cache: nothing to train
    print(f"warm build, nothing changed: {first['wall_s']} s (cached model: {first['cached']})", flush=True)
    steps = []
    for n, (what, name, eva) in enumerate(STEPS):
        target = FOLDER / "icons/outlined" / f"{name}.svg"
        if what == "remove":
            target.unlink()
        else:
            shutil.copy(EVA / f"{eva}.svg", target)
            if args.material:
                add_source(FOLDER / "mkdocs.yml")
        step = {"step": f"{what} outlined/{name}" + (f" ({eva})" if eva else ""), **build(n + 1)}
        if eva:
            icon_id = f"outlined/{name}"
            queries = make_queries([(icon_id, "outlined", target.read_text())], args.count, seed=100 + n)
            with widget_page(FOLDER / "site", "icons/") as (page, _):
                answers = search_images(page, [(q.data, q.mime) for q in queries])
            top1 = sum(bool(a["results"]) and icon_id in ids_of(a["results"][0]) for a in answers)
            top5 = sum(any(icon_id in ids_of(r) for r in a["results"][:5]) for a in answers)
            step.update(queries=len(queries), top1=round(100 * top1 / len(queries), 1),
                        top5=round(100 * top5 / len(queries), 1))
        steps.append(step)
        print(step, flush=True)
    result = {"name": args.name, "site": args.material or "example_site", "scenarios": list(SCENARIOS), "per_scenario": args.count,
              "warm_unchanged": first, "steps": steps}
    print(f"saved {save(f'incremental-{args.name}', result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
