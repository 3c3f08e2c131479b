"""`mkdocs serve`: adding or editing an icon rebuilds the model, and the open page reloads with it.
A real `mkdocs serve` process, real training, the page in real Chromium."""

import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from model_build.localweb import search_images

from .conftest import ANTD, antd_icons, write_site

pytestmark = pytest.mark.slow
OPTIONS = {"icons": "icons", "training_samples_per_icon": 30, "training_epochs": 3, "training_finetune_epochs": 1,
           "training_batch_size": 64, "training_finetune_batch_size": 64}
GRID = "document.querySelectorAll('.iconsearch__grid li').length"


class Served:
    """A `mkdocs serve` process whose output is read on a thread and waited on line by line."""

    def __init__(self, site, port: int):
        self.proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-f", str(site / "mkdocs.yml"),
                                      "-a", f"127.0.0.1:{port}"], cwd=site, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=lambda: [self.lines.put(line) for line in self.proc.stdout], daemon=True).start()

    def wait_for(self, text: str, timeout: float = 300) -> None:
        """Until a new line holds ``text``; fails with the whole output on a timeout or an exit."""
        end = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, min(1.0, end - time.monotonic())))
            except queue.Empty:
                if self.proc.poll() is not None or time.monotonic() > end:
                    raise AssertionError(f"no line with {text!r} from mkdocs serve:\n{''.join(self.seen)}") from None
                continue
            self.seen.append(line)
            if text in line:
                return

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_adding_and_editing_an_icon_rebuilds_and_reloads(tmp_path, page):
    antd_icons(tmp_path / "icons", ["outlined/home", "outlined/star", "filled/star"])
    write_site(tmp_path, OPTIONS)
    port = free_port()
    served = Served(tmp_path, port)
    try:
        served.wait_for("training an icon model for 3 icons")
        served.wait_for("Serving on")
        page.goto(f"http://127.0.0.1:{port}/icons/")
        page.wait_for_function(f"{GRID} === 3")
        served.wait_for("Browser connected")  # livereload listens: the next build reloads this page

        with page.expect_navigation(timeout=300_000):  # a new icon: the model retrains, the page reloads
            shutil.copy(ANTD / "outlined/setting.svg", tmp_path / "icons/outlined/setting.svg")
        served.wait_for("training an icon model for 4 icons", timeout=10)  # logged before the reload
        served.wait_for("1 icons are new or changed since the last model: drawing only those", timeout=60)
        served.wait_for("re-fitting the last model (3 of 3 classes kept, 1 new)", timeout=60)
        served.wait_for("samples reused from the last model", timeout=60)  # only the new icon's computed
        page.wait_for_function(f"{GRID} === 4")
        shot = page.locator(".iconsearch__grid [data-id='outlined/setting'] img").screenshot()
        [answer] = search_images(page, [(shot, "image/png")], k=1)
        assert answer["results"][0]["id"] == "outlined/setting"

        before = page.evaluate("iconsearch.svgs(['outlined/home']).then(s => s[0])")
        with page.expect_navigation(timeout=300_000):  # an edited icon: retrained again
            shutil.copy(ANTD / "outlined/bell.svg", tmp_path / "icons/outlined/home.svg")
        served.wait_for("training an icon model for 4 icons", timeout=10)
        served.wait_for("re-fitting the last model (3 of 4 classes kept, 1 new)", timeout=60)
        page.wait_for_function(f"{GRID} === 4")
        after = page.evaluate("iconsearch.svgs(['outlined/home']).then(s => s[0])")
        bell = (ANTD / "outlined/bell.svg").read_text()
        assert after != before and after.split(' d="')[1][:40] == bell.split(' d="')[1][:40]
    finally:
        served.stop()
