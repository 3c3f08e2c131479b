import dataclasses
import io

import numpy as np
import pytest
from PIL import Image

from model_build.icons import parse_svg, twin_groups
from model_build.sample_page import INSET, layout, render_cells, render_page, sheet_labels, themable

TWOTONE = b'<svg viewBox="0 0 10 10"><path d="M0 0h5" fill="#E6E6E6"/><path d="M0 5h5" fill="#333"/></svg>'


def test_labels_are_balanced_and_cover_every_sheet():
    sheets = sheet_labels(num_icons=7, samples_per_icon=10, per_sheet=16, seed=0)
    labels = np.concatenate(sheets)
    assert all(len(s) == 16 for s in sheets) and len(labels) == 80
    counts = np.bincount(labels, minlength=7)
    assert counts.min() >= 10 and counts.sum() - 70 == 10  # the top-up is the only excess


def test_layout_is_seeded_and_varied():
    labels = np.arange(64) % 9
    a, b = layout(labels, 64, seed=3, sheet=1, num_icons=9), layout(labels, 64, seed=3, sheet=1, num_icons=9)
    assert a == b
    assert a != layout(labels, 64, seed=4, sheet=1, num_icons=9)
    assert len({c.bg for c in a}) > 30 and len({c.size for c in a}) > 10
    for c in a:  # the icon stays clear of the cell's edge, which crops leave out
        assert INSET <= c.x and c.x + c.size <= 64 - INSET and INSET <= c.y and c.y + c.size <= 64 - INSET
    kinds = {e["kind"] for c in layout(np.zeros(400, int), 64, 0, 0, 3) for e in c.extras}
    assert kinds == {"box", "text", "icon"}


def test_twotone_colours_follow_the_cell():
    parts = themable(parse_svg(TWOTONE, "twotone/x"))
    assert 'fill="var(--fill, var(--main, currentColor))"' in parts["inner"] and 'fill="var(--tint)"' in parts["inner"]
    assert "#333" not in parts["inner"]
    # One explicit paint is the icon's only one: it stays currentColor, so no cell can hide it.
    one = themable(parse_svg(b'<svg viewBox="0 0 9 9"><path d="M0 0h5" fill="#333"/></svg>', "x"))
    assert 'fill="var(--fill, currentColor)"' in one["inner"]


def test_some_cells_hide_a_twotones_main_paint_in_their_brand_surface(page):
    """Ant Design's primary button or selected dark-menu row is colorPrimary, as is a TwoTone's
    default main paint: there only its light part shows, while a one-paint icon is drawn white."""
    cells = layout(np.zeros(2000, int), 64, seed=5, sheet=0, num_icons=1)
    hidden = [c for c in cells if c.main]
    assert 0.03 < len(hidden) / len(cells) < 0.15
    # On a button the main paint is the button's own colour, not the page's.
    buttons = [c for c in hidden if c.extras and c.extras[0]["kind"] == "box"]
    assert buttons and all(f"background:{c.main};" in c.extras[0]["style"] and c.main != c.bg for c in buttons)
    c = next(c for c in hidden if not c.extras and not c.rot)
    assert c.main == c.bg and c.fg != c.bg
    icons = [parse_svg(TWOTONE.replace(b"M0 0h5", b"M0 0h10v5H0z").replace(b"M0 5h5", b"M0 5h10v5H0z"), "t"),
             parse_svg(b'<svg viewBox="0 0 10 10"><path d="M0 0h10v10H0z"/></svg>', "o")]
    page.set_content(render_page(icons, 2, 64, [c, dataclasses.replace(c, icon=1)]))
    img = np.asarray(Image.open(io.BytesIO(page.locator("#grid").screenshot())).convert("RGB"), float)
    bg = np.array([int(c.bg[i:i + 2], 16) for i in (1, 3, 5)])
    at = lambda cell, y: img[c.y + y, 64 * cell + c.x + c.size // 2]  # noqa: E731
    assert np.abs(at(0, 3 * c.size // 4) - bg).max() <= 2  # the main paint (the lower half) is the surface
    assert np.abs(at(0, c.size // 4) - bg).max() > 40  # the tint (the upper half) shows
    assert np.abs(at(1, 3 * c.size // 4) - bg).max() > 40  # a one-paint icon is drawn in fg


def test_rendered_page_draws_every_cell():
    icons = [parse_svg(TWOTONE, "a"), parse_svg(b'<svg viewBox="0 0 4 4"><rect width="4" height="4"/></svg>', "b")]
    cells = layout(np.array([0, 1, 1, 0]), 64, 0, 0, 2)
    html = render_page(icons, 2, 64, cells)
    assert html.count('<symbol id="i') == 2 and html.count('<div class="c"') == 4
    assert render_cells(cells).count('href="#i1"') >= 2


def test_identical_drawings_are_twins():
    a = parse_svg(b'<svg viewBox="0 0 4 4"><rect width="4" height="4"/></svg>', "filled/a")
    b = parse_svg(b'<svg viewBox="0 0 4 4"><rect width="4" height="4"></rect></svg>', "outlined/a")
    c = parse_svg(b'<svg viewBox="0 0 4 4"><rect width="3" height="4"/></svg>', "c")
    assert twin_groups([a, c, b]) == [[0, 2], [1]]


def test_twins_are_reported_by_name(caplog):
    from model_build.pipeline import class_groups

    a = parse_svg(b'<svg viewBox="0 0 4 4"><rect width="4" height="4"/></svg>', "filled/a")
    b = parse_svg(b'<svg viewBox="0 0 4 4"><rect width="4" height="4"></rect></svg>', "outlined/a")
    with caplog.at_level("INFO", logger="mkdocs.plugins.iconsearch"):
        assert class_groups([a, b]) == [[0, 1]]
    assert "filled/a and outlined/a draw exactly the same icon; a search finds them together" in caplog.text


def test_internal_ids_are_made_unique_per_icon():
    icon = parse_svg(b'<svg viewBox="0 0 9 9"><defs><filter id="a"><feOffset dy="1"/></filter></defs>'
                     b'<path filter="url(#a)" d="M0 0h5"/><use href="#a"/></svg>', "x")
    inner = themable(icon, "i7-")["inner"]
    assert 'id="i7-a"' in inner and "url(#i7-a)" in inner and 'href="#i7-a"' in inner and 'id="a"' not in inner


def test_a_hostile_icon_runs_no_script_and_fetches_nothing_in_the_sample_page(page):
    from .conftest import HOSTILE_SVG

    icons = [parse_svg(HOSTILE_SVG.encode(), "hostile"),
             parse_svg(b'<svg viewBox="0 0 4 4"><rect width="4" height="4"/></svg>', "square")]
    requests, dialogs = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_content(render_page(icons, 4, 64, layout(np.array([0, 1] * 8), 64, 0, 0, 2)))
    page.mouse.click(40, 40)  # a click on a drawn hostile icon
    page.wait_for_load_state("networkidle")  # any fetch it started has ended
    page.evaluate("new Promise(done => requestAnimationFrame(() => setTimeout(done)))")  # animations began
    assert page.evaluate("window.__pwned") is None
    assert page.locator("use[href='#i0']").count() >= 1  # it was drawn
    assert not [u for u in requests if "beacon" in u] and not dialogs


@pytest.mark.parametrize("primary, lightest", [  # Ant Design's published palettes: <colour>-6 -> <colour>-1
    ("#1677ff", "#e6f4ff"), ("#1890ff", "#e6f7ff"), ("#f5222d", "#fff1f0"), ("#52c41a", "#f6ffed"),
    ("#722ed1", "#f9f0ff"), ("#fadb14", "#feffe6"), ("#fa8c16", "#fff7e6"), ("#ffffff", "#ffffff"),
])
def test_twotone_second_colour_is_ant_designs_lightest_shade(primary, lightest):
    from model_build.sample_page import _hex, antd_lightest

    rgb = tuple(int(primary[i:i + 2], 16) / 255 for i in (1, 3, 5))
    assert _hex(antd_lightest(rgb)) == lightest
