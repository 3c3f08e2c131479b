"""Screenshots of the sample page in headless Chromium, cut into labelled, preprocessed samples."""

from __future__ import annotations

import base64
import io
import logging
from dataclasses import replace

import numpy as np

from . import LOGGER_NAME
from .hparams import HParams
from .icons import Icon, sketch_sources
from .preprocess import preprocess_batch
from .progress import Progress
from .sample_page import INSET, Cell, layout, render_cells, render_page, sheet_labels

log = logging.getLogger(LOGGER_NAME)

HIDPI_SHARE = 0.3


def cell_css_px(hp: HParams, dpr: int) -> int:
    """A cell's side in CSS pixels. Hi-dpi sheets use smaller cells: their pixels cost 4x, and
    what they add, finer strokes on small icons, needs no room for large ones."""
    return hp.hidpi_cell_px if dpr == 2 else hp.cell_px


def sheet_draws(seed: int, k: int) -> tuple[int, np.random.Generator]:
    """Sheet k's device pixel ratio, and the generator its degradation draws from next."""
    rng = np.random.default_rng([seed, 4, k])
    return (2 if rng.random() < HIDPI_SHARE else 1), rng


def degrade(img, rng: np.random.Generator):
    """What happens to screenshots on their way to a reader's clipboard, one draw per sheet:
    rescaling (zoomed or shrunk UIs), blur, another renderer's gamma (stroke weight and
    anti-aliasing: CoreGraphics and Cairo blend edges differently from Skia), PNG palette
    quantization, JPEG compression; most sheets stay clean."""
    from PIL import Image, ImageFilter

    roll = rng.random()
    if roll < 0.2:  # rescaled down and up again: soft, blocky small icons
        f = rng.uniform(0.45, 0.9)
        small = img.resize((max(1, int(img.width * f)), max(1, int(img.height * f))), Image.BILINEAR)
        img = small.resize(img.size, Image.BICUBIC if rng.random() < 0.5 else Image.BILINEAR)
    elif roll < 0.3:
        img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.4, 1.0))))
    if rng.random() < 0.2:  # heavier or lighter edges: a tone curve on every channel
        gamma = float(rng.uniform(0.6, 1.6))
        img = img.point([round(255 * (v / 255) ** gamma) for v in range(256)] * 3)
    if rng.random() < 0.5:  # chat apps and bug trackers recompress what readers paste
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=int(rng.integers(25, 71)))
        img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    elif rng.random() < 0.2:  # screenshot tools that save 8-bit PNGs
        colours = int(rng.choice([16, 32, 64, 128]))
        img = img.quantize(colours, Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).convert("RGB")
    return img


def _screenshot(cdp, side: int, dpr: int) -> bytes:
    # Straight to the DevTools protocol: the same lossless PNG as page.screenshot, but encoded
    # for speed (fast zlib level) rather than size; it is decoded at once and thrown away.
    shot = cdp.send("Page.captureScreenshot", {
        "format": "png", "optimizeForSpeed": True, "fromSurface": True,
        "clip": {"x": 0, "y": 0, "width": side, "height": side, "scale": dpr}})
    return base64.b64decode(shot["data"])


SHEET_TIMEOUT_S = 60.0  # a sheet takes ~0.2 s; a hung Chromium is killed after this
RETRIES = 3  # relaunches in a row before giving up
# Chromiums drawing side by side: with one, ~27 % of two cores idled between a sheet's layout,
# its screenshot and its transfer.
BROWSERS = 2


class Chromium:
    """Headless Chromium with one page per device pixel ratio, each on its own page markup
    (the sample page at 1x and 2x: hi-dpi screenshots draw finer strokes). It is killed and
    relaunched when it crashes or hangs. ``pages``: dpr -> (side in CSS pixels, page markup)."""

    def __init__(self, playwright, browser_path, pages: dict[int, tuple[int, str]]):
        self.playwright, self.browser_path, self.page_specs = playwright, browser_path, pages
        self.browser = self.pid = None

    def start(self) -> None:
        from .browser import launch_tagged

        self.browser, self.pid = launch_tagged(self.playwright, self.browser_path)
        self.pages, self.cdp = {}, {}
        for dpr, (side, html) in self.page_specs.items():
            page = self.browser.new_page(viewport={"width": side, "height": side}, device_scale_factor=dpr)
            page.set_content(html)
            self.pages[dpr], self.cdp[dpr] = page, page.context.new_cdp_session(page)

    def shoot(self, cells: str, dpr: int) -> bytes:
        self.pages[dpr].evaluate("h => { document.getElementById('grid').innerHTML = h; }", cells)
        return _screenshot(self.cdp[dpr], self.page_specs[dpr][0], dpr)

    def kill(self) -> None:
        from .browser import kill_tree

        kill_tree(self.pid)

    def close(self) -> None:
        if self.browser is None:
            return
        try:
            self.browser.close()
        except Exception:  # noqa: BLE001 - already dead
            pass
        self.kill()  # a crashed browser can leave children behind
        self.browser = None

    def attempt(self, cells: str, dpr: int, timeout_s: float) -> bytes:
        """One screenshot, or ``Failed`` when Chromium crashes or gives no answer in
        ``timeout_s`` (it is then killed and closed; the next attempt relaunches it)."""
        import threading

        if self.browser is None:
            self.start()
        hung = threading.Event()

        def watchdog():
            hung.set()
            self.kill()

        timer = threading.Timer(timeout_s, watchdog)
        timer.daemon = True
        timer.start()
        try:
            return self.shoot(cells, dpr)
        except Exception as exc:  # noqa: BLE001 - Playwright's errors for a dead target vary
            self.close()
            if hung.is_set():
                raise Failed(f"did not answer within {timeout_s:g} s", hung=True) from None
            raise Failed(f"crashed ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
        finally:
            timer.cancel()


class Failed(Exception):
    """One attempt at a screenshot failed: Chromium crashed, or hung (``hung``)."""

    def __init__(self, what: str, hung: bool = False):
        super().__init__(what)
        self.hung = hung


class IconsTooCostly(Exception):
    """These icons (indexes) alone made Chromium hang on a sample sheet: skip them, draw again."""

    def __init__(self, indexes: list[int], why: str):
        super().__init__(why)
        self.indexes, self.why = indexes, why


def find_culprits(items: list[int], fails, ways: int = 16) -> list[int]:
    """The items that fail alone, given that all of them together failed: ``fails(group)``
    tries a group; groups that fail are split ``ways`` ways, down to single items. One culprit
    among 256 costs two failing tries (a group of 16, then itself), where halving costs eight."""
    if len(items) == 1:
        return list(items)
    size = -(-len(items) // ways)
    culprits = []
    for at in range(0, len(items), size):
        group = items[at:at + size]
        if fails(group):
            culprits += find_culprits(group, fails, ways)
    return culprits


def _without(cells: list[Cell], keep: set[int]) -> list[Cell]:
    """The same cells with every icon outside ``keep`` drawing nothing (``#i-1`` names no symbol)."""
    return [replace(c, icon=c.icon if c.icon in keep else -1,
                    extras=tuple(e if e["kind"] != "icon" or e["icon"] in keep else {**e, "icon": -1} for e in c.extras))
            for c in cells]


def _shoot_with_retries(chromium: Chromium, k: int, sheet: tuple[list[Cell], str], dpr: int, timeout_s: float,
                        on_sheet) -> bytes:
    """One sheet's screenshot; a crash or a hang relaunches Chromium and draws the same sheet
    again, up to RETRIES times in a row. After a hang, the sheet's icons are drawn in groups
    first: one that hangs alone is an icon too costly to draw (``IconsTooCostly``), not a
    broken browser."""
    from .browser import BrowserFailed

    errors, hunted = [], False
    cells, markup = sheet
    for attempt in range(RETRIES + 1):
        if on_sheet:
            if chromium.browser is None:
                chromium.start()
            on_sheet(k, chromium.pid)
        try:
            return chromium.attempt(markup, dpr, timeout_s)
        except Failed as exc:
            errors.append(str(exc))
            if exc.hung and not hunted:
                hunted = True
                _hunt_costly_icons(chromium, k, cells, dpr, timeout_s)
            if attempt < RETRIES:
                log.warning("Chromium %s on sample sheet %d; restarting it (retry %d of %d)",
                            exc, k + 1, attempt + 1, RETRIES)
    raise BrowserFailed(
        f"Chromium failed {RETRIES + 1} times in a row on sample sheet {k + 1} ({'; '.join(errors)})"
        + (", and no icon of the sheet hung it alone" if hunted else "") + ". Check that the machine has free "
        "memory and that the browser starts (`chromium --headless --no-sandbox --dump-dom about:blank`), or point "
        "`browser_path` at another Chromium or Chrome; screenshots already taken are not kept, the next build "
        "starts them again")


def _hunt_costly_icons(chromium: Chromium, k: int, cells: list[Cell], dpr: int, timeout_s: float) -> None:
    icons = sorted({c.icon for c in cells} | {e["icon"] for c in cells for e in c.extras if e["kind"] == "icon"})
    log.warning("Chromium did not answer within %g s on sample sheet %d; drawing its %d icons in groups to find "
                "one too costly to draw", timeout_s, k + 1, len(icons))

    def fails(group: list[int]) -> bool:
        try:
            chromium.attempt(render_cells(_without(cells, set(group))), dpr, timeout_s)
            return False
        except Failed:
            return True

    culprits = find_culprits(icons, fails)
    if culprits:
        raise IconsTooCostly(culprits, f"drawing it alone on a sample sheet took over {timeout_s:g} s (Chromium "
                                       "hung); simplify the icon (fewer path points, no heavy filters)")


def capture(icons: list[Icon], hp: HParams, browser_path: str | None = None, *,
            timeout_s: float = SHEET_TIMEOUT_S, on_sheet=None, browsers: int = BROWSERS) -> tuple[np.ndarray, np.ndarray]:
    """Returns ``x`` (N x S x S uint8 ink maps) and ``y`` (N int32 labels, indexes into ``icons``):
    every crop's whole view, and the leading view of wide crops (preprocess.py, step 7).

    Work overlaps three ways: ``browsers`` Chromiums draw and encode sheets side by side (one
    thread each: Playwright's sync API, its own driver), a thread makes the next sheets' markup,
    and another decodes, degrades and cuts finished screenshots (PIL and numpy release the GIL).
    A sheet is seeded by its number: whichever browser draws it, and even after a crash, it gives
    the same samples. ``on_sheet(k, browser_pid)`` is called before each attempt at sheet k
    (tests inject faults there).
    """
    import threading
    from concurrent.futures import ThreadPoolExecutor

    per_sheet = hp.grid * hp.grid
    sheets = sheet_labels(len(icons), hp.shots(len(icons)), per_sheet, hp.seed, hp.sketches_per_icon,
                          sketch_sources(icons))
    total = len(sheets) * per_sheet
    xs: list[np.ndarray] = [None] * len(sheets)  # per sheet: its crops' views, then the leading views
    ys: list[np.ndarray] = [None] * len(sheets)
    progress = Progress(log, "screenshots", total, " crops")
    lock = threading.Lock()
    state = {"next": 0, "cut": 0}
    stop = threading.Event()
    in_flight = threading.BoundedSemaphore(2 * browsers)  # screenshots waiting to be cut (memory)
    draws = [sheet_draws(hp.seed, k) for k in range(len(sheets))]  # (dpr, rng): the layout needs the dpr first
    # Rendered once: every browser's page for that pixel ratio loads it.
    pages = {dpr: (hp.grid * cell_css_px(hp, dpr), render_page(icons, hp.grid, cell_css_px(hp, dpr), []))
             for dpr in (1, 2)}

    def cut(k: int, png: bytes, dpr: int, rng: np.random.Generator) -> None:
        from PIL import Image

        try:
            img = Image.open(io.BytesIO(png))
            img = img if img.mode == "RGB" else img.convert("RGB")  # (converting RGB copies it)
            shot = np.asarray(degrade(img, rng))
            cell, inset = cell_css_px(hp, dpr) * dpr, INSET * dpr
            crops = shot.reshape(hp.grid, cell, hp.grid, cell, 3).swapaxes(1, 2)[:, :, inset:cell - inset, inset:cell - inset]
            whole, leads, wide = preprocess_batch(crops.reshape(per_sheet, *crops.shape[2:]), hp.image_size)
            xs[k] = np.round(np.concatenate([whole, leads]) * 255).astype(np.uint8)
            ys[k] = np.concatenate([sheets[k], sheets[k][wide]]).astype(np.int32)
            with lock:
                state["cut"] += 1
                progress.update(state["cut"] * per_sheet)
        finally:
            in_flight.release()

    with ThreadPoolExecutor(1) as layouts, ThreadPoolExecutor(1) as cutter:
        def markup_of(k: int):
            def make():
                cells = layout(sheets[k], cell_css_px(hp, draws[k][0]), hp.seed, k, len(icons))
                return cells, render_cells(cells)

            return layouts.submit(make)

        lookahead = 2 * browsers
        markup = {k: markup_of(k) for k in range(min(lookahead, len(sheets)))}
        cuts = []

        def draw_sheets() -> None:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                chromium = Chromium(playwright, browser_path, pages)
                try:
                    while not stop.is_set():
                        with lock:
                            k = state["next"]
                            if k >= len(sheets):
                                return
                            state["next"] += 1
                            cells_future = markup.pop(k)
                            if k + lookahead < len(sheets):
                                markup[k + lookahead] = markup_of(k + lookahead)
                        dpr, rng = draws[k]
                        png = _shoot_with_retries(chromium, k, cells_future.result(), dpr, timeout_s, on_sheet)
                        in_flight.acquire()
                        cuts.append(cutter.submit(cut, k, png, dpr, rng))
                except BaseException:
                    stop.set()  # the other browsers stop too; the error reaches the caller
                    raise
                finally:
                    chromium.close()

        # Threads of our own also keep Playwright's sync API out of a caller's event loop
        # (Jupyter, async code), where it refuses to start.
        n = max(1, min(browsers, len(sheets)))
        with ThreadPoolExecutor(n) as drawers:
            try:
                for done in [drawers.submit(draw_sheets) for _ in range(n)]:
                    done.result()
            except BaseException:  # Ctrl-C here, or a browser that gave up: the others stop too
                stop.set()
                raise
        for done in cuts:
            done.result()
    progress.finish()
    x, y = np.concatenate(xs), np.concatenate(ys)
    log.info("samples: %s (%s crops, and %s leading views of wide crops)", f"{len(x):,}", f"{total:,}",
             f"{len(x) - total:,}")
    return x, y
