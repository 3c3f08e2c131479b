"""A built site on 127.0.0.1 and the one browser snippet that searches images with its widget.

Used by ``mkdocs-iconsearch evaluate``, the benchmarks and the tests: module scripts, fetch and
WebAssembly need http://, not file://. Nothing here reaches beyond the local machine.
"""

from __future__ import annotations

import base64
import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import unquote


class _Handler(http.server.SimpleHTTPRequestHandler):
    mounts: dict[str, Path] = {}
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm",
                      ".js": "text/javascript", ".mjs": "text/javascript"}

    def translate_path(self, path):
        for prefix, folder in self.mounts.items():
            if path.startswith(prefix):
                root = Path(folder).resolve()
                file = (root / unquote(path[len(prefix):].split("?")[0]).lstrip("/")).resolve()
                return str(file if file.is_relative_to(root) else root / "not-found")  # no way out of a mount
        return super().translate_path(path)

    def log_message(self, *args):  # the terminal shows our lines, not one per request
        pass


class _Server(http.server.ThreadingHTTPServer):
    def shutdown(self):  # and close the socket: one call stops it
        super().shutdown()
        self.server_close()


def serve(root: Path, mounts: dict[str, Path] | None = None) -> tuple[str, http.server.ThreadingHTTPServer]:
    """``(origin, server)``: ``root`` served on a free port of 127.0.0.1, plus read-only
    ``mounts`` (URL prefix -> folder); ``server.shutdown()`` stops it."""
    handler = type("Handler", (_Handler,), {"mounts": dict(mounts or {})})
    server = _Server(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


# Each image (base64 and MIME type) through ``window[api].search``: its matches and the time it
# took, or the error's message and class name (``QueryError``: a refused query).
SEARCH_JS = """async ({images, k, api, options}) => {
    const out = [];
    for (const q of images) {
        const blob = new Blob([Uint8Array.from(atob(q.b64), c => c.charCodeAt(0))], {type: q.mime});
        const t = performance.now();
        try {
            const results = await window[api].search(blob, k, options || undefined);
            out.push({ms: performance.now() - t, results});
        } catch (err) {
            out.push({ms: performance.now() - t, results: [], error: err.message, kind: err.name});
        }
    }
    return out;
}"""


def search_images(page, images: list[tuple[bytes, str]], k: int = 5, api: str = "iconsearch",
                  batch: int = 200, strict: bool = True, options: dict | None = None) -> list[dict]:
    """``images``: (bytes, MIME type) pairs, searched in the page's ``window[api]`` (the widget's
    ``iconsearch``, or a peer with the same ``search``); one ``{ms, results[, error, kind]}`` each.
    ``options``: search's third argument (``{"sketch": True}``: drawings).
    ``strict``: a search that fails raises (a benchmark must not count a broken model's quick
    failures as misses and timings), else its ``error`` is in the answer."""
    answers = []
    for start in range(0, len(images), batch):
        payload = [{"b64": base64.b64encode(data).decode(), "mime": mime} for data, mime in images[start:start + batch]]
        answers += page.evaluate(SEARCH_JS, {"images": payload, "k": k, "api": api, "options": options})
    failed = [a["error"] for a in answers if "error" in a]
    if strict and failed:
        raise RuntimeError(f"{len(failed)} of {len(answers)} searches failed; the first: {failed[0]}")
    return answers
