"""Build-level behaviour that needs no model: configuration errors and their messages."""

import json

import pytest

from model_build.browser import BrowserNotFound, find_browser
from model_build.pipeline import read_index

from .conftest import mkdocs_build, write_site


def test_missing_icon_folder_names_option_and_path(tmp_path):
    write_site(tmp_path, {"icons": "nowhere"})
    result = mkdocs_build(tmp_path, check=False)
    assert result.returncode != 0
    assert "option `icons`" in result.stderr and str(tmp_path / "nowhere") in result.stderr


def test_unset_icons_option_says_what_to_set(tmp_path):
    write_site(tmp_path, {})
    result = mkdocs_build(tmp_path, check=False)
    assert result.returncode != 0 and "set the `icons` option" in result.stderr


def test_folder_without_usable_icons(tmp_path):
    (tmp_path / "icons").mkdir()
    (tmp_path / "icons/broken.svg").write_text("<svg")
    write_site(tmp_path, {"icons": "icons"})
    result = mkdocs_build(tmp_path, check=False)
    assert result.returncode != 0
    assert "broken.svg" in result.stderr and "no usable SVG files" in result.stderr


def test_disabled_plugin_does_nothing(tmp_path):
    write_site(tmp_path, {"enabled": False, "icons": "nowhere"})
    mkdocs_build(tmp_path)
    assert not (tmp_path / "site/assets/iconsearch").exists()


def test_browser_option_that_does_not_exist():
    with pytest.raises(BrowserNotFound, match="browser_path .*/no/such/chrome.* does not exist.*apt-get install chromium"):
        find_browser("/no/such/chrome")


def test_no_browser_anywhere_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr("model_build.browser.SYSTEM_BROWSERS", ["/no/such/chromium", "no-such-chrome"])
    with pytest.raises(BrowserNotFound, match="no Chromium or Chrome browser found: install one with .*playwright install chromium"):
        find_browser(None, playwright_path=str(tmp_path / "not-installed"))


@pytest.mark.slow
def test_one_icon_and_a_broken_file_strict_fails_plain_builds(tmp_path, static_server, page):
    from .conftest import antd_icons

    antd_icons(tmp_path / "icons", ["outlined/home"])
    (tmp_path / "icons/empty.svg").write_text("")
    write_site(tmp_path, {"icons": "icons", "training_samples_per_icon": 8, "training_epochs": 1, "training_finetune_epochs": 1,
                          "training_batch_size": 16, "training_finetune_batch_size": 16})
    strict = mkdocs_build(tmp_path, "--strict", check=False)
    assert strict.returncode != 0 and "empty.svg" in strict.stderr and "the file is empty" in strict.stderr
    plain = mkdocs_build(tmp_path)
    assert "empty.svg" in plain.stderr and "using the cached model for 1 icons" in plain.stderr
    base = static_server(tmp_path / "site")
    page.goto(f"{base}/icons/")
    result = page.evaluate("""async () => {
        const c = document.createElement('canvas'); c.width = 40; c.height = 40;
        const ctx = c.getContext('2d'); ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 40, 40);
        ctx.fillStyle = '#000'; ctx.fillRect(8, 8, 24, 24);
        return iconsearch.search(c);
    }""")
    assert [r["id"] for r in result] == ["outlined/home"] and result[0]["score"] > 0.99


@pytest.mark.slow
def test_two_icons_one_of_them_hostile_build_sanitized_and_answer(tmp_path, static_server, page):
    """The hostile icon reaches the grid and the model, but none of its scripts, handlers or
    external references do; a two-icon site still answers searches."""
    from .conftest import HOSTILE_SVG, antd_icons

    antd_icons(tmp_path / "icons", ["outlined/home"])
    (tmp_path / "icons/hostile.svg").write_text(HOSTILE_SVG)
    write_site(tmp_path, {"icons": "icons", "training_samples_per_icon": 16, "training_epochs": 2,
                          "training_finetune_epochs": 1, "training_batch_size": 16, "training_finetune_batch_size": 16})
    mkdocs_build(tmp_path, "--strict")  # sanitizing is not a warning: the file is a usable icon
    index = json.dumps(read_index(tmp_path / "site/assets/iconsearch")).lower()
    for bad in ("script", "pwned", "onload", "onclick", "javascript", "beacon", "foreignobject"):
        assert bad not in index, bad
    requests, dialogs = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{static_server(tmp_path / 'site')}/icons/")
    grid = page.locator(".iconsearch__grid li")
    grid.nth(1).wait_for()
    assert grid.count() == 2
    page.locator(".iconsearch__grid li [data-id='hostile']").click()
    result = page.evaluate("""async () => {
        const c = document.createElement('canvas'); c.width = 48; c.height = 48;
        const ctx = c.getContext('2d'); ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 48, 48);
        ctx.fillStyle = '#000'; ctx.fillRect(4, 4, 40, 8); ctx.fillRect(4, 20, 40, 8); ctx.fillRect(4, 36, 40, 8);
        return iconsearch.search(c);
    }""")
    assert result[0]["id"] == "hostile" and {r["id"] for r in result} == {"hostile", "outlined/home"}
    assert page.evaluate("window.__pwned") is None and not dialogs
    assert not [u for u in requests if "beacon" in u or "127.0.0.1:9" in u]


@pytest.mark.slow
def test_every_bad_icon_is_named_once_and_the_good_ones_build(tmp_path):
    """Issue 17's folder: three good icons beside each file that once failed a build."""
    import json

    from .bad_icons import BAD, INVISIBLE, write_bad_icons
    from .conftest import antd_icons

    good = ["filled/home", "outlined/home", "outlined/star"]
    antd_icons(tmp_path / "icons", good)
    expected = write_bad_icons(tmp_path / "icons", {**BAD, **INVISIBLE})
    write_site(tmp_path, {"icons": "icons", "training_samples_per_icon": 16, "training_epochs": 1,
                          "training_finetune_epochs": 1, "training_batch_size": 16, "training_finetune_batch_size": 16})

    def named_once(log: str) -> None:
        assert "Traceback" not in log
        warnings = [line for line in log.splitlines() if line.startswith("WARNING -")]  # (not TF's own)
        assert len(warnings) == len(expected), warnings
        for name, words in expected.items():
            [line] = [w for w in warnings if f"skipped icon {tmp_path / 'icons' / name}: " in w]
            assert words in line, line

    cold = mkdocs_build(tmp_path)
    named_once(cold.stderr)
    index = read_index(tmp_path / "site/assets/iconsearch")
    assert [i["id"] for i in index["icons"]] == good
    warm = mkdocs_build(tmp_path)
    named_once(warm.stderr)
    assert "using the cached model for 3 icons" in warm.stderr
    strict = mkdocs_build(tmp_path, "--strict", check=False)
    assert strict.returncode != 0
    assert f"Aborted with {len(expected)} warnings in strict mode" in strict.stdout + strict.stderr
    named_once(strict.stderr)


def test_bad_limits_name_the_option(tmp_path):
    write_site(tmp_path, {"icons": "icons", "limit_depth": 0})
    (tmp_path / "icons").mkdir()
    result = mkdocs_build(tmp_path, check=False)
    assert result.returncode != 0 and "option limit_depth must be a positive number, not 0" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("option, value, words", [
    ("training_samples_per_icon", 0, "must be at least 2, not 0"),
    ("training_batch_size", -8, "must be at least 1, not -8"),
    ("training_finetune_batch_size", 0, "must be at least 1, not 0"),
    ("training_epochs", 0, "must be at least 1, not 0"),
])
def test_bad_training_options_name_the_option(tmp_path, option, value, words):
    write_site(tmp_path, {"icons": "icons", option: value})
    (tmp_path / "icons").mkdir()
    result = mkdocs_build(tmp_path, check=False)
    assert result.returncode != 0 and f"iconsearch: option {option} {words}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "bug" not in result.stderr


def test_a_bad_precision_names_the_option_and_its_choices(tmp_path):
    write_site(tmp_path, {"icons": "icons", "training_precision": "half"})
    (tmp_path / "icons").mkdir()
    result = mkdocs_build(tmp_path, check=False)
    assert result.returncode != 0 and "option 'training_precision': Expected one of: ('auto', 'float32', " \
        "'bfloat16') but received: 'half'" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_an_unexpected_failure_is_one_line_with_the_traceback_for_verbose(monkeypatch, caplog):
    """A bug of ours (here: a scan that raises) reaches the user as one PluginError line; the
    traceback goes to the debug log, which `mkdocs build --verbose` shows."""
    import logging

    from mkdocs.exceptions import PluginError

    from mkdocs_iconsearch import plugin as plugin_module, site_model

    def broken(*args):
        raise RuntimeError("something we did not foresee")

    monkeypatch.setattr(site_model, "scan_sources", broken)
    plugin = plugin_module.IconsearchPlugin()
    plugin.load_config({"icons": "icons"})
    plugin.sources, plugin.root, plugin.limits = [], None, None
    with caplog.at_level(logging.DEBUG, logger="mkdocs.plugins.iconsearch"), pytest.raises(PluginError) as error:
        plugin.on_pre_build(None)
    assert str(error.value) == ("iconsearch: unexpected RuntimeError during on_pre_build: something we did not "
                                "foresee. This is a bug: please report it with the output of `mkdocs build --verbose`")
    assert error.value.__cause__ is None and error.value.__suppress_context__
    [record] = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert record.exc_info and "something we did not foresee" in str(record.exc_info[1])
