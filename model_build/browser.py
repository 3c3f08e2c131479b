"""Find and launch headless Chromium.

Order: the ``browser_path`` option, Playwright's own browser, then a system Chromium or Chrome.
"""

from __future__ import annotations

import os
import shutil
import signal
import uuid
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


class BrowserFailed(RuntimeError):
    """Chromium crashed or hung again and again: the message says what was tried."""


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


def launch(playwright, option: str | None = None, extra_args: tuple[str, ...] = ()):
    """A headless Chromium from ``playwright`` (a started ``sync_playwright()``)."""
    path = find_browser(option, playwright_chromium_path(playwright))
    return playwright.chromium.launch(executable_path=path, headless=True, args=[*LAUNCH_ARGS, *extra_args])


def launch_tagged(playwright, option: str | None = None):
    """``(browser, pid)``: a Chromium whose main process can be found (and killed, with all its
    children) when it hangs; Playwright does not expose the pid, so the command line carries a
    unique switch that Chromium ignores. ``pid`` is None where /proc is missing (not Linux)."""
    token = f"--iconsearch-capture={uuid.uuid4().hex}"
    browser = launch(playwright, option, (token,))
    return browser, _pid_with_arg(token)


def _processes() -> dict[int, tuple[int, bytes]]:
    """pid -> (parent pid, command line), from /proc."""
    found = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            found[int(entry.name)] = (ppid, (entry / "cmdline").read_bytes())
        except (OSError, ValueError, IndexError):
            continue  # exited meanwhile
    return found


def _pid_with_arg(arg: str) -> int | None:
    procs = _processes()
    mains = [pid for pid, (ppid, cmd) in procs.items()
             if arg.encode() in cmd.split(b"\0") and arg.encode() not in procs.get(ppid, (0, b""))[1].split(b"\0")]
    return mains[0] if mains else None


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for child, (parent, _) in _processes().items():
        children.setdefault(parent, []).append(child)
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, ()))
    return tree


def kill_tree(pid: int | None) -> None:
    """SIGKILL a browser and its children (works on hung and stopped processes alike)."""
    if pid is None:
        return
    for p in process_tree(pid):
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
