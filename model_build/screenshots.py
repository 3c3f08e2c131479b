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
from .sample_page import layout, render_cells, render_page, sheet_labels

log = logging.getLogger(LOGGER_NAME)


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
            page = browser.new_page(viewport={"width": side, "height": side}, device_scale_factor=1)
            page.set_content(render_page(icons, hp.grid, hp.cell_px, layout(sheets[0], hp.cell_px, hp.seed, 0)))
            for k, labels in enumerate(sheets):
                if k:
                    cells = render_cells(layout(labels, hp.cell_px, hp.seed, k))
                    page.evaluate("h => { document.getElementById('grid').innerHTML = h; }", cells)
                png = page.screenshot(clip={"x": 0, "y": 0, "width": side, "height": side})
                shot = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
                for i, label in enumerate(labels):
                    r, c = divmod(i, hp.grid)
                    crop = shot[r * hp.cell_px:(r + 1) * hp.cell_px, c * hp.cell_px:(c + 1) * hp.cell_px]
                    n = k * per_sheet + i
                    x[n] = np.round(preprocess(crop, hp.image_size) * 255)
                    y[n] = label
                progress.update((k + 1) * per_sheet)
        finally:
            browser.close()
    progress.finish()
    return x, y
