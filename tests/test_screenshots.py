"""The screenshot stage survives a crashing or hanging Chromium (real browser, real faults)."""

import logging
import os
import signal

import pytest

from model_build.browser import BrowserFailed, process_tree
from model_build.hparams import HParams
from model_build.icons import scan_svg_folder
from model_build.screenshots import capture

from .conftest import antd_icons

HP = HParams(samples_per_icon=48, grid=8)  # 3 icons -> 3 sheets of 64 crops


@pytest.fixture(scope="module")
def icons(tmp_path_factory):
    folder = antd_icons(tmp_path_factory.mktemp("icons"), ["outlined/home", "filled/home", "outlined/star"])
    return scan_svg_folder(folder)[0]


def test_a_crash_and_a_hang_are_survived_and_give_the_same_samples(icons, caplog):
    x0, y0 = capture(icons, HP)
    faults = []

    def inject(k, pid):
        if k == 1 and "crash" not in faults:  # the whole browser dies
            faults.append("crash")
            os.kill(pid, signal.SIGKILL)
        elif k == 2 and "hang" not in faults:  # every Chromium process stops answering
            faults.append("hang")
            for p in process_tree(pid):
                os.kill(p, signal.SIGSTOP)

    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.iconsearch"):
        x1, y1 = capture(icons, HP, timeout_s=3, on_sheet=inject)
    assert sorted(faults) == ["crash", "hang"]  # two browsers: either may come first
    messages = [r.getMessage() for r in caplog.records]
    assert any("crashed" in m and "sample sheet 2; restarting it (retry 1 of 3)" in m for m in messages)
    assert any("did not answer within 3 s on sample sheet 3; restarting it" in m for m in messages)
    # Sheets are seeded by number: redrawn sheets give exactly the samples of an undisturbed run.
    assert (y0 == y1).all() and (x0 == x1).all()


def test_a_browser_that_keeps_crashing_gives_up_with_a_clear_error(icons):
    def crash_from_sheet_2(k, pid):  # both browsers: sheets 2 and 3 fail side by side
        if k >= 1:
            os.kill(pid, signal.SIGKILL)

    with pytest.raises(BrowserFailed, match=r"failed 4 times in a row on sample sheet [23] .*crashed.*browser_path"):
        capture(icons, HP, on_sheet=crash_from_sheet_2)


def test_capture_works_inside_an_event_loop(icons):
    """Jupyter and async callers run an event loop, where Playwright's sync API refuses to start."""
    import asyncio

    async def main():
        return capture(icons, HParams(samples_per_icon=16, grid=4))

    # In a thread of its own: pytest-playwright may already run a loop in this one.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as thread:
        x, y = thread.submit(asyncio.run, main()).result()
    assert len(x) == len(y) >= 48


def test_two_browsers_give_the_samples_of_one(icons):
    x1, y1 = capture(icons, HP, browsers=1)
    x2, y2 = capture(icons, HP, browsers=2)
    assert (y1 == y2).all() and (x1 == x2).all()


def test_the_headless_shell_and_the_full_browser_give_the_same_samples(icons):
    """The sample sheets prefer Chromium's headless shell (faster); its pixels must be the full
    browser's, or a site would train on what its readers' browsers never draw."""
    from model_build.browser import find_browser

    shell, full = find_browser(prefer_shell=True), find_browser()
    if "headless" not in shell or "headless" in full:
        pytest.skip("needs both Chromium's headless shell and the full browser")
    xs, ys = capture(icons, HP, shell)
    xf, yf = capture(icons, HP, full)
    assert (ys == yf).all() and (xs == xf).all()


def test_a_headless_shell_is_preferred_for_the_sheets_only(monkeypatch, tmp_path):
    from model_build import browser

    shell, full = tmp_path / "headless_shell", tmp_path / "chromium"
    for exe in (shell, full):
        exe.write_text("")
    monkeypatch.setattr(browser, "HEADLESS_SHELLS", ["/no/such/shell", str(shell)])
    monkeypatch.setattr(browser, "SYSTEM_BROWSERS", [str(full)])
    assert browser.find_browser(prefer_shell=True) == str(shell)
    assert browser.find_browser() == str(full)  # the widget's tests and benchmarks: a reader's browser
    assert browser.find_browser(str(full), prefer_shell=True) == str(full)  # the option always wins
    # Playwright's own headless shell, installed beside its Chromium, comes first.
    pw_shell = tmp_path / "chromium_headless_shell-1200" / "chrome-linux" / "headless_shell"
    pw_shell.parent.mkdir(parents=True)
    pw_shell.write_text("")
    registry_own = tmp_path / "chromium-1200" / "chrome-linux" / "chrome"
    registry_own.parent.mkdir(parents=True)
    registry_own.write_text("")
    assert browser.find_browser(None, str(registry_own), prefer_shell=True) == str(pw_shell)
    assert browser.find_browser(None, str(registry_own)) == str(registry_own)


def test_hidpi_sheets_are_drawn_at_2x_on_their_own_cells(icons, monkeypatch):
    """A sheet in ~3 is drawn at 2 device pixels per CSS pixel, on the smaller hi-dpi cells:
    the screenshot's size must match what the cutting expects, or the crops are garbage."""
    import io

    from PIL import Image

    import model_build.screenshots as screenshots

    shots = []
    real = screenshots._screenshot

    def spy(cdp, side, dpr):
        png = real(cdp, side, dpr)
        shots.append((side, dpr, Image.open(io.BytesIO(png)).size))
        return png

    monkeypatch.setattr(screenshots, "_screenshot", spy)
    hp = HParams(samples_per_icon=32, grid=4, cell_px=64, hidpi_cell_px=40)  # 6 sheets, the 6th at 2x
    x, y = capture(icons, hp, browsers=1)
    assert set(shots) == {(256, 1, (256, 256)), (160, 2, (320, 320))}
    assert len(x) == len(y) >= 6 * 16 and x.shape[1:] == (32, 32)
    assert all(x[y == label].max() > 200 for label in range(3))  # every icon left ink
