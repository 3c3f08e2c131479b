"""Icon sources: folders, globs, Iconify JSON, Material for MkDocs' bundled sets; prefixes, snippets."""

import json
from pathlib import Path

import pytest

from model_build.icons import IconSetError, parse_svg
from model_build.sources import Source, parse_sources, scan_sources, snippet

from .conftest import ROOT, antd_icons

OCTICON_JSON = ROOT / "node_modules/@iconify-json/octicon/icons.json"


def test_option_forms():
    assert parse_sources("icons/") == [Source("path", "icons/")]
    assert parse_sources(["a/", {"path": "b/*.svg", "prefix": "b/", "snippet": "<{Name} />"},
                          {"iconify": "x.json"}, {"material": "octicons"}]) == [
        Source("path", "a/"), Source("path", "b/*.svg", "b/", "<{Name} />"), Source("iconify", "x.json"),
        Source("material", "octicons", "octicons-", ":{set}-{slug}:")]


@pytest.mark.parametrize("value, message", [
    ([{"path": "a", "iconify": "b"}], "item 1: give exactly one of `path`, `iconify` or `material`"),
    ([{"folder": "a"}], "give exactly one of"),
    ([{"material": "emoji"}], "`material: emoji` is not one of Material for MkDocs' sets"),
    ([3], "expected a path or a mapping"),
])
def test_bad_options_say_what_is_wrong(value, message):
    with pytest.raises(IconSetError, match=message):
        parse_sources(value)


def test_snippet_placeholders():
    icon = parse_svg(b'<svg viewBox="0 0 1 1"><path d="M0 0h1"/></svg>', "antd/outlined/arrow-up")
    assert snippet("<{Name}Outlined />", icon, "outlined/arrow-up") == "<ArrowUpOutlined />"
    assert snippet(":{set}-{slug}: {id} {name} {path} {other}", icon, "brands/github", "fontawesome") == \
        ":fontawesome-brands-github: antd/outlined/arrow-up github brands/github {other}"


def test_folders_globs_and_iconify_at_once_with_prefixes(tmp_path):
    antd_icons(tmp_path / "antd", ["outlined/home", "filled/home", "outlined/star"])
    (tmp_path / "antd/notes.txt").write_text("not an icon")
    icons, warnings = scan_sources(parse_sources([
        {"path": "antd", "prefix": "antd/", "snippet": "<{Name}Outlined />"},
        {"path": "antd/outlined/*.svg", "prefix": "glob/"},
        {"iconify": str(OCTICON_JSON), "prefix": "octicon:"},
    ]), tmp_path)
    ids = [i.id for i in icons]
    assert ids[:3] == ["antd/filled/home", "antd/outlined/home", "antd/outlined/star"]
    assert ids[3:5] == ["glob/home", "glob/star"]
    octicons = [i for i in icons if i.id.startswith("octicon:")]
    assert len(octicons) == len(json.loads(OCTICON_JSON.read_text())["icons"]) > 500
    assert "octicon:mark-github-16" in ids
    assert icons[1].snippet == "<HomeOutlined />" and icons[3].snippet == "" and octicons[0].snippet == ""
    assert len(warnings) == 1 and "notes.txt: not an SVG file" in warnings[0]


def test_iconify_bodies_are_sanitized_and_sized(tmp_path):
    (tmp_path / "set.json").write_text(json.dumps({"prefix": "t", "width": 24, "height": 24, "icons": {
        "ok": {"body": '<path d="M0 0h24v24z" onclick="alert(1)"/><script>alert(2)</script>'},
        "wide": {"body": '<path d="M0 0h32v16z"/>', "width": 32, "height": 16},
        "empty": {"body": ""}}}))
    icons, warnings = scan_sources([Source("iconify", "set.json")], tmp_path)
    assert [i.id for i in icons] == ["ok", "wide"]
    assert icons[0].viewbox == "0 0 24 24" and icons[1].viewbox == "0 0 32 16"
    assert "alert" not in icons[0].svg and "script" not in icons[0].svg
    assert len(warnings) == 1 and "'empty'" in warnings[0] and "draws nothing" in warnings[0]


def test_material_sets_come_from_the_installed_package():
    icons, warnings = scan_sources(parse_sources([{"material": "octicons"}, {"material": "fontawesome"}]), Path("."))
    by_id = {i.id: i for i in icons}
    assert by_id["octicons-mark-github-16"].snippet == ":octicons-mark-github-16:"
    assert by_id["fontawesome-brands-github"].snippet == ":fontawesome-brands-github:"
    assert len(icons) > 2000 and warnings == []  # the sets' LICENSE files are not warned about


def test_clashing_ids_across_sources_name_both(tmp_path):
    antd_icons(tmp_path / "a", ["outlined/home"])
    antd_icons(tmp_path / "b", ["outlined/home"])
    icons, warnings = scan_sources(parse_sources(["a", "b"]), tmp_path)
    assert [i.id for i in icons] == ["outlined/home"]
    assert len(warnings) == 1 and str(tmp_path / "b") in warnings[0] and str(tmp_path / "a") in warnings[0]
    assert "give one of the sources a `prefix`" in warnings[0]


def test_missing_sources_name_the_path(tmp_path):
    with pytest.raises(IconSetError, match="Iconify file .*nope.json does not exist.*npm install"):
        scan_sources([Source("iconify", "nope.json")], tmp_path)
    with pytest.raises(IconSetError, match="pattern .*\\*.svg matches no file"):
        scan_sources([Source("path", "none/*.svg")], tmp_path)
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(IconSetError, match="bad.json is not an Iconify JSON collection"):
        scan_sources([Source("iconify", "bad.json")], tmp_path)


def test_what_serve_watches(tmp_path):
    from model_build.sources import watched_path

    assert watched_path(Source("path", "icons/"), tmp_path) == tmp_path / "icons"
    assert watched_path(Source("path", "svg/24/icon-?.svg"), tmp_path) == tmp_path / "svg/24"
    assert watched_path(Source("path", "svg/**/*.svg"), tmp_path) == tmp_path / "svg"
    assert watched_path(Source("iconify", "set.json"), tmp_path) == tmp_path / "set.json"
    assert watched_path(Source("material", "octicons"), tmp_path) is None
