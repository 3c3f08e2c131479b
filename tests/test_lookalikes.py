"""Sketch samples, similar icons and look-alikes: the parts that need no model."""

import numpy as np
import pytest

from model_build.icons import family, parse_svg
from model_build.lookalikes import page, report, text
from model_build.pipeline import families, neighbours
from model_build.sample_page import layout, render_page, sheet_labels, sketch_of


def test_sketch_labels_are_balanced_and_marked():
    sheets = sheet_labels(num_icons=5, samples_per_icon=6, per_sheet=8, seed=0, sketches_per_icon=3)
    icon, sketch = sketch_of(np.concatenate(sheets))
    assert np.bincount(icon[sketch], minlength=5).tolist() == [3] * 5
    assert np.bincount(icon[~sketch], minlength=5).min() >= 6 and icon.min() == 0 and icon.max() == 4


def test_sketch_cells_draw_outlines_of_the_icon_they_label():
    cells = layout(np.array([-1, -3, 0, -2] * 8), 64, seed=0, sheet=0, num_icons=3)
    sketches = [c for c in cells if c.sketch]
    assert len(sketches) == 24 and {c.icon for c in sketches} == {0, 1, 2}
    assert all(c.tint == "none" and "stroke-width" in c.sketch and "filter:url(#w" in c.sketch for c in sketches)
    assert not any(c.sketch for c in cells if c not in sketches)


def test_names_group_the_classes_of_an_icons_variants_outlined_first():
    ids = ["filled/home", "outlined/home", "twotone/home", "filled/star", "heart", "heart-outline", "x", "x-fill"]
    icons = [parse_svg(f'<svg viewBox="0 0 4 4"><rect width="{n + 1}" height="1"/></svg>'.encode(), i)
             for n, i in enumerate(ids)]
    assert family("twotone/home") == family("home-outline") == "home"
    groups = [[0], [1], [2], [3], [4], [5], [6, 7]]  # x and x-fill draw the same pixels: one class
    icon_class = np.array([0, 1, 2, 3, 4, 5, 6, 6])
    assert families(icons, groups, icon_class) == [[1, 0, 2], [3], [5, 4], [6]]


@pytest.mark.parametrize("svg", [
    b'<svg viewBox="0 0 10 10" fill="currentColor"><rect x="1" y="1" width="8" height="8"/></svg>',  # Bootstrap
    b'<svg viewBox="0 0 10 10"><rect x="1" y="1" width="8" height="8" fill="currentColor"/></svg>',
    b'<svg viewBox="0 0 10 10"><rect x="1" y="1" width="8" height="8" fill="#000"/></svg>'])
def test_a_sketch_cell_shows_the_outline_of_a_filled_shape_however_it_is_filled(page, svg):
    """In Chromium: the square's border is inked, its middle is the paper's colour."""
    square = parse_svg(svg, "sq")
    cell = [c for c in layout(np.array([-1] * 40), 64, seed=1, sheet=0, num_icons=1) if not c.extras][0]
    page.set_viewport_size({"width": 64, "height": 64})
    page.set_content(render_page([square], 1, 64, [cell]))
    from io import BytesIO

    from PIL import Image

    img = np.asarray(Image.open(BytesIO(page.screenshot())).convert("L"), dtype=float)
    bg = img[1, 1]
    mid_y, mid_x = cell.y + cell.size // 2, cell.x + cell.size // 2
    assert abs(img[mid_y - 2:mid_y + 3, mid_x - 2:mid_x + 3].mean() - bg) < 20, "the sketch filled the square"
    assert (np.abs(img - bg) > 60).sum() > cell.size, "no outline was drawn"


def test_a_two_paint_icon_is_sketched_as_its_outlined_sibling():
    from model_build.icons import sketch_sources

    two = b'<svg viewBox="0 0 4 4"><rect width="4" height="1" fill="#333"/><rect y="2" width="4" height="1" fill="#E6E6E6"/></svg>'
    icons = [parse_svg(b'<svg viewBox="0 0 4 4"><rect width="3" height="1"/></svg>', "outlined/a"),
             parse_svg(two, "twotone/a"), parse_svg(two, "twotone/b")]
    assert sketch_sources(icons) == [0, 0, 2]  # b has no single-paint sibling: drawn itself
    icon, sketch = sketch_of(np.concatenate(sheet_labels(3, 1, 4, 0, 2, sketch_sources(icons))))
    assert sorted(icon[sketch].tolist()) == [0, 0, 0, 0, 2, 2]


def test_neighbours_rank_the_most_alike_first_and_never_the_class_itself():
    protos = np.array([[1, 0, 0], [0.99, 0.14, 0], [0, 1, 0], [0, 0.6, 0.8]], np.float32)
    protos /= np.linalg.norm(protos, axis=1, keepdims=True)
    rows = neighbours(protos, k=2, block=3)  # blocks: rows across two of them
    assert [r[::2] for r in rows] == [[1, 2], [0, 2], [3, 1], [2, 1]]
    assert rows[0][1] == 990 and rows[1][1] == 990 and all(a >= b for r in rows for a, b in zip(r[1::2], r[3::2]))
    assert neighbours(protos[:1]) == [[]]


def test_lookalikes_report_identical_groups_and_near_pairs_once():
    index = {"icons": [{"id": i} for i in ("a", "b", "c", "d")], "classes": [[0, 3], [1], [2]]}
    similar = {"classes": [[1, 950, 2, 400], [0, 950, 2, 910], [1, 910, 0, 400]]}
    found = report(index, similar, threshold=0.9)
    assert found["identical"] == [["a", "d"]]
    assert found["near"] == [{"a": "a = d", "b": "b", "score": 0.95}, {"a": "b", "b": "c", "score": 0.91}]
    assert report(index, similar, threshold=0.93)["near"] == [{"a": "a = d", "b": "b", "score": 0.95}]
    assert "0.950  a = d  ~  b" in text(found)
    html = page(found, {"a": '<svg viewBox="0 0 1 1"><script>alert(1)</script></svg>', "b": "<svg/>", "c": "<svg/>"})
    assert html.count("<img") == 2 + 4 and "<script" not in html  # drawings are <img> data URIs, escaped
    with pytest.raises(ValueError, match="threshold must be above 0 and at most 1"):
        report(index, similar, threshold=1.5)
