#!/usr/bin/env python
"""Name-level top-1/top-5 of a built site's search by sketch, on doodles of its icons.

    .venv/bin/python benchmarks/sketch.py [--site example_site/site] [--count 100] [--seeds 1 2 3]
                                          [--save-queries DIR]

Doodles come from benchmarks/doodles.py (centre lines of thin parts and outlines of solid ones,
traced from a resvg raster, hand-jittered, drawn by Pillow as a draw pad, a ballpoint or a photo
of a pencil sketch: not the plugin's Chromium training sketches), ``--count`` per style for each
seed, a fresh set per seed. They go through the built page's
``window.iconsearch.search(image, 5, {sketch: true})`` in headless Chromium. A drawing has no
variant, so a hit is by name: the doodled icon's name (``model_build.icons.family``, as the
search groups them: outlined/home -> home, eva's outline/home-outline -> home) is the result's,
or one of its twins'. Prints the table and writes
benchmarks/results/sketch-<name>.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from _common import ROOT, median, percentile, save, search_images, spread, widget_page
from accuracy import ids_of
from doodles import STYLES, make_doodles
from realworld import original_svgs

from model_build.icons import family
from model_build.pipeline import read_index


def tally(doodles, answers) -> dict:
    """[n, top-1, top-5] by style, by variant ("variant|outlined") and "all"."""
    counts = defaultdict(lambda: [0, 0, 0])
    for d, a in zip(doodles, answers):
        got = [families_of(r) for r in a["results"]]
        hits = (1, bool(got) and d.name in got[0], any(d.name in g for g in got[:5]))
        for key in (d.style, f"variant|{d.variant}", "all"):
            counts[key][:] = [x + h for x, h in zip(counts[key], hits)]
    return dict(counts)


def top1_name(answer: dict) -> str:
    if not answer["results"]:
        return "none"
    return family(answer["results"][0]["id"])


def families_of(result: dict) -> set[str]:
    """The names a match answers for: its icon's and its twins' (``icons.family``)."""
    return {family(i) for i in ids_of(result)}


def pct(hits: int, n: int) -> float:
    return round(100 * hits / n, 2) if n else 0.0


def summarize(per_seed: dict[int, dict]) -> dict:
    """Per key: each seed's top-1/top-5 %, their median and min-max."""
    out = {}
    for key in sorted({k for counts in per_seed.values() for k in counts}):
        seeds = [per_seed[s][key] for s in per_seed if key in per_seed[s]]
        top1, top5 = ([pct(c[i], c[0]) for c in seeds] for i in (1, 2))
        out[key] = {"n_per_seed": [c[0] for c in seeds], "top1_per_seed": top1, "top5_per_seed": top5,
                    "top1": median(top1), "top5": median(top5), "top1_min": min(top1), "top1_max": max(top1),
                    "top5_min": min(top5), "top5_max": max(top5)}
    return out


def print_table(summary: dict, seeds: list[int]) -> None:
    print(f"\nname-level top-1 / top-5 %, per seed {seeds}, then the median over seeds (min-max)")
    print(f"{'style':<14}" + "".join(f"{f'seed {s}':>15}" for s in seeds) + f"{'median top-1':>22}{'median top-5':>22}")
    keys = [s for s in STYLES if s in summary] + sorted(k for k in summary if k.startswith("variant|")) + ["all"]
    for key in keys:
        c = summary[key]
        cells = "".join(f"{t1:>7.1f} /{t5:>6.1f}" for t1, t5 in zip(c["top1_per_seed"], c["top5_per_seed"]))
        label = "overall" if key == "all" else key.replace("variant|", "")
        print(f"{label:<14}{cells}{c['top1']:>8.1f} ({c['top1_min']:.1f}-{c['top1_max']:.1f}){'':>4}"
              f"{c['top5']:>8.1f} ({c['top5_min']:.1f}-{c['top5_max']:.1f})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", type=Path, default=ROOT / "example_site/site", help="a built site")
    ap.add_argument("--config", type=Path, default=ROOT / "example_site/mkdocs.yml",
                    help="the site's mkdocs.yml, for its icons' source files")
    ap.add_argument("--page", default="icons/", help="the page with the widget")
    ap.add_argument("--count", type=int, default=100, help="doodles per style, per seed")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--name", help="results name (default: the site's folder)")
    ap.add_argument("--save-queries", type=Path, help="also write the doodles here, to look at")
    args = ap.parse_args()
    site = args.site.resolve()
    name = args.name or site.parent.name
    index_file = next((site / "assets/iconsearch").glob("index-*.json"), None)
    if index_file is None:
        sys.exit(f"{site} has no iconsearch model: build the site first")
    icons, from_files = original_svgs(args.config, read_index(index_file.parent, index_file.name)["icons"])
    print(f"{len(icons)} icons ({from_files} read from their source files), "
          f"{len({family(i) for i, _, _ in icons})} names; {args.count} doodles per style x seed", flush=True)

    per_seed, ms, confusions, backend, timings = search_doodles(site, args.page, icons, args.count, args.seeds,
                                                       args.save_queries)
    summary = summarize(per_seed)
    model = next((site / "assets/iconsearch").glob("model-*.json"), None)
    result = {"site": str(site), "name": name, "index": index_file.name, "model": model and model.name,
              "icons": len(icons), "icons_from_files": from_files, "seeds": args.seeds,
              "per_style_per_seed": args.count, "styles": list(STYLES), "backend": backend,
              "search_ms_p50": round(percentile([t for _, t in ms], 50), 2),
              "search_ms_p95": round(percentile([t for _, t in ms], 95), 2),
              # (a file's decoding included: photos of 300-600 px cost more than the pad's 240 px)
              "search_ms_p50_by_style": {s: round(percentile([t for st, t in ms if st == s], 50), 2)
                                         for s in STYLES if any(st == s for st, _ in ms)},
              "overall": summary["all"], "table": summary, "ui": timings,
              "confusions": [{"true": t, "top1": g, "count": n} for (t, g), n in confusions.most_common(20)]}
    print_table(summary, args.seeds)
    print(f"search p50 {result['search_ms_p50']} ms, p95 {result['search_ms_p95']} ms on {backend} (doodle files; p50 by "
          f"style: {', '.join(f'{s} {v} ms' for s, v in result['search_ms_p50_by_style'].items())})")
    print(f"a stroke's end to the matches on screen: p50 {timings['stroke_to_matches_ms']['p50']} ms, "
          f"p95 {timings['stroke_to_matches_ms']['p95']} ms; the pad's search p50 {timings['pad_search_ms']['p50']} ms; "
          f"similar: first {timings['similar_first_ms']} ms (fetches its file), then p50 "
          f"{timings['similar_ms']['p50']} ms, max {timings['similar_ms']['max']} ms")
    if confusions:
        print("most frequent confusions (true -> top-1): "
              + ", ".join(f"{t} -> {g} x{n}" for (t, g), n in confusions.most_common(10)))
    print(f"saved {save(f'sketch-{name}', result)}")
    return 0


def search_doodles(site: Path, page_path: str, icons, count: int, seeds, save_to: Path | None = None):
    """Make ``count`` doodles per style for each seed, search them with ``{sketch: true}`` through
    the built page: ``(tally per seed, each search's ms, (true, top-1) miss counts, backend)``."""
    per_seed, ms, confusions = {}, [], Counter()
    with widget_page(site, page_path) as (page, backend):
        for seed in seeds:
            t = time.monotonic()
            doodles = make_doodles(icons, count, seed)
            made = time.monotonic() - t
            answers = search_images(page, [(d.data, d.mime) for d in doodles], k=5, options={"sketch": True})
            per_seed[seed] = tally(doodles, answers)
            ms += [(d.style, a["ms"]) for d, a in zip(doodles, answers)]
            for d, a in zip(doodles, answers):
                if not (a["results"] and d.name in families_of(a["results"][0])):
                    confusions[d.name, top1_name(a)] += 1
            n, top1, top5 = per_seed[seed]["all"]
            print(f"seed {seed}: {len(doodles)} doodles made in {made:.0f} s, searched in "
                  f"{time.monotonic() - t - made:.0f} s; top-1 {pct(top1, n)} %, top-5 {pct(top5, n)} %", flush=True)
            if save_to:
                save_doodles(save_to / f"seed-{seed}", doodles, answers)
        timings = ui_timings(page, [i for i, _, _ in icons])
    return per_seed, ms, confusions, backend, timings


# The widget as a reader uses it: the time from a stroke's end (pointerup on the pad) to the
# matches on screen; a search of the pad's own canvas; "similar" for icons at random (the first
# call fetches the neighbours' file).
UI_JS = """async ({ids, strokes}) => {
    const canvas = document.querySelector('.iconsearch__canvas');
    const results = document.querySelector('.iconsearch__results');
    let up = 0;
    canvas.addEventListener('pointerup', () => { up = performance.now(); }, {capture: true});
    const r = canvas.getBoundingClientRect();
    const stroke = [], pad = [], similar = [];
    for (let n = 0; n < strokes; n++) {
        const shown = new Promise(done => new MutationObserver((_, o) => { o.disconnect(); done(performance.now()); })
            .observe(results, {childList: true}));
        const at = (t) => ({clientX: r.left + r.width * (0.5 + 0.3 * Math.cos(t)), clientY: r.top + r.height * (0.5 + 0.3 * Math.sin(t + n)),
                            pointerId: 1, pointerType: 'mouse', button: 0, bubbles: true});
        canvas.dispatchEvent(new PointerEvent('pointerdown', at(0)));
        for (let t = 0.2; t < 6.3; t += 0.2) canvas.dispatchEvent(new PointerEvent('pointermove', at(t)));
        canvas.dispatchEvent(new PointerEvent('pointerup', at(6.3)));
        stroke.push((await shown) - up);
        const t0 = performance.now();
        await iconsearch.search(canvas, 5, {sketch: true});
        pad.push(performance.now() - t0);
    }
    for (const id of ids) {
        const t0 = performance.now();
        await iconsearch.similar(id);
        similar.push(performance.now() - t0);
    }
    return {stroke, pad, similar};
}"""


def ui_timings(page, ids: list[str], strokes: int = 40, similar: int = 60) -> dict:
    rng = np.random.default_rng(7)
    picked = [ids[i] for i in rng.choice(len(ids), size=min(similar, len(ids)), replace=False)]
    got = page.evaluate(UI_JS, {"ids": picked, "strokes": strokes})

    return {"stroke_to_matches_ms": spread(got["stroke"]), "pad_search_ms": spread(got["pad"]),
            "similar_first_ms": round(got["similar"][0], 2), "similar_ms": spread(got["similar"][1:])}


def save_doodles(folder: Path, doodles, answers) -> None:
    """Each doodle image, named style-n-icon[-MISS-top1name]."""
    folder.mkdir(parents=True, exist_ok=True)
    for n, (d, a) in enumerate(zip(doodles, answers)):
        hit = a["results"] and d.name in families_of(a["results"][0])
        miss = "" if hit else f"-MISS-{top1_name(a)}"
        ext = "jpg" if d.mime == "image/jpeg" else "png"
        (folder / f"{d.style}-{n:05d}-{d.icon_id.replace('/', '_')}{miss}.{ext}").write_bytes(d.data)


if __name__ == "__main__":
    sys.exit(main())
