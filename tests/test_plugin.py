"""Build-level behaviour that needs no model: configuration errors and their messages."""

import pytest

from model_build.browser import BrowserNotFound, find_browser

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
