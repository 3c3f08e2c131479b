"""A cache folder that can't take a write (full disk, read-only) fails a build with one line that
names cache_dir, leaves nothing half-written, and the next build, once there is room, reuses what
was complete. Real file systems: a size-limited tmpfs mounted for the test (needs root, as CI has)."""

import os
import re
import subprocess

import pytest

from .conftest import antd_icons, mkdocs_build, write_site

pytestmark = pytest.mark.slow

OPTIONS = {"icons": "icons", "training_samples_per_icon": 24, "training_epochs": 1, "training_finetune_epochs": 1,
           "training_batch_size": 32, "training_finetune_batch_size": 32, "cache_dir": "cache"}


@pytest.fixture()
def site(tmp_path):
    antd_icons(tmp_path / "icons", ["outlined/home", "filled/home", "outlined/star"])
    write_site(tmp_path, OPTIONS)
    cache = tmp_path / "cache"
    cache.mkdir()
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(cache)], capture_output=True, text=True)
    if mount.returncode != 0:
        pytest.skip(f"mounting a tmpfs needs root: {mount.stderr.strip()}")
    yield tmp_path
    subprocess.run(["umount", "-l", str(cache)], check=False)


def remount(site, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(site / "cache")], check=True)


def files(site) -> list[str]:
    cache = site / "cache"
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file() or p.is_dir())


def failed_with_one_line(result, site, what: str) -> str:
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "Traceback" not in out and "Exception ignored" not in out, out
    [error] = [line for line in out.splitlines() if line.startswith("ERROR")]
    assert f"could not write {what} into cache_dir {site / 'cache'}" in error, error
    assert "`cache_dir`" in error and "Fix:" in error
    return error


def test_a_full_disk_fails_in_one_line_and_the_next_build_reuses_what_was_complete(site):
    # 16 KB: the screenshots can't be saved.
    first = mkdocs_build(site, check=False)
    error = failed_with_one_line(first, site, "the screenshot samples")
    assert "no space left on the device" in error and "free some space" in error
    assert [f for f in files(site) if not f.startswith((".lock", "samples"))] == []
    assert not [f for f in files(site) if f.endswith(".tmp") or ".tmp-" in f]

    # Room for the screenshots (their size is in the log), not for the model.
    count = int(re.search(r"samples: ([\d,]+) \(", first.stderr).group(1).replace(",", ""))
    remount(site, f"size={count * (32 * 32 + 4) + 64 * 1024}")
    second = mkdocs_build(site, check=False)
    failed_with_one_line(second, site, "the trained model")
    kept = files(site)
    assert [f for f in kept if f.startswith("samples/")] and all(f.endswith(".samples") for f in kept if "/" in f
                                                                 and f.startswith("samples/"))
    assert not [f for f in kept if f.startswith(("models", ".tmp")) or f.endswith(".tmp")], kept

    # Space freed: the screenshots are reused, the build completes.
    remount(site, "size=64m")
    third = mkdocs_build(site)
    assert "reusing" in third.stderr and "cached screenshot samples" in third.stderr
    assert "screenshots:" not in third.stderr
    assert list((site / "site/assets/iconsearch").glob("weights-*.bin"))

    # A read-only cache: a complete entry is still used; a new model can't be stored, in one line.
    remount(site, "ro")
    assert "using the cached model" in mkdocs_build(site).stderr
    antd_icons(site / "icons", ["outlined/heart"])
    error = failed_with_one_line(mkdocs_build(site, check=False), site, "the cache's lock file")
    assert "read-only file system" in error


def test_the_traceback_is_there_with_verbose(site):
    result = mkdocs_build(site, "--verbose", check=False)
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "No space left on device" in result.stderr
