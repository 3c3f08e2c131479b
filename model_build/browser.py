"""Find and launch headless Chromium.

Order: the ``browser_path`` option, Playwright's own browser, then a system Chromium or Chrome.
For the sample sheets a headless shell comes first where one is installed (``prefer_shell``).
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
# Chromium's headless shell (no browser UI layer) draws and encodes the sample sheets 20-30 %
# faster than the full browser, with the same pixels. Readers use full browsers, so the widget's
# tests and benchmarks keep those.
HEADLESS_SHELLS = ["/usr/lib/chromium/chromium-headless-shell", "chromium-headless-shell", "chrome-headless-shell"]
HOW_TO_INSTALL = (
    "install one with `python -m playwright install chromium`, or your system's package "
    "(Debian/Ubuntu: `sudo apt-get install chromium`), or point the `browser_path` option "
    "(or the CLI's --browser flag) at a Chromium or Chrome executable"
)


class BrowserNotFound(RuntimeError):
    pass


class BrowserFailed(RuntimeError):
    """Chromium crashed or hung again and again: the message says what was tried."""


def find_browser(option: str | None = None, playwright_path: str | None = None, prefer_shell: bool = False) -> str:
    """The executable to launch; ``playwright_path`` is Playwright's own (may not be installed)."""
    if option:
        path = shutil.which(option) or option
        if not Path(path).is_file():
            raise BrowserNotFound(f"browser_path {option!r} does not exist: {HOW_TO_INSTALL}")
        return str(path)
    shells = [*_playwright_shells(playwright_path), *HEADLESS_SHELLS] if prefer_shell else []
    own = [playwright_path] if playwright_path else []
    for candidate in [*shells, *own, *SYSTEM_BROWSERS]:
        found = shutil.which(candidate) if not os.path.isabs(candidate) else (
            candidate if Path(candidate).is_file() else None)
        if found:
            return found
    raise BrowserNotFound(f"no Chromium or Chrome browser found: {HOW_TO_INSTALL}")


def _playwright_shells(playwright_path: str | None) -> list[str]:
    """Playwright's own headless shell, installed beside its Chromium (ms-playwright/...)."""
    if not playwright_path:
        return []
    registry = Path(playwright_path).parents[2] if len(Path(playwright_path).parents) > 2 else None
    if registry is None or not registry.is_dir():
        return []
    return sorted((str(p) for pattern in ("chromium_headless_shell-*/*/headless_shell",
                                          "chromium_headless_shell-*/*/chrome-headless-shell")
                   for p in registry.glob(pattern)), reverse=True)


def playwright_chromium_path(playwright) -> str | None:
    try:
        return playwright.chromium.executable_path
    except Exception:  # noqa: BLE001 - not installed is the common case
        return None


def launch(playwright, option: str | None = None, extra_args: tuple[str, ...] = (), prefer_shell: bool = False):
    """A headless Chromium from ``playwright`` (a started ``sync_playwright()``)."""
    path = find_browser(option, playwright_chromium_path(playwright), prefer_shell)
    return playwright.chromium.launch(executable_path=path, headless=True, args=[*LAUNCH_ARGS, *extra_args])


def launch_tagged(playwright, option: str | None = None):
    """``(browser, pid)``: a Chromium for the sample sheets (a headless shell where installed)
    whose main process can be found (and killed, with all its children) when it hangs;
    Playwright does not expose the pid, so the command line carries a unique switch that
    Chromium ignores. ``pid`` is None where /proc is missing (not Linux)."""
    token = f"--iconsearch-capture={uuid.uuid4().hex}"
    browser = launch(playwright, option, (token,), prefer_shell=True)
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
