"""The widget's preprocess.js and model_build/preprocess.py give the same numbers on the same pixels."""

import base64
import shutil

import numpy as np
import pytest

from model_build.preprocess import preprocess_views
from model_build.resources import widget_bundle_dir


def images():
    rng = np.random.default_rng(7)
    out = []
    for n in range(12):
        h, w = int(rng.integers(8, 90)), int(rng.integers(8, 90))
        img = np.empty((h, w, 4), np.uint8)
        img[..., :3] = rng.integers(0, 256, 3)  # background
        img[..., 3] = 255
        y0, x0 = int(rng.integers(0, h // 2)), int(rng.integers(0, w // 2))
        img[y0:y0 + h // 3, x0:x0 + w // 4, :3] = rng.integers(0, 256, 3)  # a shape
        img[y0 + h // 3:y0 + h // 2, x0:x0 + w // 2, :3] = rng.integers(0, 256, 3)  # a second shade
        if n % 3 == 1:  # noise, like JPEG
            img[..., :3] = np.clip(img[..., :3] + rng.normal(0, 12, (h, w, 3)), 0, 255).astype(np.uint8)
        if n % 4 == 2:  # transparency: shapes on a clear background
            img[..., 3] = np.where((img[..., :3] == img[0, 0, :3]).all(-1), 0, 255)
        out.append(img)
    button = np.full((40, 90, 4), 255, np.uint8)
    button[4:36, 3:90, :3] = (22, 119, 255)  # a filled button, cut on the right
    button[12:28, 10:14, :3] = 255  # a light icon inside it
    button[24:28, 10:22, :3] = 250
    button[16:22, 30:70, :3] = 240  # its label
    out.append(button)
    out.append(np.full((1, 1, 4), 200, np.uint8))
    label = np.full((30, 80, 4), 250, np.uint8)  # an icon and the start of its label: two views
    label[6:24, 4:22, :3] = (40, 40, 40)
    label[10:20, 8:18, :3] = 250
    label[12:20, 28:31, :3] = (40, 40, 40)
    label[12:20, 34:60, :3] = (90, 90, 90)
    out.append(label)
    for tight in (False, True):  # a disabled button's corner: its border lines dropped (step 4), or,
        ruled = np.full((36, 40, 4), 255, np.uint8)  # flush with the edges of a tight crop, kept
        edge = 0 if tight else 1
        ruled[edge, edge:, :3] = ruled[edge:, edge, :3] = 217
        ruled[8:36 if tight else 30, 12:40 if tight else 30, :3] = 191
        ruled[12:20, 16:24, :3] = 255
        out.append(ruled)
    menu = np.full((30, 30, 4), 255, np.uint8)  # a menu icon cropped tight: its bars are not borders
    for n in range(3):
        menu[2 + n * 12:5 + n * 12, 1:29, :3] = 30
    out.append(menu)
    flat = np.full((10, 30, 4), 255, np.uint8)
    flat[4, 3:27, :3] = 0  # a thin line: a very wide box
    out.append(flat)
    return out


@pytest.fixture(scope="module")
def bundle_page(tmp_path_factory, static_server):
    root = tmp_path_factory.mktemp("bundle")
    shutil.copytree(widget_bundle_dir(), root / "assets")
    (root / "index.html").write_text('<!doctype html><script type="module" src="assets/iconsearch.js"></script>')
    return static_server(root)


@pytest.mark.parametrize("size", [32, 20])
def test_javascript_matches_python(page, bundle_page, size):
    page.goto(bundle_page + "/index.html")
    page.wait_for_function("!!(window.iconsearch && window.iconsearch.preprocess)")
    imgs = images()
    payload = [{"w": int(i.shape[1]), "h": int(i.shape[0]), "b64": base64.b64encode(i.tobytes()).decode()} for i in imgs]
    got = page.evaluate("""async ([items, size]) => {
        const out = [];
        for (const it of items) {
            const bytes = Uint8ClampedArray.from(atob(it.b64), c => c.charCodeAt(0));
            out.push(await iconsearch.preprocess(new ImageData(bytes, it.w, it.h), size));
        }
        return out;
    }""", [payload, size])
    compared = two_views = 0
    for img, js in zip(imgs, got):
        py = preprocess_views(img, size)
        assert len(js) == len(py)
        for js_view, py_view in zip(js, py):
            np.testing.assert_allclose(np.array(js_view, np.float32).reshape(size, size), py_view, atol=1e-5)
            compared += 1
        two_views += len(py) == 2
    assert compared >= 12 and two_views >= 2
