#!/usr/bin/env python
"""Accuracy of the built site's search on held-out screenshots, beside the peer model.

    .venv/bin/python benchmarks/accuracy.py [--site example_site/site] [--count 400] [--no-peer]

Queries come from benchmarks/queries.py (resvg + Pillow, not the training pipeline). Ours go
through the built page's ``window.iconsearch.search`` in headless Chromium, the path a reader
uses; the peer runs in the same browser with its own preprocessing. Prints a table and writes
benchmarks/results/accuracy.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from _common import PEER, ROOT, launch_browser, median, save, search_images, serve
from queries import SCENARIOS, make_queries

from model_build.pipeline import read_index


def name_of(icon_id: str) -> str:
    return icon_id.rsplit("/", 1)[-1]


def ids_of(result: dict) -> set[str]:
    return {result["id"], *result.get("twins", [])}


def names_of(result: dict) -> set[str]:
    return {name_of(i) for i in ids_of(result)}


def peer_name(name: str) -> str:
    return name.replace(" ", "-")


def build_peer_harness(out: Path) -> None:
    esbuild = ROOT / "node_modules/.bin/esbuild"
    subprocess.run([str(esbuild), str(ROOT / "benchmarks/peer_harness.js"), "--bundle", "--format=iife",
                    "--minify", f"--outfile={out / 'peer.js'}", "--log-level=error",
                    "--external:fs", "--external:path", "--external:os", "--external:worker_threads",
                    "--external:perf_hooks", "--external:crypto"], check=True)


def score(queries, answers, key, expected) -> dict:
    """``key(result)`` -> the set of answers one result stands for (icons with identical
    drawings come back as one result, with ``twins``: either id is the exact icon)."""
    per = defaultdict(lambda: [0, 0, 0])
    for q, a in zip(queries, answers):
        got = [key(r) for r in a["results"]]
        want = expected(q)
        for s in (q.scenario, "all"):
            per[s][0] += 1
            per[s][1] += bool(got) and want in got[0]
            per[s][2] += any(want in g for g in got[:5])
    return {s: {"n": n, "top1": round(100 * t1 / n, 2), "top5": round(100 * t5 / n, 2)} for s, (n, t1, t5) in per.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", type=Path, default=ROOT / "example_site/site")
    ap.add_argument("--page", default="icons/")
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--save-queries", type=Path, help="also write the query images here, to look at")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    index_file = next((args.site / "assets/iconsearch").glob("index-*.json"), None)
    if index_file is None:
        sys.exit(f"{args.site} has no iconsearch model: build it first (mkdocs build -f example_site/mkdocs.yml)")
    icons = read_index(index_file.parent, index_file.name)["icons"]
    t0 = time.monotonic()
    queries = make_queries(icons, args.count, args.seed)
    print(f"{len(queries)} queries in {time.monotonic() - t0:.1f} s over {len(SCENARIOS)} scenarios", flush=True)
    if args.save_queries:
        args.save_queries.mkdir(parents=True, exist_ok=True)
        for n, q in enumerate(queries):
            ext = "jpg" if q.mime == "image/jpeg" else "png"
            (args.save_queries / f"{n:03d}-{q.scenario}-{q.icon_id.replace('/', '_')}.{ext}").write_bytes(q.data)
    images = [(q.data, q.mime) for q in queries]

    use_peer = not args.no_peer and (PEER / "model.json").exists()
    with tempfile.TemporaryDirectory() as tmp:
        mounts = {}
        if use_peer:
            build_peer_harness(Path(tmp))
            mounts = {"/__peer_model/": PEER, "/__peer_js/": Path(tmp)}
        base, server = serve(args.site, mounts)
        result = {"site": str(args.site), "queries": len(queries), "seed": args.seed}
        with sync_playwright() as p:
            browser = launch_browser(p)
            page = browser.new_page()
            page.goto(f"{base}/{args.page}")
            t = time.monotonic()
            page.evaluate("iconsearch.ready()")
            result["ours_ready_s"] = round(time.monotonic() - t, 3)
            result["ours_backend"] = page.evaluate("iconsearch.backend")
            ours = search_images(page, images)
            result["ours"] = score(queries, ours, ids_of, lambda q: q.icon_id)
            result["ours_names"] = score(queries, ours, names_of, lambda q: name_of(q.icon_id))
            result["ours_ms_median"] = round(median([a["ms"] for a in ours]), 2)
            if use_peer:
                page.add_script_tag(url=f"{base}/__peer_js/peer.js")
                wasm = f"{base}/assets/iconsearch/"
                page.evaluate("([m, c, w]) => peer.load(m, c, w)",
                              [f"{base}/__peer_model/model.json", f"{base}/__peer_model/classes.json", wasm])
                peer = search_images(page, images, api="peer")
                peer_names = {peer_name(n) for n in json.loads((PEER / "classes.json").read_text())}
                # Name level, on the queries whose icon name the peer knows at all.
                known = [i for i, q in enumerate(queries) if name_of(q.icon_id) in peer_names]
                result["peer_known_queries"] = len(known)
                result["peer_names"] = score([queries[i] for i in known], [peer[i] for i in known],
                                             lambda r: {peer_name(r["name"])}, lambda q: name_of(q.icon_id))
                result["ours_names_on_peer_known"] = score([queries[i] for i in known], [ours[i] for i in known],
                                                           names_of, lambda q: name_of(q.icon_id))
                result["peer_ms_median"] = round(median([a["ms"] for a in peer]), 2)
            browser.close()
        server.shutdown()

    print(f"\n{'scenario':<11} {'n':>4} {'exact@1':>8} {'exact@5':>8} {'name@1':>7} {'name@5':>7}"
          + (f" | {'peer n':>6} {'peer name@1':>11} {'ours name@1':>11} {'peer name@5':>11}" if use_peer else ""))
    for s in (*SCENARIOS, "all"):
        o, nm = result["ours"].get(s), result["ours_names"].get(s)
        if not o:
            continue
        line = f"{s:<11} {o['n']:>4} {o['top1']:>8.1f} {o['top5']:>8.1f} {nm['top1']:>7.1f} {nm['top5']:>7.1f}"
        if use_peer and s in result["peer_names"]:
            pn, on = result["peer_names"][s], result["ours_names_on_peer_known"][s]
            line += f" | {pn['n']:>6} {pn['top1']:>11.1f} {on['top1']:>11.1f} {pn['top5']:>11.1f}"
        print(line)
    print(f"\nours: ready {result['ours_ready_s']} s on {result['ours_backend']}, search median "
          f"{result['ours_ms_median']} ms" + (f"; peer median {result['peer_ms_median']} ms" if use_peer else ""))
    print(f"saved {save('accuracy', result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
