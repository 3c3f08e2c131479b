"""The widget in MkDocs' own themes and in Material for MkDocs: layout at desktop and phone
widths, languages, Material's palette and instant navigation, snippets; real builds, real Chromium."""

import json

import pytest
import yaml

from model_build.localweb import search_images
from model_build.pipeline import read_index

from .conftest import ROOT, antd_icons, mkdocs_build

pytestmark = pytest.mark.slow

ANTD = ["outlined/home", "filled/home", "outlined/star", "filled/star"]
OCTICONS = ["heart-16", "mark-github-16"]
THEMES = {  # theme config, plugin extras, the drop hint's first words in the expected language
    "mkdocs": ({"name": "mkdocs", "highlightjs": False}, {"language": "ja"}, "スクリーンショット"),
    "readthedocs": ({"name": "readthedocs", "highlightjs": False}, {}, "Drop a screenshot"),
    "material": ({"name": "material", "language": "de", "font": False, "features": ["navigation.instant"], "palette": [
        {"scheme": "default", "toggle": {"icon": "material/brightness-7", "name": "Dark"}},
        {"scheme": "slate", "toggle": {"icon": "material/brightness-4", "name": "Light"}}]}, {}, "Screenshot hier"),
}


@pytest.fixture(scope="module")
def sites(tmp_path_factory, static_server):
    """One icon set (an Ant Design folder with React snippets, two Octicons from an Iconify file
    with Material shortcodes), built in each theme; the model cache is shared. Each site is
    served at the `site_url` it was built for (Material's instant navigation needs that)."""
    root = tmp_path_factory.mktemp("themes")
    antd_icons(root / "icons/antd", ANTD)
    collection = json.loads((ROOT / "node_modules/@iconify-json/octicon/icons.json").read_text())
    collection["icons"] = {k: collection["icons"][k] for k in OCTICONS}
    (root / "icons/octicon.json").write_text(json.dumps(collection))
    built = {}
    for theme, (theme_config, extra, _) in THEMES.items():
        site = root / theme
        (site / "docs").mkdir(parents=True)
        base = static_server(site / "site")
        (site / "docs/index.md").write_text("# Home\n\nWelcome.\n")
        plugin = {"icons": [{"path": "../icons/antd", "snippet": "<{Name}Outlined />"},
                            {"iconify": "../icons/octicon.json", "prefix": "octicon:", "snippet": ":octicons-{name}:"}],
                  "cache_dir": str(root / "cache"), "training_samples_per_icon": 40, "training_epochs": 3,
                  "training_finetune_epochs": 2, "training_batch_size": 64, "training_finetune_batch_size": 64, **extra}
        (site / "mkdocs.yml").write_text(yaml.safe_dump({
            "site_name": f"{theme} test", "site_url": f"{base}/", "theme": theme_config,
            "plugins": ["search", {"iconsearch": plugin}], "nav": [{"Home": "index.md"}, {"Icons": "icons.md"}]},
            sort_keys=False))
        mkdocs_build(site)
        built[theme] = site / "site", base
    return built


def render(page, svg: str, size=40, fg="#222", bg="#fff") -> bytes:
    page.set_content(f'<div id="crop" style="display:inline-block;padding:14px 22px;background:{bg};color:{fg}">'
                     f'<span style="display:block;width:{size}px;height:{size}px">{svg}</span></div>'
                     '<style>body{margin:0} svg{width:100%;height:100%;fill:currentColor}</style>')
    return page.locator("#crop").screenshot()


def index_svgs(site) -> dict:
    index = read_index(site / "assets/iconsearch")
    return {i["id"]: i["svg"] for i in index["icons"]}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("width", [1280, 390])
def test_the_widget_fits_the_theme(sites, page, theme, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{sites[theme][1]}/icons/")
    grid = page.locator(".iconsearch__grid li")
    grid.nth(len(ANTD) + len(OCTICONS) - 1).wait_for()
    widget = page.locator(".iconsearch")
    assert widget.is_visible() and page.locator(".iconsearch__drop").is_visible()
    box = widget.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width and box["height"] > 100
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    # The widget's own parts stay inside it.
    assert page.evaluate("""() => [...document.querySelectorAll('.iconsearch *')].every(e => {
        const r = e.getBoundingClientRect(), w = document.querySelector('.iconsearch').getBoundingClientRect();
        return r.width === 0 || (r.left >= w.left - 1 && r.right <= w.right + 1); })""")
    # The theme's list styles don't win: a grid of icons (side by side), no bullets.
    tops = grid.evaluate_all("els => els.slice(0, 2).map(e => Math.round(e.getBoundingClientRect().top))")
    assert len(set(tops)) == 1, f"the icons are stacked, not in a grid: {tops}"
    assert grid.first.evaluate("e => getComputedStyle(e).listStyleType") == "none"
    # What is drawn: the hint's words, and every icon of the grid decoded and painting pixels.
    hint = page.locator(".iconsearch__hint")
    assert hint.inner_text().startswith(THEMES[theme][2]) and hint.bounding_box()["width"] > 40
    widget.scroll_into_view_if_needed()
    page.wait_for_function("[...document.querySelectorAll('.iconsearch__grid img')].every(i => i.complete && i.naturalWidth)")
    inked = grid.locator("img").evaluate_all("""imgs => imgs.map(img => {
        const c = document.createElement('canvas'); c.width = c.height = 32;
        const g = c.getContext('2d'); g.drawImage(img, 0, 0, 32, 32);
        const alpha = g.getImageData(0, 0, 32, 32).data.filter((_, i) => i % 4 === 3);
        return alpha.filter(a => a > 128).length; })""")
    assert len(inked) == len(ANTD) + len(OCTICONS) and all(30 < n < 32 * 32 for n in inked), inked
    box = grid.first.locator("img").bounding_box()
    assert box["width"] >= 16 and box["height"] >= 16  # shown at a size one can see


@pytest.mark.parametrize("theme", THEMES)
def test_strings_follow_the_language(sites, page, theme):
    page.goto(f"{sites[theme][1]}/icons/")
    assert page.inner_text(".iconsearch__hint").startswith(THEMES[theme][2])


def test_material_instant_navigation_palette_and_snippets(sites, page):
    site, base = sites["material"]
    svgs = index_svgs(site)
    heart = render(page, svgs["octicon:heart-16"])
    page.goto(f"{base}/")
    page.wait_for_load_state("networkidle")  # Material has fetched its sitemap: links are instant
    page.evaluate("window.__sameDocument = true")
    page.locator("a.md-nav__link", has_text="Icons").first.click()
    page.locator(".iconsearch__grid li").first.wait_for()
    assert page.evaluate("window.__sameDocument") is True, "Material reloaded the page"
    # Palette: the accent follows Material's variable; icons are inverted on the dark scheme.
    accent = page.evaluate("getComputedStyle(document.querySelector('.iconsearch')).getPropertyValue('--is-accent').trim()")
    assert accent == page.evaluate("getComputedStyle(document.body).getPropertyValue('--md-accent-fg-color').trim()")
    img = ".iconsearch__grid img"
    assert page.evaluate(f"getComputedStyle(document.querySelector('{img}')).filter") == "none"
    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    assert "invert" in page.evaluate(f"getComputedStyle(document.querySelector('{img}')).filter")
    # A search on the page reached by instant navigation, and its snippet.
    page.set_input_files(".iconsearch__file", files=[{"name": "h.png", "mimeType": "image/png", "buffer": heart}])
    first = page.locator(".iconsearch__match .iconsearch__icon").first
    first.wait_for(timeout=60_000)
    assert first.get_attribute("data-id") == "octicon:heart-16"
    assert first.locator(".iconsearch__snippet").inner_text() == ":octicons-heart-16:"
    first.click()
    page.locator(".iconsearch__status", has_text="Kopiert: :octicons-heart-16:").wait_for()
    # Away and back again: one widget, one paste listener.
    page.locator("a.md-nav__link", has_text="Home").first.click()
    page.wait_for_function("!document.querySelector('.iconsearch')")
    page.locator("a.md-nav__link", has_text="Icons").first.click()
    page.locator(".iconsearch__grid li").first.wait_for()
    assert page.locator(".iconsearch").count() == 1 and page.evaluate("window.__sameDocument") is True


def first_match(page, png: bytes) -> str:
    """The top match's id, or the error as "<class>: <message>" (model_build.localweb's snippet)."""
    [answer] = search_images(page, [(png, "image/png")], k=3, strict=False)
    return f"{answer['kind']}: {answer['error']}" if "error" in answer else answer["results"][0]["id"]


def test_the_js_api_works_on_every_page_of_a_material_site(sites, page, context):
    """Material's instant navigation loads the widget's script on every page: window.iconsearch
    finds the site's model from any of them, before and after navigating either way."""
    site, base = sites["material"]
    heart = render(page, index_svgs(site)["octicon:heart-16"])
    page.goto(f"{base}/")  # no widget on this page
    assert page.locator(".iconsearch").count() == 0
    assert first_match(page, heart) == "octicon:heart-16"
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__sameDocument = true")
    page.locator("a.md-nav__link", has_text="Icons").first.click()
    page.locator(".iconsearch__grid li").first.wait_for()
    assert first_match(page, heart) == "octicon:heart-16"
    page.locator("a.md-nav__link", has_text="Home").first.click()
    page.wait_for_function("!document.querySelector('.iconsearch')")
    assert first_match(page, heart) == "octicon:heart-16"
    assert page.evaluate("window.__sameDocument") is True, "Material reloaded the page"

    other = context.new_page()  # the other way: the widget's page first, then away from it
    other.goto(f"{base}/icons/")
    other.locator(".iconsearch__grid li").first.wait_for()
    other.wait_for_load_state("networkidle")
    other.locator("a.md-nav__link", has_text="Home").first.click()
    other.wait_for_function("!document.querySelector('.iconsearch')")
    assert first_match(other, heart) == "octicon:heart-16"

    # A page that loads the script but names no model (a hand-made page): a clear QueryError.
    bare = context.new_page()
    bare.goto(f"{base}/")
    bare.evaluate("document.querySelector('meta[name=iconsearch]').remove()")
    message = first_match(bare, heart)
    assert message.startswith("QueryError: This page has no icon model") and "search widget" in message
    assert "404" not in message


def test_react_snippet_for_a_folder_source(sites, page):
    site, base = sites["readthedocs"]
    star = render(page, index_svgs(site)["outlined/star"], fg="#1677ff")
    page.goto(f"{base}/icons/")
    page.set_input_files(".iconsearch__file", files=[{"name": "s.png", "mimeType": "image/png", "buffer": star}])
    first = page.locator(".iconsearch__match .iconsearch__icon").first
    first.wait_for(timeout=60_000)
    assert first.get_attribute("data-id") == "outlined/star"
    assert first.locator(".iconsearch__snippet").inner_text() == "<StarOutlined />"
    result = page.evaluate("async () => (await iconsearch.search(document.querySelector('.iconsearch__preview')))[0]")
    assert result["snippet"] == "<StarOutlined />"


def test_every_language_has_every_string(sites, page):
    page.goto(f"{sites['mkdocs'][1]}/icons/")
    languages = page.evaluate("""() => Object.fromEntries(Object.entries(iconsearch.languages).map(([code, t]) =>
        [code, Object.fromEntries(Object.entries(t).map(([k, v]) => [k, typeof v === 'function' ? v(3, 9) : v]))]))""")
    assert set(languages) >= {"en", "zh", "de", "fr", "es", "ja"}
    for code, strings in languages.items():
        assert set(strings) == set(languages["en"]), code
        if code != "en":
            assert all(strings[k] != languages["en"][k] for k in ("drop", "noIcon", "filter")), code
        assert "3" in strings["count"] and "9" in strings["count"]


def test_typing_in_the_filter_does_not_trigger_material_shortcuts(sites, page):
    page.goto(f"{sites['material'][1]}/icons/")
    page.locator(".iconsearch__grid li").first.wait_for()
    page.click(".iconsearch__filter")
    page.keyboard.type("star")  # "s" and "/" open Material's search elsewhere on the page
    assert page.evaluate("document.activeElement.classList.contains('iconsearch__filter')")
    assert page.locator(".iconsearch__grid li").count() == 2
    assert not page.evaluate("document.querySelector('[data-md-toggle=search]').checked")


@pytest.mark.parametrize("theme, width, scheme", [
    ("mkdocs", 1280, "light"), ("mkdocs", 390, "light"), ("readthedocs", 1280, "light"), ("readthedocs", 390, "light"),
    ("material", 1280, "light"), ("material", 390, "light"), ("material", 1280, "dark"), ("material", 390, "dark"),
    ("mkdocs", 1280, "dark"), ("mkdocs", 390, "dark")])
def test_the_draw_pad_works_in_the_theme(sites, page, theme, width, scheme):
    """Drawn with the mouse on a desktop, with a finger (touch events) on a phone: the pad shows
    the strokes, inside the widget, and the matches follow each stroke."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{sites[theme][1]}/icons/")
    if scheme == "dark" and theme == "material":
        page.locator("label.md-header__button[for^='__palette']:visible").first.click()
        page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    elif scheme == "dark":  # what MkDocs' theme does for `color_mode: dark` and its toggle
        page.evaluate("document.documentElement.dataset.bsTheme = 'dark'")
    canvas = page.locator(".iconsearch__canvas")
    canvas.scroll_into_view_if_needed()
    box, widget = canvas.bounding_box(), page.locator(".iconsearch").bounding_box()
    assert box["width"] >= 120 and abs(box["width"] - box["height"]) < 2, box  # a square one can draw in
    assert widget["x"] <= box["x"] and box["x"] + box["width"] <= widget["x"] + widget["width"] + 1
    sheet_filter = page.evaluate("getComputedStyle(document.querySelector('.iconsearch__sheet')).filter")
    assert ("invert" in sheet_filter) == (scheme == "dark")  # white paper on light pages, dark on dark ones
    circle = [(box["x"] + box["width"] * (0.5 + 0.35 * c), box["y"] + box["height"] * (0.5 + 0.35 * s))
              for c, s in ((1, 0), (0.7, 0.7), (0, 1), (-0.7, 0.7), (-1, 0), (-0.7, -0.7), (0, -1), (0.7, -0.7), (1, 0))]
    if width < 600:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": circle[0][0], "y": circle[0][1]}]})
        for x, y in circle[1:]:
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    else:
        page.mouse.move(*circle[0])
        page.mouse.down()
        for x, y in circle[1:]:
            page.mouse.move(x, y)
        page.mouse.up()
    page.locator(".iconsearch__match").first.wait_for(timeout=60_000)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    inked = page.evaluate("""() => { const c = document.querySelector('.iconsearch__canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 0; i < d.length; i += 4) n += d[i] < 128; return n; }""")
    assert inked > 1000, inked
    assert not page.locator(".iconsearch__undo").is_disabled()
