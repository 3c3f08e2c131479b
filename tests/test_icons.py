import re
from pathlib import Path

import pytest

from model_build.icons import parse_svg, scan_svg_folder

SQUARE = b'<svg viewBox="0 0 10 10"><path d="M1 1h8v8H1z"/></svg>'


def write(root: Path, rel: str, data: bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_ids_are_relative_paths_without_suffix_sorted(tmp_path):
    write(tmp_path, "outlined/home.svg", SQUARE)
    write(tmp_path, "filled/deep/home.svg", SQUARE)
    write(tmp_path, "star.svg", SQUARE)
    write(tmp_path, "notes.txt", b"not an icon")
    icons, warnings = scan_svg_folder(tmp_path)
    assert [i.id for i in icons] == ["filled/deep/home", "outlined/home", "star"]
    assert [i.name for i in icons] == ["home", "home", "star"]
    assert len(warnings) == 1 and "notes.txt: not an SVG file" in warnings[0]


def test_digest_follows_content_not_name(tmp_path):
    write(tmp_path, "a.svg", SQUARE)
    write(tmp_path, "b.svg", SQUARE)
    write(tmp_path, "c.svg", SQUARE.replace(b"h8", b"h7"))
    a, b, c = scan_svg_folder(tmp_path)[0]
    assert a.digest == b.digest != c.digest


@pytest.mark.parametrize("data, why", [
    (b"", "empty"),
    (b"<svg viewBox='0 0 1 1'><path d='M0 0'", "well-formed"),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary data, not SVG text"),
    (b"<html><body/></html>", "root element is <html>"),
    (b"<svg viewBox='0 0 1 1'><g/></svg>", "draws nothing"),
    (b"<svg><path d='M0 0h1'/></svg>", "viewBox"),
])
def test_broken_files_are_skipped_with_a_reason(tmp_path, data, why):
    write(tmp_path, "good.svg", SQUARE)
    write(tmp_path, "bad.svg", data)
    icons, warnings = scan_svg_folder(tmp_path)
    assert [i.id for i in icons] == ["good"]
    assert len(warnings) == 1 and "bad.svg" in warnings[0] and why in warnings[0]


def test_other_files_are_named_hidden_ones_ignored(tmp_path):
    write(tmp_path, "good.svg", SQUARE)
    write(tmp_path, "preview.png", b"\x89PNG")
    write(tmp_path, ".DS_Store", b"\0\0")
    write(tmp_path, ".git/config", b"[core]")
    icons, warnings = scan_svg_folder(tmp_path)
    assert [i.id for i in icons] == ["good"]
    assert len(warnings) == 1 and "preview.png: not an SVG file" in warnings[0]


def test_clashing_ids_name_both_files(tmp_path):
    write(tmp_path, "home.SVG", SQUARE)
    write(tmp_path, "home.svg", SQUARE.replace(b"h8", b"h7"))
    icons, warnings = scan_svg_folder(tmp_path)
    assert [i.id for i in icons] == ["home"] and icons[0].path.name == "home.SVG"
    assert len(warnings) == 1
    assert "home.svg" in warnings[0] and "'home' is already used by" in warnings[0] and "home.SVG" in warnings[0]


def test_markup_is_sanitized():
    evil = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            b'viewBox="0 0 10 10" onload="alert(1)" fill="url(http://evil/x)">'
            b'<script>alert(2)</script><foreignObject><div>x</div></foreignObject>'
            b'<a href="javascript:alert(3)"><path d="M0 0h5" onclick="alert(4)"/></a>'
            b'<use xlink:href="http://evil/sprite.svg#i"/><use href="#local"/>'
            b'<path d="M1 1h8" style="fill:url(https://evil/p)"/><rect width="1" height="1" fill="#333"/></svg>')
    icon = parse_svg(evil, "evil")
    svg = icon.svg.lower()
    for bad in ("script", "alert", "onload", "onclick", "foreignobject", "evil", "javascript"):
        assert bad not in svg, bad
    assert 'href="#local"' in icon.svg and 'fill="#333"' in icon.svg
    assert icon.svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"')


def test_size_gives_a_viewbox_and_root_paint_is_kept():
    icon = parse_svg(b'<svg width="24px" height="24" fill="none" stroke="currentColor" stroke-width="2">'
                     b'<circle cx="12" cy="12" r="10"/></svg>', "ring")
    assert icon.viewbox == "0 0 24 24"
    assert dict(icon.root_attrs) == {"fill": "none", "stroke": "currentColor", "stroke-width": "2"}


def test_filters_are_kept_but_not_fetching_ones():
    icon = parse_svg(b'<svg viewBox="0 0 10 10"><defs><filter id="a"><feOffset dy="2"/><feGaussianBlur stdDeviation="1"/>'
                     b'<feImage href="http://evil/x.png"/></filter></defs><path filter="url(#a)" d="M0 0h5"/></svg>', "shadow")
    assert "<filter" in icon.svg and "feGaussianBlur" in icon.svg and 'filter="url(#a)"' in icon.svg
    assert "feImage" not in icon.svg and "evil" not in icon.svg


def test_the_files_that_broke_builds_are_skipped_each_with_its_limit(tmp_path):
    from .bad_icons import BAD, write_bad_icons

    write(tmp_path, "good.svg", SQUARE)
    expected = write_bad_icons(tmp_path, BAD)
    icons, warnings = scan_svg_folder(tmp_path)
    assert [i.id for i in icons] == ["good"]
    assert len(warnings) == len(BAD)
    for name, words in expected.items():
        [line] = [w for w in warnings if f"/{name}:" in w]
        assert words in line, line
        assert line.startswith(f"skipped icon {tmp_path / name}: ")
    assert "raise the option `limit_depth`" in next(w for w in warnings if "deep-nesting" in w)
    assert "raise the option `limit_bytes`" in next(w for w in warnings if "huge-path" in w)


@pytest.mark.parametrize("svg, why", [
    (b'<svg viewBox="0 0 9 9">' + b'<rect width="1" height="1"/>' * 6000 + b"</svg>", "more than 5,000 elements"),
    (b'<svg viewBox="0 0 9 9"><path d="M0 0' + b" 1 1" * 60_000 + b'"/></svg>', "120,002 coordinates, over the limit of 50,000"),
    (b'<svg viewBox="0 0 9 9"><path d="M0 0L1e40 2z"/></svg>', "<path d> holds a number that is not finite"),
    (b'<svg viewBox="0 0 9 9"><circle r="NaN"/></svg>', "<circle r> holds a number that is not finite"),
    (b'<svg viewBox="0 0 0 9"><path d="M0 0h9"/></svg>', "is degenerate"),
    (b'<svg width="-4" height="4"><path d="M0 0h9"/></svg>', "width and height '0 0 -4 4' is degenerate"),
    (b'<svg viewBox="0 0 9"><path d="M0 0h9"/></svg>', "is not four numbers"),
])
def test_costly_or_degenerate_icons_say_why(svg, why):
    with pytest.raises(ValueError, match=re.escape(why)):
        parse_svg(svg, "x")


def test_limits_can_be_raised():
    from model_build.limits import Limits

    deep = b'<svg viewBox="0 0 9 9">' + b"<g>" * 100 + b'<path d="M0 0h9v9z"/>' + b"</g>" * 100 + b"</svg>"
    with pytest.raises(ValueError, match="limit_depth"):
        parse_svg(deep, "deep")
    icon = parse_svg(deep, "deep", limits=Limits(depth=200))
    assert icon.inner.count("<g>") == 100 and icon.inner.endswith("</g>" * 100)
    with pytest.raises(ValueError, match="limit_bytes must be a positive number"):
        Limits(bytes=0)


def test_unreadable_files_are_skipped_not_raised(tmp_path):
    write(tmp_path, "good.svg", SQUARE)
    (tmp_path / "folder.svg").mkdir()  # a folder named like an icon: not a file, ignored
    (tmp_path / "dangling.svg").symlink_to(tmp_path / "nowhere.svg")
    (tmp_path / "loop.svg").symlink_to(tmp_path / "loop.svg")
    icons, warnings = scan_svg_folder(tmp_path)
    assert [i.id for i in icons] == ["good"] and warnings == []
