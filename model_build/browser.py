"""Find and launch headless Chromium.

Order: the ``browser_path`` option, Playwright's own browser, then a system Chromium or Chrome.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
# /usr/lib/chromium/chromium is Debian's binary without the wrapper script (which warns).
SYSTEM_BROWSERS = [
    "/usr/lib/chromium/chromium", "chromium", "chromium-browser", "google-chrome",
    "google-chrome-stable", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
]
HOW_TO_INSTALL = (
    "install one with `python -m playwright install chromium`, or your system's package "
    "(Debian/Ubuntu: `sudo apt-get install chromium`), or point the `browser_path` option "
    "(or the CLI's --browser flag) at a Chromium or Chrome executable"
)


class BrowserNotFound(RuntimeError):
    pass


def find_browser(option: str | None = None, playwright_path: str | None = None) -> str:
    """The executable to launch; ``playwright_path`` is Playwright's own (may not be installed)."""
    if option:
        path = shutil.which(option) or option
        if not Path(path).is_file():
            raise BrowserNotFound(f"browser_path {option!r} does not exist: {HOW_TO_INSTALL}")
        return str(path)
    if playwright_path and Path(playwright_path).is_file():
        return playwright_path
    for candidate in SYSTEM_BROWSERS:
        found = shutil.which(candidate) if not os.path.isabs(candidate) else (
            candidate if Path(candidate).is_file() else None)
        if found:
            return found
    raise BrowserNotFound(f"no Chromium or Chrome browser found: {HOW_TO_INSTALL}")


def playwright_chromium_path(playwright) -> str | None:
    try:
        return playwright.chromium.executable_path
    except Exception:  # noqa: BLE001 - not installed is the common case
        return None


def launch(playwright, option: str | None = None):
    """A headless Chromium from ``playwright`` (a started ``sync_playwright()``)."""
    path = find_browser(option, playwright_chromium_path(playwright))
    return playwright.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS)
