#!/usr/bin/env python
"""Exact top-1/top-5 of a built site's search on screenshots made the way real UIs show icons.

    .venv/bin/python benchmarks/realworld.py [--site example_site/site] [--count 60] [--seeds 1 2 3]
                                             [--save-queries DIR]
    .venv/bin/python benchmarks/realworld.py --unseen     # builds a site on eva-icons first

Queries come from benchmarks/scenes.py (written from Ant Design's, VS Code's, GitHub's and
Material for MkDocs' real colours; resvg, Cairo and a heavy-gamma rasterizer; never Chromium,
never the plugin's training pages), ``--count`` per variant x scenario for each seed, a fresh
set per seed. They go through the built page's ``window.iconsearch.search`` in headless
Chromium; a hit is the expected id or one of its twins. Prints the table and writes
benchmarks/results/realworld-<name>.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

from _common import RESULTS, ROOT, median, save, search_images, widget_page
from accuracy import ids_of
from scenes import SCENARIOS, make_queries

from model_build.pipeline import read_index

# The second icon set, tuned for by nobody: npm eva-icons (pinned in package.json), 2 variants.
UNSEEN_PACKAGE = "eva-icons"
UNSEEN_SOURCES = [("fill/", "fill/svg"), ("outline/", "outline/svg")]
UNSEEN_SITE = RESULTS / "unseen-site"


# ---------------------------------------------------------------------------- the icons

class _AnyTagLoader(yaml.SafeLoader):
    """Reads mkdocs.yml files that use !ENV, !relative or Python tags (their values are unused here)."""


_AnyTagLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def _icon_sources(config_file: Path) -> list:
    from model_build.sources import parse_sources

    config = yaml.load(config_file.read_text(), Loader=_AnyTagLoader) or {}
    for plugin in config.get("plugins") or []:
        if isinstance(plugin, dict) and "iconsearch" in plugin:
            return parse_sources((plugin["iconsearch"] or {}).get("icons"))
    return []


def original_svgs(config: Path, icons: list[dict]) -> tuple[list[tuple[str, str, str]], int]:
    """(id, variant, svg) per icon, and how many came from files: the source file named by
    ``config`` (the site's mkdocs.yml) where it is a plain folder source (its colours as published:
    antd's #333/#E6E6E6), else the index's sanitized svg (which keeps those fills too). The
    variant is the id's top folder (antd: outlined/filled/twotone)."""
    folders = [(s.prefix, config.parent / s.where) for s in (_icon_sources(config) if config.exists() else [])
               if s.kind == "path" and not any(c in s.where for c in "*?[")]
    out, from_files = [], 0
    for icon in icons:
        svg = icon["svg"]
        for prefix, folder in folders:
            file = folder / (icon["id"][len(prefix):] + ".svg")
            if icon["id"].startswith(prefix) and file.is_file():
                svg, from_files = file.read_text(), from_files + 1
                break
        out.append((icon["id"], icon["id"].split("/")[0] if "/" in icon["id"] else "-", svg))
    return out, from_files


def build_unseen_site() -> Path:
    """A small site with the plugin on eva-icons (mkdocs build; the plugin caches the model)."""
    package = ROOT / "node_modules" / UNSEEN_PACKAGE
    if not package.is_dir():
        sys.exit(f"{package} is missing: run scripts/setup (npm ci installs {UNSEEN_PACKAGE})")
    built = build_site(UNSEEN_SITE, UNSEEN_PACKAGE,
                       [{"path": str(package / folder), "prefix": prefix} for prefix, folder in UNSEEN_SOURCES])
    print(f"built {built['site']} in {built['wall_s']:.0f} s", flush=True)
    return built["site"]


def build_site(folder: Path, title: str, icons: list, options: dict | None = None) -> dict:
    """A small site in ``folder`` with the plugin on ``icons`` (the option's value, and any other
    plugin ``options``), built by
    ``mkdocs build`` in a child process: the built site, the wall time, the child's peak RSS
    (Linux: the largest process it waited for, as /usr/bin/time reports) and its log."""
    folder.joinpath("docs").mkdir(parents=True, exist_ok=True)
    folder.joinpath("docs/index.md").write_text(f"# {title}\n")
    config = {"site_name": title, "theme": {"name": "mkdocs", "highlightjs": False},
              "plugins": ["search", {"iconsearch": {"icons": icons, **(options or {})}}]}
    folder.joinpath("mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    t = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(folder / "mkdocs.yml")],
                          capture_output=True, text=True)
    wall = time.monotonic() - t
    if proc.returncode:
        sys.exit(f"mkdocs build of {folder} failed:\n{proc.stderr[-3000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"site": folder / "site", "wall_s": round(wall, 1), "peak_rss_mb": round(peak), "log": proc.stderr}


def package_version(name: str) -> str:
    return json.loads((ROOT / "node_modules" / name / "package.json").read_text())["version"]


# ---------------------------------------------------------------------------- scoring

def name_of(icon_id: str) -> str:
    """The icon's name without its variant: twotone/home -> home, outline/home-outline -> home."""
    variant, _, rest = icon_id.partition("/")
    return rest.removesuffix(f"-{variant}") if rest else icon_id


def tally(queries, answers) -> dict:
    """Counts [n, exact top-1, exact top-5, name top-1, queries with same-pixel siblings] by
    (variant, scenario), by renderer and "all"; exact counts a sibling drawn to the same pixels in
    that scene (scenes.same_pixels); name top-1 also counts the same icon in another variant
    (twotone/home -> filled/home)."""
    counts = defaultdict(lambda: [0, 0, 0, 0, 0])
    for q, a in zip(queries, answers):
        got = [ids_of(r) for r in a["results"]]
        right = {q.icon_id, *q.same_pixels}
        hits = (1, bool(got) and bool(right & got[0]), any(right & g for g in got[:5]),
                bool(got) and name_of(q.icon_id) in {name_of(i) for i in got[0]}, bool(q.same_pixels))
        for key in ((q.variant, q.scenario), (q.variant, "all"), ("all", q.scenario), ("all", "all"),
                    ("renderer", q.renderer)):
            c = counts["|".join(key)]
            c[:] = [x + h for x, h in zip(c, hits)]
    return dict(counts)


def pct(hits: int, n: int) -> float:
    return round(100 * hits / n, 2) if n else 0.0


def summarize(per_seed: dict[int, dict]) -> dict:
    """Pooled top-1/top-5 per key over the seeds, with each seed's top-1 and its spread."""
    keys = sorted({k for counts in per_seed.values() for k in counts})
    out = {}
    for key in keys:
        seeds = [per_seed[s][key] for s in per_seed if key in per_seed[s]]
        n, t1, t5, name1, same = (sum(c[i] for c in seeds) for i in range(5))
        each = [pct(c[1], c[0]) for c in seeds]
        out[key] = {"n": n, "n_per_seed": seeds[0][0], "top1": pct(t1, n), "top5": pct(t5, n),
                    "name_top1": pct(name1, n), "same_pixels": same, "top1_per_seed": each,
                    "top1_min": min(each), "top1_max": max(each),
                    "top1_stdev": round(statistics.stdev(each), 2) if len(each) > 1 else 0.0}
    return out


def print_table(summary: dict, variants: list[str], seeds: list[int]) -> None:
    print(f"\ntop-1 %: exact / name (any variant of the icon), (queries per seed); pooled over seeds {seeds}; "
          "last column: exact top-1 min-max over seeds")
    cols = [*variants, "all"]
    print(f"{'scenario':<13}" + "".join(f"{v:>21}" for v in cols) + f"{'seed spread':>14}")
    for scenario in (*SCENARIOS, "all"):
        if f"all|{scenario}" not in summary:
            continue
        cells = [summary.get(f"{v}|{scenario}") for v in cols]
        line = "".join(f"{c['top1']:>6.1f} /{c['name_top1']:>6.1f} ({c['n_per_seed']:>4})" if c else f"{'-':>21}"
                       for c in cells)
        a = summary[f"all|{scenario}"]
        print(f"{scenario:<13}{line}{a['top1_min']:>8.1f}-{a['top1_max']:.1f}")
    total = summary["all|all"]
    print(f"\noverall: exact top-1 {total['top1']:.2f} %, top-5 {total['top5']:.2f} %, name top-1 "
          f"{total['name_top1']:.2f} % on {total['n']} queries; exact top-1 per seed {total['top1_per_seed']} "
          f"(stdev {total['top1_stdev']})")
    print("by rasterizer (exact top-1): " + ", ".join(f"{k.split('|')[1]} {v['top1']:.1f} % (n {v['n']})"
                                                     for k, v in summary.items() if k.startswith("renderer|")))
    same = {k: v["same_pixels"] for k, v in summary.items() if v["same_pixels"] and "all" not in k}
    if same:
        print("queries whose icon draws the same pixels as another variant of it in that scene (either "
              "counts as exact): " + ", ".join(f"{k} {n}" for k, n in sorted(same.items())))


# ---------------------------------------------------------------------------- main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", type=Path, default=ROOT / "example_site/site",
                    help="a built site (ignored with --unseen)")
    ap.add_argument("--config", type=Path, help="the site's mkdocs.yml, for its icon files (default: beside --site)")
    ap.add_argument("--unseen", action="store_true", help=f"build a site on {UNSEEN_PACKAGE} and benchmark it")
    ap.add_argument("--page", default="icons/", help="the page with the widget")
    ap.add_argument("--count", type=int, default=60, help="queries per variant x scenario, per seed")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=list(SCENARIOS))
    ap.add_argument("--name", help="results name (default: the site's folder, or unseen-<package>)")
    ap.add_argument("--save-queries", type=Path, help="also write the query images here, to look at")
    args = ap.parse_args()
    site = build_unseen_site() if args.unseen else args.site.resolve()
    name = args.name or (f"unseen-{UNSEEN_PACKAGE}" if args.unseen else site.parent.name)
    index_file = next((site / "assets/iconsearch").glob("index-*.json"), None)
    if index_file is None:
        sys.exit(f"{site} has no iconsearch model: build the site first")
    config = site.parent / "mkdocs.yml" if args.unseen or not args.config else args.config
    icons, from_files = original_svgs(config, read_index(index_file.parent, index_file.name)["icons"])
    variants = sorted({v for _, v, _ in icons})
    print(f"{len(icons)} icons ({from_files} read from their source files), variants {variants}; "
          f"{args.count} queries per variant x scenario x seed", flush=True)

    per_seed, ms, backend = search_queries(site, args.page, icons, args.count, args.seeds, args.scenarios,
                                           args.save_queries)

    summary = summarize(per_seed)
    model = next((site / "assets/iconsearch").glob("model-*.json"), None)
    result = {"site": str(site), "name": name, "index": index_file.name, "model": model and model.name,
              "icons": len(icons), "icons_from_files": from_files, "variants": variants, "seeds": args.seeds,
              "per_cell_per_seed": args.count, "backend": backend, "search_ms_median": round(median(ms), 2),
              "overall": summary["all|all"], "table": summary}
    if args.unseen:
        result["icon_set"] = {"package": UNSEEN_PACKAGE, "version": package_version(UNSEEN_PACKAGE)}
    print_table(summary, variants, args.seeds)
    print(f"search median {result['search_ms_median']} ms on {backend}")
    print(f"saved {save(f'realworld-{name}', result)}")
    return 0


def search_queries(site: Path, page_path: str, icons, count: int, seeds, scenarios, save_to: Path | None = None):
    """Make ``count`` queries per variant x scenario for each seed, search them through the built
    page in headless Chromium: ``(tally per seed, each search's ms, the TF.js backend)``."""
    per_seed, ms = {}, []
    with widget_page(site, page_path) as (page, backend):
        for seed in seeds:
            t = time.monotonic()
            queries = make_queries(icons, count, seed, scenarios, name_of)
            made = time.monotonic() - t
            answers = search_images(page, [(q.data, q.mime) for q in queries])
            per_seed[seed] = tally(queries, answers)
            ms += [a["ms"] for a in answers]
            n, top1 = per_seed[seed]["all|all"][:2]
            print(f"seed {seed}: {len(queries)} queries made in {made:.0f} s, searched in "
                  f"{time.monotonic() - t - made:.0f} s; top-1 {pct(top1, n)} %", flush=True)
            if save_to:
                save_queries(save_to / f"seed-{seed}", queries, answers)
    return per_seed, ms, backend


def save_queries(folder: Path, queries, answers) -> None:
    """Each query image, named scenario-variant-n-renderer-icon[-MISS-top1]."""
    folder.mkdir(parents=True, exist_ok=True)
    for n, (q, a) in enumerate(zip(queries, answers)):
        top = a["results"][0]["id"] if a["results"] else "none"
        hit = a["results"] and {q.icon_id, *q.same_pixels} & ids_of(a["results"][0])
        miss = "" if hit else f"-MISS-{top.replace('/', '_')}"
        ext = "jpg" if q.mime == "image/jpeg" else "png"
        stem = f"{q.scenario}-{q.variant}-{n:05d}-{q.renderer}-{q.icon_id.replace('/', '_')}{miss}"
        (folder / f"{stem}.{ext}").write_bytes(q.data)


if __name__ == "__main__":
    sys.exit(main())
