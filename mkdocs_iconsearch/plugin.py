"""MkDocs hooks only: scan -> model store (site_model) -> inject (injection)."""

from __future__ import annotations

import functools
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
from model_build.lookalikes import page as lookalike_page
from model_build.pipeline import read_index
from model_build.resources import widget_bundle_dir
from model_build.sources import watched_path
from model_build.store import UNWRITABLE, CacheWriteError

from .config import IconsearchConfig
from .injection import MARKER_LINE, SITE_DIR, copy_site_files, generated_page, head_tags, widget_html
from .site_model import OptionError, SiteModel, lookalikes, read_options, site_model

log = logging.getLogger(LOGGER_NAME)
# Failures the user can fix: their messages name the thing and the fix.
EXPECTED = (BrowserNotFound, BrowserFailed, IconSetError, BackboneError, CacheWriteError, OptionError)


def reported(hook):
    """No traceback reaches the user from a hook: an expected failure becomes its one-line
    message, anything else a line that says what broke; `mkdocs build --verbose` shows the
    traceback. (Ctrl-C and other BaseExceptions pass through.)"""

    @functools.wraps(hook)
    def run(self, *args, **kwargs):
        try:
            return hook(self, *args, **kwargs)
        except PluginError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes one line
            log.debug("iconsearch: where this came from:", exc_info=True)
            raise PluginError(f"iconsearch: {_one_line(exc, hook.__name__)}") from None

    return run


def _one_line(exc: Exception, hook: str) -> str:
    if isinstance(exc, EXPECTED):
        return str(exc)
    if isinstance(exc, OSError) and exc.errno in UNWRITABLE:  # the site's folder (the cache's: CacheWriteError)
        words, fix = UNWRITABLE[exc.errno]
        return f"could not write {exc.filename}: {words}. Fix: {fix}"
    if isinstance(exc, OSError):
        what = f"{exc.strerror}: {exc.filename}" if exc.strerror and exc.filename else str(exc)
        return f"{what} (during {hook}; `mkdocs build --verbose` shows where)"
    return (f"unexpected {type(exc).__name__} during {hook}: {exc}. This is a bug: please report it with the "
            "output of `mkdocs build --verbose`")


class IconsearchPlugin(BasePlugin[IconsearchConfig]):
    def __init__(self):
        self.root: Path | None = None
        self.sources = []
        self.site: SiteModel | None = None
        self.widget_pages: set[str] = set()

    def on_startup(self, *, command, dirty):
        """Defining this hook keeps one plugin instance across `mkdocs serve` rebuilds."""

    @reported
    def on_config(self, config):
        if not self.config.enabled:
            return
        self.root = Path(config.config_file_path or ".").resolve().parent
        self.sources, self.limits = read_options(self.config, self.root)
        self.page_sources = _page_sources(self.config.page)
        self.lookalikes_sources = _page_sources(self.config.lookalikes_page)  # the first is generated
        self.lookalikes_page = (self.lookalikes_sources or (None,))[0]
        if not 0 < self.config.lookalikes_threshold <= 1:
            raise OptionError(f"option `lookalikes_threshold` must be above 0 and at most 1, not "
                              f"{self.config.lookalikes_threshold!r}")
        theme = config.theme
        self.language = str(self.config.language or theme.get("language") or theme.get("locale") or "en")

    @reported
    def on_pre_build(self, config):
        if self.config.enabled:
            self.site = site_model(self.config, self.root, self.sources, self.limits)

    @reported
    def on_files(self, files, config):
        if not self.config.enabled:
            return files
        if self.page_sources and not any(files.get_file_from_path(src) for src in self.page_sources):
            files.append(File.generated(config, self.page_sources[0], content=generated_page()))
        taken = [src for src in self.lookalikes_sources if files.get_file_from_path(src)]
        if taken:
            log.warning("iconsearch: the docs have a page %s already, so no look-alikes page is generated there: "
                        "set `lookalikes_page` to another path", taken[0])
        elif self.lookalikes_page:
            model = self.site.model
            index = read_index(model.folder, model.manifest["index"])  # (every drawing's file: read once)
            found = lookalikes(model, self.config.lookalikes_threshold, index)
            svgs = {i["id"]: i.get("svg", "") for i in index["icons"]}
            files.append(File.generated(config, self.lookalikes_page, content=lookalike_page(found, svgs)))
        return files

    @reported
    def on_page_markdown(self, markdown, page, config, files):
        if not self.config.enabled:
            return markdown
        if page.file.src_uri == self.lookalikes_page:  # the widget's stylesheet lays it out
            self.widget_pages.add(page.file.src_uri)
            return markdown
        marked = MARKER_LINE.search(markdown)
        if not marked and page.file.src_uri not in self.page_sources:
            return markdown
        base = get_relative_url(SITE_DIR, page.url) + "/"
        html = widget_html(base, self.site.model.manifest, self.site.snippets, self.language)
        markdown = MARKER_LINE.sub(lambda m: html, markdown, 1) if marked else f"{markdown}\n\n{html}\n"
        self.widget_pages.add(page.file.src_uri)
        return markdown

    @reported
    def on_post_page(self, output, page, config):
        # Material's instant navigation never reloads <head>: its pages all carry the (small)
        # loader, which mounts the widget when a page that has one is swapped in.
        instant = config.theme.name == "material"
        if not self.config.enabled or (page.file.src_uri not in self.widget_pages and not instant):
            return output
        tags = head_tags(get_relative_url(SITE_DIR, page.url) + "/", self.site.model.manifest, self.site.snippets)
        return output.replace("</head>", f"{tags}</head>", 1) if "</head>" in output else tags + output

    @reported
    def on_post_build(self, config):
        if not self.config.enabled:
            return
        try:
            bundle = widget_bundle_dir()
        except FileNotFoundError as exc:
            raise PluginError(f"iconsearch: {exc}") from None
        model = self.site.model
        copy_site_files(bundle, model.folder, model.manifest, Path(config.site_dir), self.site.snippets)
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
