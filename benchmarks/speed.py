#!/usr/bin/env python
"""Speed and size of the built example_site, beside plain MkDocs and the peer model.

    .venv/bin/python benchmarks/speed.py [--runs 5] [--skip-capture]

Measures (medians of --runs): labelled samples per second out of Chromium; warm `mkdocs build`
with and without the plugin; whether a warm build imports TensorFlow or starts a browser;
model bytes; bytes a reader downloads before the first answer; search latency p50/p95
(preprocessing included) and time from page load to the first answer, ours and the peer's.
Prints a summary and writes benchmarks/results/speed.json. Build example_site first.
"""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import PEER, ROOT, SITE, launch_browser, median, percentile, save, search_images, serve
from queries import make_queries

from model_build.pipeline import read_index

PY = sys.executable


def _by_kind(sizes: dict[str, int]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for url, size in sizes.items():
        name = url.rsplit("/", 1)[-1]
        kind = ("model" if name.startswith(("model-", "weights-")) else "index" if name.startswith("index-")
                else "wasm" if name.endswith(".wasm") else "css" if name.endswith(".css") else "js")
        kinds[kind] = kinds.get(kind, 0) + size
    return kinds


def capture_rate(runs: int) -> dict:
    """Labelled samples per second of the screenshot stage on all example icons (~20,000 crops a
    run, browser start included): crops cut from screenshots, and all samples (crops plus the
    leading views of wide crops)."""
    code = """
import logging, sys, time
from pathlib import Path
from model_build.hparams import HParams
from model_build.icons import scan_svg_folder
from model_build.screenshots import capture
icons, _ = scan_svg_folder(Path(sys.argv[1]))
hp = HParams(samples_per_icon=24)
t = time.monotonic(); x, y = capture(icons, hp); dt = time.monotonic() - t
crops = -(-len(icons) * hp.samples_per_icon // hp.grid ** 2) * hp.grid ** 2
print(crops / dt, len(y) / dt)
"""
    runs_out = [subprocess.run([PY, "-c", code, str(SITE / "icons")], capture_output=True, text=True,
                               check=True, cwd=ROOT).stdout.split()[-2:] for _ in range(runs)]
    crops, samples = [float(r[0]) for r in runs_out], [float(r[1]) for r in runs_out]
    return {"crops_per_s_median": round(median(crops)), "samples_per_s_median": round(median(samples)),
            "crops_runs": [round(r) for r in crops], "samples_runs": [round(r) for r in samples]}


def warm_builds(runs: int) -> dict:
    """Wall time of `mkdocs build` on a warm cache, and of the same site without the plugin."""
    import yaml

    config = yaml.safe_load((SITE / "mkdocs.yml").read_text())
    plain = dict(config, plugins=[p for p in config["plugins"] if p != "iconsearch" and not (isinstance(p, dict) and "iconsearch" in p)],
                 nav=[n for n in config["nav"] if not any(str(k).startswith("Icons") for k in n)])
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        plain_yml = SITE / f".plain-{Path(tmp).name}.yml"
        plain_yml.write_text(yaml.safe_dump(plain))
        try:
            for name, cfg in (("with_plugin", SITE / "mkdocs.yml"), ("without_plugin", plain_yml)):
                times = []
                for _ in range(runs):
                    t = time.monotonic()
                    subprocess.run([PY, "-m", "mkdocs", "build", "-q", "-f", str(cfg), "-d", str(Path(tmp) / name)],
                                   check=True, capture_output=True, cwd=SITE)
                    times.append(time.monotonic() - t)
                out[name] = {"median_s": round(median(times), 3), "runs": [round(t, 3) for t in times]}
        finally:
            plain_yml.unlink(missing_ok=True)
    out["plugin_overhead_s"] = round(out["with_plugin"]["median_s"] - out["without_plugin"]["median_s"], 3)
    return out


def warm_imports() -> dict:
    """A warm build in-process: does it import TensorFlow or Playwright's browser driver?"""
    code = f"""
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
cfg = load_config({str(SITE / 'mkdocs.yml')!r}, site_dir={tempfile.mkdtemp()!r})
build(cfg)
print(int('tensorflow' in sys.modules), int('playwright.sync_api' in sys.modules))
"""
    tf, pw = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True, cwd=SITE).stdout.split()[-2:]
    return {"tensorflow_imported": tf == "1", "playwright_imported": pw == "1"}


def browser_side(runs: int, queries: int) -> dict:
    from playwright.sync_api import sync_playwright

    site = SITE / "site"
    icons = read_index(site / "assets/iconsearch")["icons"]
    images = [(q.data, q.mime) for q in make_queries(icons, queries, 7)]
    manifest_files = {p.name: p.stat().st_size for p in (site / "assets/iconsearch").iterdir() if p.is_file()}
    model_bytes = sum(v for k, v in manifest_files.items() if k.startswith(("model-", "weights-")))
    from accuracy import build_peer_harness

    harness = Path(tempfile.mkdtemp())
    build_peer_harness(harness)
    base, server = serve(site, {"/__peer_model/": PEER, "/__peer_js/": harness})
    out = {"model_bytes": model_bytes}
    with sync_playwright() as p:
        browser = launch_browser(p)
        ready, first, fetched, widget, parts = [], [], [], [], []
        for _ in range(runs):
            context = browser.new_context()
            page = context.new_page()
            sizes = {}
            page.on("response", lambda r, sizes=sizes: sizes.__setitem__(r.url, len(r.body()))
                    if r.ok and r.request.method == "GET" else None)
            page.goto(f"{base}/icons/")
            # From navigation start: model ready, then the first answer to a real query.
            res = page.evaluate("""async (q) => {
                await iconsearch.ready();
                const readyAt = performance.now();
                const blob = new Blob([Uint8Array.from(atob(q.b64), c => c.charCodeAt(0))], {type: q.mime});
                await iconsearch.search(blob);
                return [readyAt, performance.now()];
            }""", {"b64": base64.b64encode(images[0][0]).decode(), "mime": images[0][1]})
            ready.append(res[0])
            first.append(res[1])
            page.wait_for_timeout(200)
            fetched.append(sum(v for u, v in sizes.items() if u.startswith(base)))
            widget.append(sum(v for u, v in sizes.items() if u.startswith(f"{base}/assets/iconsearch/")))
            parts.append(_by_kind({u: v for u, v in sizes.items() if u.startswith(f"{base}/assets/iconsearch/")}))
            context.close()
        out["page_ready_ms_median"] = round(median(ready))
        out["first_answer_ms_median"] = round(median(first))
        out["bytes_before_first_answer"] = int(median(fetched))  # the theme's own files included
        out["widget_bytes_before_first_answer"] = int(median(widget))  # JS, CSS, wasm, model, index
        # The row: what the search itself needs (JS, wasm, model); the index (icon ids
        # and the grid's SVGs, shown on page load whether or not a search happens) apart.
        out["widget_bytes_by_kind"] = parts[0]
        out["search_bytes_js_wasm_model"] = sum(v for k, v in parts[0].items() if k in ("js", "wasm", "model"))
        page = browser.new_page()
        page.goto(f"{base}/icons/")
        page.evaluate("iconsearch.ready()")
        times = [a["ms"] for a in search_images(page, images)]
        out["search_ms_p50"] = round(percentile(times, 50), 2)
        out["search_ms_p95"] = round(percentile(times, 95), 2)
        out["backend"] = page.evaluate("iconsearch.backend")
        if (PEER / "model.json").exists():  # the peer, same browser, same queries
            page.add_script_tag(url=f"{base}/__peer_js/peer.js")
            t = time.monotonic()
            page.evaluate("([m, c, w]) => peer.load(m, c, w)", [f"{base}/__peer_model/model.json",
                          f"{base}/__peer_model/classes.json", f"{base}/assets/iconsearch/"])
            out["peer_load_ms"] = round(1000 * (time.monotonic() - t))
            out["peer_model_bytes"] = sum(f.stat().st_size for f in PEER.iterdir() if f.suffix in (".json", ".bin")
                                          and f.name != "classes.json")
            peer = [a["ms"] for a in search_images(page, images, api="peer")]
            out["peer_search_ms_p50"] = round(percentile(peer, 50), 2)
            out["peer_search_ms_p95"] = round(percentile(peer, 95), 2)
        browser.close()
    server.shutdown()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--skip-capture", action="store_true")
    args = ap.parse_args()
    if not (SITE / "site/assets/iconsearch").exists():
        sys.exit("build example_site first: .venv/bin/mkdocs build -f example_site/mkdocs.yml")
    result = {"runs": args.runs}
    if not args.skip_capture:
        result["capture"] = capture_rate(min(args.runs, 3))
        print("capture:", result["capture"], flush=True)
    result["warm_build"] = warm_builds(args.runs)
    print("warm build:", result["warm_build"], flush=True)
    result["warm_imports"] = warm_imports()
    print("warm imports:", result["warm_imports"], flush=True)
    result["browser"] = browser_side(args.runs, args.queries)
    print("browser:", result["browser"], flush=True)
    print(f"saved {save('speed', result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
