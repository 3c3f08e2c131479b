"""Every icon drawn once in Chromium before the sample sheets, to skip those that would spoil
the build: an icon that draws no visible pixel (a class the model can't tell from any other
blank crop), or one that takes longer than ``limit_draw_seconds`` to draw (drawn ~100 times on
the sheets, it would stall them). Icons are drawn 256 to a sheet; a sheet that fails or is
slow is split until the icons responsible are found (``screenshots.find_culprits``)."""

from __future__ import annotations

import io
import logging
import time

import numpy as np

from . import LOGGER_NAME
from .icons import Icon
from .limits import DEFAULT_LIMITS, Limits
from .sample_page import Cell, render_cells, render_page

log = logging.getLogger(LOGGER_NAME)

GRID, CELL, SIZE, MARGIN = 16, 48, 40, 4
INK = 200  # a pixel darker than this (of 255, black on white) is ink


def describe(icon: Icon) -> str:
    """How a warning names an icon: its file, or its name in its collection (Iconify)."""
    if icon.path is not None and icon.path.suffix.lower() == ".svg":
        return str(icon.path)
    return f"{icon.id!r}" + (f" of {icon.path}" if icon.path is not None else "")


def skipped(icon: Icon, why: str) -> dict:
    return {"id": icon.id, "icon": describe(icon), "why": why}


def warning(entry: dict) -> str:
    return f"skipped icon {entry['icon']}: {entry['why']}"


def check_icons(icons: list[Icon], limits: Limits = DEFAULT_LIMITS,
                browser_path: str | None = None) -> tuple[list[Icon], list[dict]]:
    """``(kept, skipped)``: the icons that draw visible pixels in time, and one entry
    (``{"id", "icon", "why"}``) per icon left out, each also logged as a warning."""
    from concurrent.futures import ThreadPoolExecutor

    if not icons:
        return [], []
    start = time.monotonic()
    # A thread of its own keeps Playwright's sync API out of a caller's event loop.
    with ThreadPoolExecutor(1) as thread:
        ink, slow = thread.submit(_draw_all, icons, limits, browser_path).result()
    out = []
    for n, icon in enumerate(icons):
        if n in slow:
            why = (f"drawing it once took {slow[n]}, over the limit of {limits.draw_seconds:g} s; it would stall "
                   f"the sample sheets (it is drawn ~100 times); simplify it, or raise the option "
                   f"{Limits.option('draw_seconds')}")
        elif not ink[n]:
            removed = f"; the sanitizer removed {icon.removed}" if icon.removed else ""
            why = f"it draws no visible pixel at {SIZE} px, black on white{removed}"
        else:
            continue
        out.append(skipped(icon, why))
        log.warning("iconsearch: %s", warning(out[-1]))
    gone = {e["id"] for e in out}
    log.info("iconsearch: drew each of the %d icons once to check them in %.1f s%s", len(icons),
             time.monotonic() - start, f": {len(out)} skipped" if out else "")
    return [i for i in icons if i.id not in gone], out


def _draw_all(icons: list[Icon], limits: Limits, browser_path: str | None):
    """(ink per icon, {icon index: how long it took, for those too slow})."""
    from playwright.sync_api import sync_playwright

    from .screenshots import Failed, Chromium, find_culprits

    ink = np.zeros(len(icons), bool)
    slow: dict[int, str] = {}
    timeout_s = limits.draw_seconds + 5  # past the limit, how long does not matter: the group is split
    with sync_playwright() as playwright:
        chromium = Chromium(playwright, browser_path, {1: (GRID * CELL, render_page(icons, GRID, CELL, []))})

        def fails(group: list[int]) -> bool:
            cells = [Cell(i, SIZE, MARGIN, MARGIN, "#000000", "#ffffff", "#808080") for i in group]
            began = time.monotonic()
            try:
                png = chromium.attempt(render_cells(cells), 1, timeout_s)
            except Failed as exc:
                if len(group) == 1:
                    slow[group[0]] = f"over {timeout_s:g} s" if exc.hung else f"longer than Chromium could ({exc})"
                return True
            took = time.monotonic() - began
            if took > limits.draw_seconds:
                if len(group) == 1:
                    slow[group[0]] = f"{took:.1f} s"
                return True
            ink[group] = _inked(png, len(group))
            return False

        try:
            chromium.start()
            for at in range(0, len(icons), GRID * GRID):
                batch = list(range(at, min(at + GRID * GRID, len(icons))))
                if fails(batch):
                    find_culprits(batch, fails)
        finally:
            chromium.close()
    return ink, slow


def _inked(png: bytes, count: int) -> np.ndarray:
    """Whether each of the first ``count`` cells of a check sheet holds a dark pixel."""
    from PIL import Image

    shot = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    cells = shot.reshape(GRID, CELL, GRID, CELL).swapaxes(1, 2).reshape(GRID * GRID, CELL, CELL)
    return cells[:count].min(axis=(1, 2)) < INK
