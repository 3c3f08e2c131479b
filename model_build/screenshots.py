"""Screenshots of the sample page in headless Chromium, cut into labelled, preprocessed samples."""

from __future__ import annotations

import base64
import io
import logging

import numpy as np

from . import LOGGER_NAME
from .hparams import HParams
from .icons import Icon
from .preprocess import preprocess_batch
from .progress import Progress
from .sample_page import INSET, layout, render_cells, render_page, sheet_labels

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
    rescaling (zoomed or shrunk UIs), blur, JPEG compression; most sheets stay clean."""
    from PIL import Image, ImageFilter

    roll = rng.random()
    if roll < 0.2:  # rescaled down and up again: soft, blocky small icons
        f = rng.uniform(0.45, 0.9)
        small = img.resize((max(1, int(img.width * f)), max(1, int(img.height * f))), Image.BILINEAR)
        img = small.resize(img.size, Image.BICUBIC if rng.random() < 0.5 else Image.BILINEAR)
    elif roll < 0.3:
        img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.4, 1.0))))
    if rng.random() < 0.5:  # chat apps and bug trackers recompress what readers paste
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=int(rng.integers(25, 71)))
        img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
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


class _Chromium:
    """Headless Chromium with two pages on the sample page, 1x and 2x device pixels (hi-dpi
    screenshots draw finer strokes). It is killed and relaunched when it crashes or hangs.
    ``page_html``: the page for each device pixel ratio."""

    def __init__(self, playwright, browser_path, page_html: dict[int, str], hp: HParams):
        self.playwright, self.browser_path, self.page_html = playwright, browser_path, page_html
        self.side = {dpr: hp.grid * cell_css_px(hp, dpr) for dpr in (1, 2)}
        self.browser = self.pid = None

    def start(self) -> None:
        from .browser import launch_tagged

        self.browser, self.pid = launch_tagged(self.playwright, self.browser_path)
        self.pages, self.cdp = {}, {}
        for dpr in (1, 2):
            side = self.side[dpr]
            page = self.browser.new_page(viewport={"width": side, "height": side}, device_scale_factor=dpr)
            page.set_content(self.page_html[dpr])
            self.pages[dpr], self.cdp[dpr] = page, page.context.new_cdp_session(page)

    def shoot(self, cells: str, dpr: int) -> bytes:
        self.pages[dpr].evaluate("h => { document.getElementById('grid').innerHTML = h; }", cells)
        return _screenshot(self.cdp[dpr], self.side[dpr], dpr)

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


def _shoot_with_retries(chromium: _Chromium, k: int, cells: str, dpr: int, timeout_s: float, on_sheet) -> bytes:
    """One sheet's screenshot; a crash or a hang (no answer in ``timeout_s``) relaunches
    Chromium and draws the same sheet again, up to RETRIES times in a row."""
    import threading

    from .browser import BrowserFailed

    errors = []
    for attempt in range(RETRIES + 1):
        if chromium.browser is None:
            chromium.start()
        if on_sheet:
            on_sheet(k, chromium.pid)
        hung = threading.Event()

        def watchdog():
            hung.set()
            chromium.kill()

        timer = threading.Timer(timeout_s, watchdog)
        timer.daemon = True
        timer.start()
        try:
            return chromium.shoot(cells, dpr)
        except Exception as exc:  # noqa: BLE001 - Playwright's errors for a dead target vary
            what = f"did not answer within {timeout_s:g} s" if hung.is_set() else f"crashed ({str(exc).splitlines()[0]})"
            errors.append(what)
            chromium.close()
            if attempt < RETRIES:
                log.warning("Chromium %s on sample sheet %d; restarting it (retry %d of %d)",
                            what, k + 1, attempt + 1, RETRIES)
        finally:
            timer.cancel()
    raise BrowserFailed(
        f"Chromium failed {RETRIES + 1} times in a row on sample sheet {k + 1} ({'; '.join(errors)}). "
        "Check that the machine has free memory and that the browser starts "
        "(`chromium --headless --no-sandbox --dump-dom about:blank`), or point `browser_path` at another "
        "Chromium or Chrome; screenshots already taken are not kept, the next build starts them again")


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
    sheets = sheet_labels(len(icons), hp.samples_per_icon, per_sheet, hp.seed)
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
    page_html = {dpr: render_page(icons, hp.grid, cell_css_px(hp, dpr), []) for dpr in (1, 2)}

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
            return layouts.submit(lambda: render_cells(layout(sheets[k], cell_css_px(hp, draws[k][0]), hp.seed, k, len(icons))))

        lookahead = 2 * browsers
        markup = {k: markup_of(k) for k in range(min(lookahead, len(sheets)))}
        cuts = []

        def draw_sheets() -> None:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                chromium = _Chromium(playwright, browser_path, page_html, hp)
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
