"""The widget in MkDocs' own themes and in Material for MkDocs: layout at desktop and phone
widths, languages, Material's palette and instant navigation, snippets; real builds, real Chromium."""

import json

import pytest
import yaml

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
                  "training_finetune_epochs": 2, "training_batch_size": 64, **extra}
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
    index = json.loads(next((site / "assets/iconsearch").glob("index-*.json")).read_text())
    return {i["id"]: i["svg"] for i in index["icons"]}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("width", [1280, 390])
def test_the_widget_fits_the_theme(sites, page, theme, width, tmp_path):
    from PIL import Image

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
    shot = tmp_path / f"{theme}-{width}.png"
    widget.screenshot(path=str(shot))
    colours = Image.open(shot).convert("L").getcolors(1 << 16)
    assert len(colours) > 20  # drawn: a hint, a grid of icons, text, not a blank box


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
