"""Shared helpers for the benchmark scripts: serving a built site, Chromium, JSON results."""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SITE = ROOT / "example_site"
RESULTS = ROOT / "benchmarks" / "results"
PEER = ROOT.parent / "shared" / "anchors" / "antd-icon-classifier"

from model_build.localweb import search_images, serve  # noqa: E402,F401 - the one server and search snippet


def launch_browser(playwright):
    from model_build.browser import launch

    return launch(playwright)


@contextlib.contextmanager
def widget_page(site: Path, page_path: str):
    """``(page, backend)``: the built ``site`` served locally, its widget's page open in headless
    Chromium with the model loaded; everything is shut down on leaving."""
    from playwright.sync_api import sync_playwright

    base, server = serve(site)
    try:
        with sync_playwright() as p:
            browser = launch_browser(p)
            page = browser.new_page()
            page.goto(f"{base}/{page_path}")
            page.evaluate("iconsearch.ready()")
            yield page, page.evaluate("iconsearch.backend")
            browser.close()
    finally:
        server.shutdown()


def timed_build(config: Path, cwd: Path, stages: dict[str, str]) -> tuple[dict, str]:
    """``mkdocs build -f config`` in a child process: ``({"wall_s", stage: seconds or None}, log)``,
    each stage's seconds read from the log by its pattern; a failed build stops the benchmark."""
    import re
    import subprocess
    import time

    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(config)],
                          capture_output=True, text=True, cwd=cwd)
    wall = time.monotonic() - start
    if proc.returncode:
        sys.exit(f"mkdocs build failed:\n{proc.stderr[-3000:]}")
    run = {"wall_s": round(wall, 1)}
    for name, pattern in stages.items():
        found = re.search(pattern, proc.stderr)
        run[name] = float(found.group(1)) if found else None
    return run, proc.stderr


def save(name: str, data: dict) -> Path:
    """Writes the result with the machine it was measured on: the same 2-core machine kind has
    come as CPUs of different speeds (AVX-512 or not), and timings only compare on one."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({**data, "machine": machine()}, indent=1))
    return path


def machine() -> dict:
    """The CPU (model, family/model numbers, vector extensions) and cores, from /proc/cpuinfo."""
    info: dict = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = (part.strip() for part in line.partition(":"))
            if key in ("model name", "cpu family", "model", "flags") and key not in info:
                info[key] = value
    flags = set(info.pop("flags", "").split())
    return {**info, "simd": sorted(flags & {"avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile"}),
            "cores": os.cpu_count()}


def median(values):
    return statistics.median(values) if values else None


def percentile(values, q: float) -> float:
    """The ``q``-th percentile, interpolated linearly between the two nearest samples (numpy's
    default): every benchmark's p50/p95 means the same thing."""
    s = sorted(values)
    at = q / 100 * (len(s) - 1)
    lo = int(at)
    return s[lo] + (s[min(lo + 1, len(s) - 1)] - s[lo]) * (at - lo)


def spread(values) -> dict:
    """``{"n", "p50", "p95", "max"}`` of timings in ms, rounded to 0.01."""
    return {"n": len(values), "p50": round(percentile(values, 50), 2), "p95": round(percentile(values, 95), 2),
            "max": round(max(values), 2)}
