#!/usr/bin/env python
"""What the widget's page costs a reader: bytes loaded on opening it, beside a page of the same
site without the widget (the theme's own), and the grid's filter per keystroke.

    .venv/bin/python benchmarks/page_load.py [--site example_site/site] [--page icons/] [--name NAME]

In headless Chromium: every response's body size until the grid has drawn its first icons and
the network is idle (the model is fetched at that point only if the widget preloads it); what of it
is the plugin's (assets/iconsearch/), and the site's home page for the theme's own. Then the filter: a word typed one key at a time, each keystroke's
``input`` handler and the layout it causes timed in the page, several words. Prints and saves
benchmarks/results/page_load-<name>.json.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _common import ROOT, launch_browser, save, serve, spread

# Typed one key at a time: common words of icon names, and one that matches nothing.
WORDS = ["arrow", "file", "home", "user", "circle", "zzzz"]

TYPE_JS = """async (words) => {
    const filter = document.querySelector('.iconsearch__filter');
    const grid = document.querySelector('.iconsearch__grid');
    const times = [];
    for (const word of words) {
        for (let n = 1; n <= word.length; n++) {
            const t = performance.now();
            filter.value = word.slice(0, n);
            filter.dispatchEvent(new Event('input'));
            void grid.offsetHeight;  // the layout the new grid causes
            times.push(performance.now() - t);
            await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        }
        filter.value = '';
        filter.dispatchEvent(new Event('input'));
    }
    return times;
}"""


def loaded_bytes(browser, url: str, wait_for: str | None) -> dict[str, int]:
    page = browser.new_page()
    sizes: dict[str, int] = {}

    def on_response(response):
        try:
            sizes[response.url] = len(response.body())
        except Exception:  # a redirect or an aborted request has no body
            pass

    page.on("response", on_response)
    page.goto(url, wait_until="networkidle")
    if wait_for:
        page.wait_for_selector(wait_for)
        page.wait_for_load_state("networkidle")
    page.close()
    return sizes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--site", type=Path, default=ROOT / "example_site/site")
    ap.add_argument("--page", default="icons/")
    ap.add_argument("--name", default="example_site")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    base, server = serve(args.site)
    try:
        with sync_playwright() as p:
            browser = launch_browser(p)
            widget = loaded_bytes(browser, f"{base}/{args.page}", ".iconsearch__grid button")
            theme = loaded_bytes(browser, f"{base}/", None)
            page = browser.new_page()
            page.goto(f"{base}/{args.page}")
            page.wait_for_selector(".iconsearch__grid button")
            times = page.evaluate(TYPE_JS, WORDS)
            browser.close()
    finally:
        server.shutdown()
    # What the plugin adds: its files (assets/iconsearch/), wherever they are loaded.
    added = {u.replace(base, ""): n for u, n in widget.items() if "/assets/iconsearch/" in u}
    result = {
        "site": str(args.site), "page": args.page,
        "page_bytes": sum(widget.values()), "theme_page_bytes": sum(theme.values()),
        "added_bytes": sum(added.values()), "added": dict(sorted(added.items(), key=lambda kv: -kv[1])),
        "home_page_plugin_bytes": sum(n for u, n in theme.items() if "/assets/iconsearch/" in u),
        "filter_ms": spread(times),  # (n: keystrokes)
    }
    print(f"page {result['page_bytes']:,} bytes, the home page {result['theme_page_bytes']:,} (of it the plugin's "
          f"{result['home_page_plugin_bytes']:,}); the plugin's files on the widget's page: {result['added_bytes']:,} bytes:")
    for url, n in list(result["added"].items())[:8]:
        print(f"  {n:>10,}  {url}")
    print(f"filter: {result['filter_ms']}")
    print(f"saved {save(f'page_load-{args.name}', result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
