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
from model_build.icons import IconSetError
from model_build.sources import parse_sources, scan_sources, watched_path
from model_build.resources import widget_bundle_dir

from .cache import ModelCache, model_key
from .config import IconsearchConfig
from .injection import (MARKER_LINE, SITE_DIR, copy_site_files, generated_page, head_tags, snippets_json,
                        widget_html)

log = logging.getLogger(LOGGER_NAME)


class IconsearchPlugin(BasePlugin[IconsearchConfig]):
    def __init__(self):
        self.root: Path | None = None
        self.sources = []
        self.cache: ModelCache | None = None
        self.manifest: dict | None = None
        self.widget_pages: set[str] = set()

    def on_startup(self, *, command, dirty):
        """Defining this hook keeps one plugin instance across `mkdocs serve` rebuilds."""

    def on_config(self, config):
        if not self.config.enabled:
            return
        self.root = Path(config.config_file_path or ".").resolve().parent
        if not self.config.icons:
            raise PluginError("iconsearch: set the `icons` option to a folder of SVG files "
                              "(relative to mkdocs.yml), e.g. `icons: icons/`, or to a list of sources")
        try:
            self.sources = parse_sources(self.config.icons)
        except IconSetError as exc:
            raise PluginError(f"iconsearch: {exc}") from None
        self.cache = ModelCache(self.root / self.config.cache_dir)
        self.page_sources = _page_sources(self.config.page)
        theme = config.theme
        self.language = str(self.config.language or theme.get("language") or theme.get("locale") or "en")

    def on_pre_build(self, config):
        if not self.config.enabled:
            return
        try:
            icons, warnings = scan_sources(self.sources, self.root)
        except IconSetError as exc:
            raise PluginError(f"iconsearch: {exc}") from None
        for warning in warnings:
            log.warning("iconsearch: %s", warning)
        if not icons:
            where = ", ".join(str((self.root / s.where).resolve()) if s.kind == "path" else s.describe()
                              for s in self.sources)
            raise PluginError(f"iconsearch: option `icons`: no usable SVG files in {where}; "
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
        # Snippets are not part of the model: a new template never retrains.
        self.snippets = snippets_json(icons)

    def on_files(self, files, config):
        if not self.config.enabled or not self.page_sources:
            return files
        if not any(files.get_file_from_path(src) for src in self.page_sources):
            files.append(File.generated(config, self.page_sources[0], content=generated_page()))
        return files

    def on_page_markdown(self, markdown, page, config, files):
        if not self.config.enabled:
            return markdown
        marked = MARKER_LINE.search(markdown)
        if not marked and page.file.src_uri not in self.page_sources:
            return markdown
        base = get_relative_url(SITE_DIR, page.url) + "/"
        html = widget_html(base, self.manifest, self.snippets, self.language)
        markdown = MARKER_LINE.sub(lambda m: html, markdown, 1) if marked else f"{markdown}\n\n{html}\n"
        self.widget_pages.add(page.file.src_uri)
        return markdown

    def on_post_page(self, output, page, config):
        # Material's instant navigation never reloads <head>: its pages all carry the (small)
        # loader, which mounts the widget when a page that has one is swapped in.
        instant = config.theme.name == "material"
        if not self.config.enabled or (page.file.src_uri not in self.widget_pages and not instant):
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
        copy_site_files(bundle, self.model_dir, self.manifest, Path(config.site_dir), self.snippets)
        self.widget_pages.clear()

    def on_serve(self, server, config, builder):
        if self.config.enabled and self.root:
            for path in filter(None, (watched_path(source, self.root) for source in self.sources)):
                server.watch(str(path))
        return server


def _page_sources(page: str | None) -> tuple[str, ...]:
    """The docs files that are the `page` option's page, the one to generate first:
    `icons/` -> icons.md, icons/index.md, icons/README.md; empty -> none."""
    page = (page or "").strip("/")
    if not page:
        return ()
    stem = page[:-3] if page.endswith(".md") else page
    return (f"{stem}.md", f"{stem}/index.md", f"{stem}/README.md")
