"""MkDocs hooks only; the work is in model_build (pipeline), cache and injection."""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from model_build import LOGGER_NAME
from model_build.backbone import BackboneError
from model_build.browser import BrowserFailed, BrowserNotFound
from model_build.icons import IconSetError, scan_svg_folder
from model_build.resources import widget_bundle_dir

from .cache import ModelCache, model_key
from .config import IconsearchConfig
from .injection import MARKER, SITE_DIR, copy_site_files, generated_page, head_tags, widget_html

log = logging.getLogger(LOGGER_NAME)


class IconsearchPlugin(BasePlugin[IconsearchConfig]):
    def __init__(self):
        self.icons_dir: Path | None = None
        self.cache: ModelCache | None = None
        self.manifest: dict | None = None
        self.widget_pages: set[str] = set()

    def on_startup(self, *, command, dirty):
        """Defining this hook keeps one plugin instance across `mkdocs serve` rebuilds."""

    def on_config(self, config):
        if not self.config.enabled:
            return
        root = Path(config.config_file_path or ".").resolve().parent
        if not self.config.icons:
            raise PluginError("iconsearch: set the `icons` option to a folder of SVG files "
                              "(relative to mkdocs.yml), e.g. `icons: icons/`")
        self.icons_dir = (root / self.config.icons).resolve()
        if not self.icons_dir.is_dir():
            raise PluginError(f"iconsearch: option `icons`: the folder {self.icons_dir} does not exist; "
                              "create it or fix the path (it is relative to mkdocs.yml)")
        self.cache = ModelCache(root / self.config.cache_dir)
        self.page_sources = _page_sources(self.config.page)

    def on_pre_build(self, config):
        if not self.config.enabled:
            return
        icons, warnings = scan_svg_folder(self.icons_dir)
        for warning in warnings:
            log.warning("iconsearch: %s", warning)
        if not icons:
            raise PluginError(f"iconsearch: option `icons`: no usable SVG files in {self.icons_dir}; "
                              "add some *.svg files or point `icons` at another folder")
        hp = self.config.hparams()
        key = model_key(icons, hp)
        manifest = self.cache.get(key)
        if manifest is None:
            log.info("iconsearch: training an icon model for %d icons (cache key %s)", len(icons), key)
            try:
                manifest = self.cache.build(key, icons, hp, self.config.browser_path)
            except (BrowserNotFound, BrowserFailed, IconSetError, BackboneError) as exc:
                raise PluginError(f"iconsearch: {exc}") from None
        else:
            log.info("iconsearch: using the cached model for %d icons (cache key %s)", len(icons), key)
        self.manifest, self.model_dir = manifest, self.cache.entry(key)

    def on_files(self, files, config):
        if not self.config.enabled or not self.page_sources:
            return files
        if not any(files.get_file_from_path(src) for src in self.page_sources):
            files.append(File.generated(config, self.page_sources[0], content=generated_page()))
        return files

    def on_page_markdown(self, markdown, page, config, files):
        if not self.config.enabled:
            return markdown
        if MARKER not in markdown and page.file.src_uri not in self.page_sources:
            return markdown
        base = get_relative_url(SITE_DIR, page.url) + "/"
        html = widget_html(base, self.manifest)
        markdown = markdown.replace(MARKER, html, 1) if MARKER in markdown else f"{markdown}\n\n{html}\n"
        self.widget_pages.add(page.file.src_uri)
        return markdown

    def on_post_page(self, output, page, config):
        if not self.config.enabled or page.file.src_uri not in self.widget_pages:
            return output
        tags = head_tags(get_relative_url(SITE_DIR, page.url) + "/")
        return output.replace("</head>", f"{tags}</head>", 1) if "</head>" in output else tags + output

    def on_post_build(self, config):
        if not self.config.enabled:
            return
        try:
            bundle = widget_bundle_dir()
        except FileNotFoundError as exc:
            raise PluginError(f"iconsearch: {exc}") from None
        copy_site_files(bundle, self.model_dir, self.manifest, Path(config.site_dir))
        self.widget_pages.clear()

    def on_serve(self, server, config, builder):
        if self.config.enabled and self.icons_dir:
            server.watch(str(self.icons_dir))
        return server


def _page_sources(page: str | None) -> tuple[str, ...]:
    """The docs files that are the `page` option's page, the one to generate first:
    `icons/` -> icons.md, icons/index.md, icons/README.md; empty -> none."""
    page = (page or "").strip("/")
    if not page:
        return ()
    stem = page[:-3] if page.endswith(".md") else page
    return (f"{stem}.md", f"{stem}/index.md", f"{stem}/README.md")
