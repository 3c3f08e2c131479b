"""Screenshots of the sample page in headless Chromium, cut into labelled, preprocessed samples."""

from __future__ import annotations

import io
import logging

import numpy as np

from . import LOGGER_NAME
from .hparams import HParams
from .icons import Icon
from .preprocess import preprocess
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
    if rng.random() < 0.25:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=int(rng.integers(25, 71)))
        img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    return img


def capture(icons: list[Icon], hp: HParams, browser_path: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Returns ``x`` (N x S x S uint8 ink maps) and ``y`` (N int32 labels, indexes into ``icons``)."""
    from PIL import Image
    from playwright.sync_api import sync_playwright

    from .browser import launch

    per_sheet = hp.grid * hp.grid
    sheets = sheet_labels(len(icons), hp.samples_per_icon, per_sheet, hp.seed)
    total = len(sheets) * per_sheet
    x = np.empty((total, hp.image_size, hp.image_size), np.uint8)
    y = np.empty(total, np.int32)
    side = hp.grid * hp.cell_px
    progress = Progress(log, "screenshots", total, " samples")
    with sync_playwright() as playwright:
        browser = launch(playwright, browser_path)
        try:
            # Two pages: 1x and 2x device pixels (hi-dpi screenshots draw finer strokes).
            pages = {}
            for dpr in (1, 2):
                page = browser.new_page(viewport={"width": side, "height": side}, device_scale_factor=dpr)
                page.set_content(render_page(icons, hp.grid, hp.cell_px, []))
                pages[dpr] = page
            for k, labels in enumerate(sheets):
                rng = np.random.default_rng([hp.seed, 4, k])
                dpr = 2 if rng.random() < HIDPI_SHARE else 1
                cells = render_cells(layout(labels, hp.cell_px, hp.seed, k, len(icons)))
                pages[dpr].evaluate("h => { document.getElementById('grid').innerHTML = h; }", cells)
                png = pages[dpr].screenshot(clip={"x": 0, "y": 0, "width": side, "height": side})
                shot = np.asarray(degrade(Image.open(io.BytesIO(png)).convert("RGB"), rng))
                cell, inset = hp.cell_px * dpr, INSET * dpr
                for i, label in enumerate(labels):
                    r, c = divmod(i, hp.grid)
                    crop = shot[r * cell + inset:(r + 1) * cell - inset, c * cell + inset:(c + 1) * cell - inset]
                    n = k * per_sheet + i
                    x[n] = np.round(preprocess(crop, hp.image_size) * 255)
                    y[n] = label
                progress.update((k + 1) * per_sheet)
        finally:
            browser.close()
    progress.finish()
    return x, y
