"""Shared helpers for the benchmark scripts: serving a built site, Chromium, JSON results."""

from __future__ import annotations

import functools
import http.server
import json
import statistics
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SITE = ROOT / "example_site"
RESULTS = ROOT / "benchmarks" / "results"
PEER = ROOT.parent / "shared" / "anchors" / "antd-icon-classifier"


class _Handler(http.server.SimpleHTTPRequestHandler):
    mounts: dict[str, Path] = {}
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".js": "text/javascript"}

    def translate_path(self, path):
        for prefix, folder in self.mounts.items():
            if path.startswith(prefix):
                return str(folder / path[len(prefix):].split("?")[0].lstrip("/"))
        return super().translate_path(path)

    def log_message(self, *args):
        pass


def serve(root: Path, mounts: dict[str, Path] | None = None) -> tuple[str, http.server.HTTPServer]:
    """Serve ``root`` on 127.0.0.1 (plus read-only ``mounts``: URL prefix -> folder)."""
    handler = type("Handler", (_Handler,), {"mounts": dict(mounts or {})})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def launch_browser(playwright):
    from model_build.browser import launch

    return launch(playwright)


def save(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=1))
    return path


def median(values):
    return statistics.median(values) if values else None
