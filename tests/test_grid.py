"""The index and the drawings' files, and a grid that scales: a page of 3,000 icons loads the
drawings of what it shows, a page at a time, in real Chromium (the widget's own bundle)."""

import dataclasses
import json
import shutil

import pytest

from model_build.hparams import HParams
from model_build.icons import parse_svg
from model_build.pipeline import SVG_CHUNK, read_index, widget_files
from model_build.resources import widget_bundle_dir
from mkdocs_iconsearch.injection import snippet_files

COUNT = 3000


def shape(n: int) -> str:
    return f'<svg viewBox="0 0 24 24"><rect x="{n % 20}" y="2" width="4" height="{4 + n % 17}"/></svg>'


def test_drawings_are_written_in_chunks_and_read_back(tmp_path):
    icons = [parse_svg((shape(n).replace("<rect ", '<rect fill="#E6E6E6" ') if n % 100 == 7 else shape(n)).encode(),
                       f"icon-{n}") for n in range(600)]
    index_name, similar_name, *svg_files = widget_files(icons, [[i] for i in range(600)], HParams(), tmp_path)
    assert json.loads((tmp_path / similar_name).read_text())["classes"] == [[]] * 600  # none given
    index = json.loads((tmp_path / index_name).read_text())
    assert index["format"] == 3 and index["ids"].startswith("icon-0\n51\n52\n") and "svg" not in index["ids"]
    assert index["twins"] == [] and index["kin"] == []  # every icon a class and a family of its own
    assert index["painted"] == [7, 107, 207, 307, 407, 507]  # the classes whose drawing names a paint
    sizes = [SVG_CHUNK] * (600 // SVG_CHUNK) + [600 % SVG_CHUNK]
    assert index["svgs"] == {"chunk": SVG_CHUNK, "files": svg_files} and len(svg_files) == len(sizes) > 2
    assert [len(json.loads((tmp_path / f).read_text())) for f in svg_files] == sizes
    assert all(f.startswith("svgs-") for f in svg_files) and len(set(svg_files)) == len(sizes)
    assert [i["svg"] for i in read_index(tmp_path)["icons"]] == [i.svg for i in icons]


@pytest.fixture(scope="module")
def big_page(tmp_path_factory, static_server):
    """The widget's bundle beside an index of 3,000 icons and their snippets (no model: the
    grid needs none)."""
    root = tmp_path_factory.mktemp("grid")
    assets = root / "assets"
    shutil.copytree(widget_bundle_dir(), assets)
    icons = [parse_svg(shape(n).encode(), f"icon-{n}") for n in range(COUNT)]
    index_name, *_ = widget_files(icons, [[i] for i in range(COUNT)], HParams(), assets)
    # (given in another order than the index's: each file follows the index)
    named = [dataclasses.replace(icon, snippet=f":s-{n}:" if n % 7 else "") for n, icon in enumerate(icons)]
    snippets = snippet_files(named[::-1], [i.id for i in icons], SVG_CHUNK)
    for name, data in snippets.files:
        (assets / name).write_bytes(data)
    (root / "index.html").write_text(
        '<!doctype html><html><head><link rel="stylesheet" href="assets/iconsearch.css">'
        '<script type="module" src="assets/iconsearch.js"></script></head><body>'
        f'<div data-iconsearch data-base="assets/" data-model="model.json" data-index="{index_name}" '
        f'data-snippets="{snippets.pattern}"></div>'
        '</body></html>')
    return static_server(root)


def test_a_big_grid_loads_what_it_shows(big_page, page):
    fetched = []
    page.on("request", lambda r: fetched.append(r.url.rsplit("/", 1)[-1]) if "/svgs-" in r.url else None)
    snippets = []
    page.on("request", lambda r: snippets.append(r.url.rsplit("-", 1)[-1]) if "/snippets-" in r.url else None)
    page.set_viewport_size({"width": 1000, "height": 800})
    page.goto(f"{big_page}/index.html")
    grid = ".iconsearch__grid li"
    page.wait_for_function(f"document.querySelectorAll('{grid}').length > 0")
    page.wait_for_function("[...document.querySelectorAll('.iconsearch__grid img')].every(i => i.src)")
    assert page.inner_text(".iconsearch__count") == f"{COUNT} icons"
    first = page.locator(grid).count()
    assert first < 400 and len(fetched) == 1, (first, fetched)  # one page of icons, one file of drawings
    assert snippets == ["0.json"]  # and of snippets, in the drawings' company
    titles = page.locator(".iconsearch__grid .iconsearch__icon").evaluate_all("els => els.map(e => e.title)")
    assert titles[:8] == ["icon-0", ":s-1:", ":s-2:", ":s-3:", ":s-4:", ":s-5:", ":s-6:", "icon-7"]

    for _ in range(8):  # scrolling down adds pages, and the drawings they need
        page.mouse.wheel(0, 20000)
        page.wait_for_function(f"document.querySelectorAll('{grid}').length > {first}")
        first = page.locator(grid).count()
    page.wait_for_function("[...document.querySelectorAll('.iconsearch__grid img')].every(i => i.src)")
    assert first < COUNT and 1 < len(set(fetched)) < COUNT // SVG_CHUNK + 1, (first, fetched)

    page.fill(".iconsearch__filter", "icon-29")  # icon-29, icon-290…299, icon-2900…2999
    assert page.inner_text(".iconsearch__count") == f"111 of {COUNT} icons"
    page.wait_for_function(f"document.querySelectorAll('{grid}').length === 111")
    page.wait_for_function("[...document.querySelectorAll('.iconsearch__grid img')].every(i => i.src)")
    ids = page.locator(".iconsearch__grid .iconsearch__icon").evaluate_all("els => els.map(e => e.dataset.id)")
    assert ids[:3] == ["icon-29", "icon-290", "icon-291"] and ids[-1] == "icon-2999"
    # Tiles far below the screen are skipped (a keystroke lays out the ones near it): on a short
    # screen, the first of the 111 is laid out, the last is not.
    page.set_viewport_size({"width": 1000, "height": 300})
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_function("""() => { const b = [...document.querySelectorAll('.iconsearch__grid .iconsearch__icon')];
        return b[0].checkVisibility({contentVisibilityAuto: true}) && !b.at(-1).checkVisibility({contentVisibilityAuto: true}); }""")

    svg = page.evaluate("async () => (await iconsearch.svgs(['icon-2998']))[0]")
    assert svg == parse_svg(shape(2998).encode(), "x").svg
    assert page.evaluate("iconsearch.icons[2998].snippet") == ":s-2998:"
    assert len(set(snippets)) == len(set(fetched))  # one file of snippets with each of drawings
    error = page.evaluate("iconsearch.svgs(['no-such-icon']).then(() => 'resolved', e => e.name + ': ' + e.message)")
    assert error == 'QueryError: No icon has the id "no-such-icon".'
