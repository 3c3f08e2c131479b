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
    if rng.random() < 0.4:  # chat apps and bug trackers recompress what readers paste
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


def capture(icons: list[Icon], hp: HParams, browser_path: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Returns ``x`` (N x S x S uint8 ink maps) and ``y`` (N int32 labels, indexes into ``icons``):
    every crop's whole view, and the leading view of wide crops (preprocess.py, step 7).

    Two stages overlap: while Chromium draws and encodes sheet k+1 (main thread: Playwright's
    sync API), a worker thread decodes, degrades and cuts sheet k (PIL and numpy release the GIL).
    """
    from concurrent.futures import ThreadPoolExecutor

    from playwright.sync_api import sync_playwright

    from .browser import launch

    per_sheet = hp.grid * hp.grid
    sheets = sheet_labels(len(icons), hp.samples_per_icon, per_sheet, hp.seed)
    total = len(sheets) * per_sheet
    xs: list[np.ndarray] = [None] * len(sheets)  # per sheet: its crops' views, then the leading views
    ys: list[np.ndarray] = [None] * len(sheets)
    side = hp.grid * hp.cell_px
    progress = Progress(log, "screenshots", total, " crops")

    def cut(k: int, png: bytes, dpr: int, rng: np.random.Generator) -> None:
        from PIL import Image

        shot = np.asarray(degrade(Image.open(io.BytesIO(png)).convert("RGB"), rng))
        cell, inset = hp.cell_px * dpr, INSET * dpr
        crops = shot.reshape(hp.grid, cell, hp.grid, cell, 3).swapaxes(1, 2)[:, :, inset:cell - inset, inset:cell - inset]
        whole, leads, wide = preprocess_batch(crops.reshape(per_sheet, *crops.shape[2:]), hp.image_size)
        xs[k] = np.round(np.concatenate([whole, leads]) * 255).astype(np.uint8)
        ys[k] = np.concatenate([sheets[k], sheets[k][wide]]).astype(np.int32)
        progress.update((k + 1) * per_sheet)

    with sync_playwright() as playwright, ThreadPoolExecutor(1) as worker, ThreadPoolExecutor(1) as layouts:
        browser = launch(playwright, browser_path)
        try:
            # Two pages: 1x and 2x device pixels (hi-dpi screenshots draw finer strokes).
            pages, cdp = {}, {}
            for dpr in (1, 2):
                page = browser.new_page(viewport={"width": side, "height": side}, device_scale_factor=dpr)
                page.set_content(render_page(icons, hp.grid, hp.cell_px, []))
                pages[dpr], cdp[dpr] = page, page.context.new_cdp_session(page)
            pending = None
            # The next sheets' markup is made ahead, in a thread, while Chromium draws this one.
            def markup_of(k: int):
                return layouts.submit(lambda: render_cells(layout(sheets[k], hp.cell_px, hp.seed, k, len(icons))))

            markup = [markup_of(k) for k in range(min(2, len(sheets)))]
            for k in range(len(sheets)):
                rng = np.random.default_rng([hp.seed, 4, k])
                dpr = 2 if rng.random() < HIDPI_SHARE else 1
                cells = markup[k].result()
                markup[k] = None
                if k + 2 < len(sheets):
                    markup.append(markup_of(k + 2))
                pages[dpr].evaluate("h => { document.getElementById('grid').innerHTML = h; }", cells)
                png = _screenshot(cdp[dpr], side, dpr)
                if pending:
                    pending.result()
                pending = worker.submit(cut, k, png, dpr, rng)
            if pending:
                pending.result()
        finally:
            browser.close()
    progress.finish()
    x, y = np.concatenate(xs), np.concatenate(ys)
    log.info("samples: %s (%s crops, and %s leading views of wide crops)", f"{len(x):,}", f"{total:,}",
             f"{len(x) - total:,}")
    return x, y
