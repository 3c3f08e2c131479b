"""The benchmarks of record in one run, and the targets of issues 13 and 15 beside their figures:
what a new backbone (or any change to the model) is measured by before it ships.

    .venv/bin/python benchmarks/record.py --tag NAME [--only cold realworld ...] [--summary]

Runs these one after another, each as its own process (two cores: never two builds at once),
and saves their JSON in benchmarks/results/ as the scripts do:

    cold         cold_build.py --runs 3                   example_site from an empty cache
    realworld    realworld.py --name NAME                 example_site: 5,400 queries
    unseen       realworld.py --unseen --name unseen-NAME eva-icons, built with the plugin
    sketch       sketch.py --name NAME
    incremental  incremental.py --name NAME
    page         page_load.py --name NAME
    all4         material_sets.py --name all4-NAME        Material's 14,342 icons, cold
    all4page     page_load.py on that site
    fontawesome  material_sets.py --sets fontawesome --name fontawesome-NAME

then prints the targets with what the saved results say (``--summary``: that table alone, from
results saved earlier). A benchmark not run shows "-". About 45 minutes in all on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from _common import RESULTS, ROOT

PY = sys.executable


def steps(tag: str) -> dict[str, list[str]]:
    all4_site = RESULTS / f"material-site-all4-{tag}" / "site"
    return {
        "cold": ["cold_build.py", "--runs", "3"],
        "realworld": ["realworld.py", "--name", tag],
        "unseen": ["realworld.py", "--unseen", "--name", f"unseen-{tag}"],
        "sketch": ["sketch.py", "--name", tag],
        "incremental": ["incremental.py", "--name", tag],
        "page": ["page_load.py", "--name", tag],
        "all4": ["material_sets.py", "--name", f"all4-{tag}"],
        "all4page": ["page_load.py", "--site", str(all4_site), "--name", f"all4-{tag}"],
        "fontawesome": ["material_sets.py", "--sets", "fontawesome", "--name", f"fontawesome-{tag}"],
    }


def _load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _cells(result: dict) -> list[tuple[str, float]]:
    """Every variant x scenario cell's exact top-1 (not the "all" rows and columns)."""
    return [(k, c["top1"]) for k, c in result["table"].items() if "all" not in k.split("|")]


def targets(tag: str) -> list[tuple[str, str, str, object]]:
    """(issue, target, figure, met: True, False or None when not measured)."""
    cold, rw, unseen = _load("cold_build"), _load(f"realworld-{tag}"), _load(f"realworld-unseen-{tag}")
    inc, page = _load(f"incremental-{tag}"), _load(f"page_load-all4-{tag}")
    all4 = _load(f"material_sets-all4-{tag}")
    rows = []

    def row(issue, what, figure, met):
        rows.append((issue, what, figure if met is not None else "-", met))

    o = rw and rw["overall"]
    row(13, "antd exact top-1 >= 98 %", o and f"{o['top1']} %", o and o["top1"] >= 98)
    row(13, "antd top-5 >= 99.5 %", o and f"{o['top5']} %", o and o["top5"] >= 99.5)
    worst = rw and min(_cells(rw), key=lambda kv: kv[1])
    row(13, "every variant x scenario cell >= 93 %", worst and f"lowest {worst[1]} % ({worst[0]})",
        worst and worst[1] >= 93)
    u = unseen and unseen["overall"]
    row(13, "unseen set top-1 >= 97 %, top-5 >= 99.5 %", u and f"{u['top1']} / {u['top5']} %",
        u and u["top1"] >= 97 and u["top5"] >= 99.5)
    wall = cold and cold["wall_s_median"]
    row(13, "example_site cold build <= 5 min", wall and f"{wall} s (median of {len(cold['runs'])})", wall and wall <= 300)
    size = cold and cold["runs"][-1].get("model_bytes")
    row(13, "model <= 0.5 MB", size and f"{size:,} bytes", size and size <= 500_000)
    ms = rw and rw["search_ms_median"]
    row(13, "search p50 <= 3 ms (example_site)", ms and f"{ms} ms", ms and ms <= 3)
    b = all4 and all4["build"]
    row(15, "14k first build <= 15 min", b and f"{b['wall_s']} s", b and b["wall_s"] <= 900)
    row(15, "14k peak RSS <= 8 GB", b and f"{b['peak_rss_mb']:,} MB", b and b["peak_rss_mb"] <= 8192)
    a = all4 and all4["overall"]
    row(15, "14k exact top-1 >= 95 %", a and f"{a['top1']} %", a and a["top1"] >= 95)
    row(15, "14k top-5 >= 99 %", a and f"{a['top5']} %", a and a["top5"] >= 99)
    first = all4 and all4["bytes"]["first_answer"]
    row(15, "14k model + first answer <= 4 MB", first and f"{first:,} bytes", first and first <= 4_000_000)
    ms = all4 and all4["search_ms_median"]
    row(15, "14k search p50 <= 5 ms", ms and f"{ms} ms", ms and ms <= 5)
    added = page and page["added_bytes"]
    row(15, "14k page load adds <= 300 KB", added and f"{added:,} bytes", added and added <= 300_000)
    keys = page and page["filter_ms"]["max"]
    row(15, "filter <= 50 ms a keystroke (14k)", keys and f"max {keys} ms", keys and keys <= 50)
    row(15, "example_site cold build <= 60 s", wall and f"{wall} s", wall and wall <= 60)
    added_one = inc and inc["steps"][0]
    row(15, "one icon added: rebuild <= 60 s, found", added_one and f"{added_one['wall_s']} s, top-1 {added_one['top1']} %",
        added_one and added_one["wall_s"] <= 60 and added_one["top1"] == 100)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tag", required=True, help="names the results (e.g. the backbone's epoch: epoch16)")
    ap.add_argument("--only", nargs="+", choices=list(steps("x")), help="run these benchmarks only")
    ap.add_argument("--summary", action="store_true", help="run nothing: the targets from saved results")
    args = ap.parse_args()
    if not args.summary:
        for name, argv in steps(args.tag).items():
            if args.only and name not in args.only:
                continue
            print(f"== {name}: {' '.join(argv)}", flush=True)
            began = time.monotonic()
            if subprocess.run([PY, str(ROOT / "benchmarks" / argv[0]), *argv[1:]], cwd=ROOT).returncode:
                sys.exit(f"benchmarks/{argv[0]} failed: the figures after it were not measured")
            print(f"== {name}: {time.monotonic() - began:.0f} s", flush=True)
    print(f"\n| issue | target | now ({args.tag}) | met |\n|---|---|---|---|")
    for issue, what, figure, met in targets(args.tag):
        print(f"| {issue} | {what} | {figure} | {'-' if met is None else 'yes' if met else '**no**'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
