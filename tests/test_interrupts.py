"""Interrupted and concurrent builds never leave a half-written cache (real builds, real signals)."""

import os
import signal
import subprocess
import sys
import time

import pytest

from model_build.browser import _processes, process_tree

from .conftest import antd_icons, mkdocs_build, write_site

pytestmark = pytest.mark.slow

OPTIONS = {"icons": "icons", "training_samples_per_icon": 24, "training_epochs": 2, "training_finetune_epochs": 1,
           "training_batch_size": 16, "training_finetune_batch_size": 16}


@pytest.fixture()
def site(tmp_path):
    antd_icons(tmp_path / "icons", ["outlined/home", "filled/home", "outlined/star"])
    return write_site(tmp_path, OPTIONS)


def start_build(site, *args):
    # SIGINT as a terminal's Ctrl-C finds it: a suite started in the background (`cmd &` in a
    # script) ignores SIGINT, and its children would inherit that.
    return subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "-f", str(site / "mkdocs.yml"), *args],
                            cwd=site, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def wait_for(condition, timeout=240):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def chromium_running(pid):
    procs = _processes()
    return any(b"chrom" in procs.get(p, (0, b""))[1] for p in process_tree(pid) if p != pid)


def cache_files(site):
    root = site / ".cache/plugin/iconsearch"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_interrupted_and_damaged_caches_are_recovered(site):
    # Ctrl-C while Chromium takes screenshots: the build stops, Chromium goes with it, no samples kept.
    build = start_build(site)
    wait_for(lambda: chromium_running(build.pid))
    build.send_signal(signal.SIGINT)
    assert build.wait(60) != 0
    wait_for(lambda: not any(b"iconsearch-capture" in cmd for _, cmd in _processes().values()), 30)
    assert not [f for f in cache_files(site) if f.startswith(("samples/", "models/"))]

    # Killed (no clean-up at all) while training: the screenshots are kept, no model entry is.
    build = start_build(site)
    log = []
    for line in build.stderr:
        log.append(line)
        if "training the head" in line:
            build.kill()
            break
    build.wait(60)
    files = cache_files(site)
    assert [f for f in files if f.startswith("samples/")] and all(f.endswith(".samples") for f in files if f.startswith("samples/"))
    assert not [f for f in files if f.startswith("models/")], files

    # The next build reuses the screenshots, clears the killed build's temporary files, completes.
    result = mkdocs_build(site)
    assert "reusing" in result.stderr and "cached screenshot samples" in result.stderr
    assert "screenshots:" not in result.stderr
    files = cache_files(site)
    assert any(f.startswith("models/") and f.endswith("manifest.json") for f in files)
    assert not [f for f in files if f.startswith(".tmp-")]
    assert "using the cached model" in mkdocs_build(site).stderr

    # Damage on disk is detected, logged and rebuilt: truncated weights, then a truncated
    # screenshots file along with an edited manifest.
    cache = site / ".cache/plugin/iconsearch"
    weights = next(cache.glob("models/*/weights-*.bin"))
    weights.write_bytes(weights.read_bytes()[:100])
    result = mkdocs_build(site)
    assert f"{weights.name} does not match its checksum" in result.stderr and "rebuilding it" in result.stderr
    assert "reusing" in result.stderr and "epoch 1/" in result.stderr
    samples = next(cache.glob("samples/*.samples"))
    samples.write_bytes(samples.read_bytes()[:1000])
    manifest = next(cache.glob("models/*/manifest.json"))
    manifest.write_text(manifest.read_text().replace('"files"', '"filez"'))
    result = mkdocs_build(site)
    assert "is damaged" in result.stderr and "rebuilding it" in result.stderr
    assert f"cached samples {samples} are damaged" in result.stderr and "screenshots:" in result.stderr
    assert "using the cached model" in mkdocs_build(site).stderr


def test_two_builds_at_once_on_one_cache(site):
    first = start_build(site, "-d", str(site / "site-1"))
    second = start_build(site, "-d", str(site / "site-2"))
    logs = [p.communicate(timeout=600)[1] for p in (first, second)]
    assert first.returncode == second.returncode == 0, logs
    assert sum("epoch 1/" in log for log in logs) == 1  # one trained, the other waited for it
    assert any("another build is using" in log for log in logs)
    assert len(list((site / ".cache/plugin/iconsearch/models").iterdir())) == 1
    for out in ("site-1", "site-2"):
        assert list((site / out / "assets/iconsearch").glob("weights-*.bin"))
