import numpy as np
import pytest

from model_build.preprocess import composite, ink_bounds, ink_map, preprocess


def glyph(h=48, w=64, fg=(0, 0, 0), bg=(255, 255, 255), x=20, y=10, scale=1):
    """A small asymmetric shape (an L with a dot) drawn into an RGB image."""
    img = np.empty((h, w, 3), np.uint8)
    img[:] = bg
    s = scale
    img[y:y + 20 * s, x:x + 4 * s] = fg
    img[y + 16 * s:y + 20 * s, x:x + 14 * s] = fg
    img[y:y + 4 * s, x + 10 * s:x + 14 * s] = fg
    return img


def test_output_shape_range():
    out = preprocess(glyph(), 32)
    assert out.shape == (32, 32) and out.dtype == np.float32
    assert 0 <= out.min() and out.max() <= 1 and out.max() > 0.9


def test_polarity_and_colour_do_not_matter():
    base = preprocess(glyph(), 32)
    for fg, bg in [((255, 255, 255), (20, 20, 20)), ((255, 255, 255), (22, 119, 255)), ((196, 29, 127), (240, 240, 240))]:
        np.testing.assert_allclose(preprocess(glyph(fg=fg, bg=bg), 32), base, atol=1e-6)


def test_position_and_scale_are_normalized():
    base = preprocess(glyph(), 32)
    np.testing.assert_allclose(preprocess(glyph(x=3, y=25), 32), base, atol=1e-6)
    big = preprocess(glyph(h=96, w=128, scale=2), 32)
    assert np.abs(big - base).mean() < 0.02


def test_transparent_images_use_alpha_as_shape():
    rgba = np.zeros((48, 64, 4), np.uint8)
    rgba[..., :3] = 255  # white glyph on transparency: would vanish over white
    rgba[..., 3] = (glyph()[..., 0] == 0) * 255
    np.testing.assert_allclose(preprocess(rgba, 32), preprocess(glyph(), 32), atol=1e-6)


@pytest.mark.parametrize("img", [np.full((20, 20, 3), 128, np.uint8), np.zeros((1, 1, 4), np.uint8)])
def test_blank_images_give_zeros(img):
    assert not preprocess(img, 16).any()


def test_twotone_keeps_a_light_second_shade():
    img = glyph()
    img[14:24, 25:29] = (230, 230, 230)  # a twotone icon's secondary shade, inside the glyph's box
    added = preprocess(img, 32) - preprocess(glyph(), 32)
    assert added.min() >= -1e-6
    assert 0.08 < added.max() < 0.11  # (255 - 230) / 255: faint, but not lost


def test_light_icon_in_a_filled_button_reads_as_ink():
    button = np.full((56, 72, 3), 255, np.uint8)  # a white page around ...
    button[4:52, 4:68] = glyph(h=48, w=64, fg=(255, 255, 255), bg=(22, 119, 255))  # ... a blue button
    out = preprocess(button, 32)
    # Without step 5 the button is a solid block of ink with the glyph as a hole. With it, the
    # glyph's strokes are the ink: about its share of the (square) frame, 136 / 72^2 pixels.
    inked = (out > 0.5).mean()
    assert 0.01 < inked < 0.06 and out.max() > 0.9


def test_a_border_beside_a_dimmed_icon_is_dropped():
    icon = glyph(fg=(191, 191, 191))  # antd's disabled text colour, rgba(0,0,0,.25) on white
    button = icon.copy()
    button[2, 1:] = 217  # a disabled button's border (#d9d9d9): its top-left corner, in the crop
    button[2:, 1] = 217
    assert ink_bounds(ink_map(composite(button)))[:3:2] == (2, 1)  # the border would take the box
    np.testing.assert_allclose(preprocess(button, 32), preprocess(icon, 32), atol=1e-6)


def test_lines_that_belong_to_the_icon_stay():
    tight = np.full((30, 30, 3), 255, np.uint8)  # vertical-align-top cropped tight: a bar, an arrow
    tight[0:2, :] = 0
    tight[6:30, 13:17] = 0
    assert preprocess(tight, 32)[:6].max() > 0.9  # the bar, at the top
    square = np.full((32, 32, 3), 255, np.uint8)  # a square outline (border-outer): four sides
    square[[1, 30], 1:31] = square[1:31, [1, 30]] = 0
    square[10:20, 10:20] = 0
    assert preprocess(square, 32)[:, :6].max() > 0.9  # its left side
    for bars in (3, 2):  # a menu icon and an equals sign, cropped tight: every bar stays
        icon = np.full((30, 30, 3), 255, np.uint8)
        for n in range(bars):
            icon[2 + n * 12:5 + n * 12, 1:29] = 0
        padded = np.pad(icon, ((10, 10), (10, 10), (0, 0)), constant_values=255)  # no line spans this crop
        np.testing.assert_allclose(preprocess(icon, 32), preprocess(padded, 32), atol=1e-6, err_msg=str(bars))


def test_batch_matches_one_by_one():
    from model_build.preprocess import preprocess_batch, preprocess_views

    rng = np.random.default_rng(3)
    cells = np.empty((40, 58, 58, 3), np.uint8)
    for i in range(len(cells)):
        cells[i] = rng.integers(0, 256, 3)
        kind = i % 5
        if kind == 0:
            continue  # blank
        y, x, s = int(rng.integers(2, 20)), int(rng.integers(2, 20)), int(rng.integers(8, 30))
        cells[i, y:y + s, x:x + 4] = rng.integers(0, 256, 3)
        cells[i, y + s - 4:y + s, x:x + s] = rng.integers(0, 256, 3)
        if kind == 3:  # a filled button with a light icon and label: opened, and wide
            cells[i, 3:30, 3:58] = (20, 100, 250)
            cells[i, 10:25, 10:14] = 255
            cells[i, 14:20, 24:50] = 255
        if kind == 4:  # an icon and a label: wide, so a leading view too
            cells[i, 20:30, 5:15] = (0, 0, 0)
            cells[i, 22:28, 20:55] = (0, 0, 0)
        if i % 4 == 1:  # a border line along one edge (dropped by step 4) or two
            cells[i, 1, :] = rng.integers(0, 256, 3)
            if i % 8 == 1:
                cells[i, 1:, 56] = cells[i, 1, 0]
    whole, leads, wide = preprocess_batch(cells, 32)
    expected = [preprocess_views(c, 32) for c in cells]
    for i, views in enumerate(expected):
        np.testing.assert_allclose(whole[i], views[0] if views else np.zeros((32, 32)), atol=1e-5)
    assert list(wide) == [i for i, views in enumerate(expected) if len(views) == 2] and len(wide) >= 5
    for lead, i in zip(leads, wide):
        np.testing.assert_allclose(lead, expected[i][1], atol=1e-5)


def test_wide_crop_gets_a_close_up_leading_view():
    from model_build.preprocess import preprocess_views

    img = np.full((40, 120, 3), 255, np.uint8)
    img[8:32, 4:28] = glyph(h=24, w=24, x=2, y=2, scale=1)[:24, :24]
    img[14:26, 36:110] = 60  # the label: a long dark bar
    whole, lead = preprocess_views(img, 32)
    assert (lead > 0.5).mean() > 2 * (whole[:, :12] > 0.5).mean()  # the icon, bigger
    assert len(preprocess_views(glyph(), 32)) == 1  # a square-ish crop: one view
