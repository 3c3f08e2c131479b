"""Icons that would spoil the sample sheets are found in real Chromium: one that draws no visible
pixel, one too slow to draw, and one that makes a whole sheet hang."""

import logging
import time

import pytest

from model_build.drawcheck import check_icons
from model_build.hparams import HParams
from model_build.icons import parse_svg, scan_svg_folder
from model_build.limits import Limits
from model_build.screenshots import IconsTooCostly, capture, find_culprits

from .bad_icons import huge_path, invisible_ink
from .conftest import antd_icons

UNLIMITED = Limits(bytes=10**9, coordinates=10**9)


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    folder = antd_icons(tmp_path_factory.mktemp("icons"), ["outlined/home", "filled/home", "outlined/star"])
    return scan_svg_folder(folder)[0]


def test_find_culprits_splits_sixteen_ways():
    tried = []

    def fails(group):
        tried.append(len(group))
        return 97 in group or 200 in group

    assert find_culprits(list(range(256)), fails) == [97, 200]
    assert len(tried) == 16 + 16 + 16  # one level of 16 groups, then each guilty group's 16 icons


def test_blank_and_slow_icons_are_skipped_with_why(good, caplog):
    blank = parse_svg(invisible_ink(), "blank")
    slow = parse_svg(huge_path(100_000), "slow", limits=UNLIMITED)
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.iconsearch"):
        kept, skipped = check_icons([good[0], blank, good[1], slow, good[2]], Limits(draw_seconds=1))
    assert kept == good
    why = {entry["id"]: entry["why"] for entry in skipped}
    assert set(why) == {"blank", "slow"}
    assert "draws no visible pixel" in why["blank"]
    assert "drawing it once took" in why["slow"] and "`limit_draw_seconds`" in why["slow"]
    assert len(caplog.records) == 2 and all("skipped icon 'blank'" in r.getMessage() or "skipped icon 'slow'"
                                            in r.getMessage() for r in caplog.records)


def test_a_sheet_that_hangs_names_the_icon_responsible(good, caplog):
    # Quick enough alone to pass the check, but 16 of it on a sheet take longer than its timeout.
    costly = parse_svg(huge_path(60_000), "costly", limits=UNLIMITED)
    kept, _ = check_icons([*good, costly], Limits(draw_seconds=10))
    assert costly in kept
    start = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.iconsearch"), \
            pytest.raises(IconsTooCostly) as found:
        capture([*good, costly], HParams(samples_per_icon=32, grid=8), timeout_s=3, browsers=1)
    assert found.value.indexes == [3] and "took over 3 s" in found.value.why
    assert any("drawing its 4 icons in groups" in r.getMessage() for r in caplog.records)
    assert time.monotonic() - start < 60


def test_the_sheets_are_drawn_again_without_the_icon_responsible(good, monkeypatch, caplog):
    from model_build import pipeline, screenshots

    drawn = []

    def capture_once_too_costly(icons, hp, browser_path=None):  # the hunt itself is tested above
        drawn.append([i.id for i in icons])
        if len(drawn) == 1:
            raise IconsTooCostly([1], "drawing it alone on a sample sheet took over 60 s")
        return "samples"

    monkeypatch.setattr(screenshots, "capture", capture_once_too_costly)
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.iconsearch"):
        icons, skipped, samples = pipeline.capture_samples(good, HParams())
    assert drawn == [[i.id for i in good], [good[0].id, good[2].id]] and samples == "samples"
    assert icons == [good[0], good[2]] and [e["id"] for e in skipped] == [good[1].id]
    assert f"skipped icon {good[1].path}: drawing it alone" in caplog.text
