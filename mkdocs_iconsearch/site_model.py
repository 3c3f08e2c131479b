"""A site's model from its plugin options: the icon sources scanned, then the model store.

The plugin's build and the ``mkdocs-iconsearch`` CLI both call :func:`site_model`; neither
drives the other's code (the CLI runs no MkDocs hook).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

from model_build import LOGGER_NAME
from model_build.icons import IconSetError
from model_build.lookalikes import report
from model_build.pipeline import index_ids, read_index
from model_build.sources import Source, parse_sources, scan_sources
from model_build.store import ModelStore, StoredModel

from .config import IconsearchConfig
from .injection import Snippets, snippet_files

log = logging.getLogger(LOGGER_NAME)


class OptionError(Exception):
    """An option of the plugin is missing or wrong: the message names it and the fix."""


@dataclasses.dataclass(frozen=True)
class SiteModel:
    model: StoredModel
    snippets: Snippets | None  # not part of the model: a new template never retrains


def read_options(cfg: IconsearchConfig, root: Path | None = None):
    """``(sources, limits)`` from the options (``root``: mkdocs.yml's folder), or ``OptionError``."""
    if not cfg.icons:
        raise OptionError("set the `icons` option to a folder of SVG files (relative to mkdocs.yml), "
                          "e.g. `icons: icons/`, or to a list of sources")
    try:
        cfg.hparams(root)  # refused here, before any work, with the option's name
        return parse_sources(cfg.icons), cfg.limits()
    except IconSetError as exc:
        raise OptionError(str(exc)) from None
    except ValueError as exc:
        raise OptionError(f"option {exc}") from None


def lookalikes(model: StoredModel, threshold: float, index: dict | None = None) -> dict:
    """The model's identical icons and near-duplicates (``model_build.lookalikes.report``);
    ``index``: the model's index when the caller has read it already."""
    if not model.manifest.get("similar"):
        raise OptionError("this model was built before look-alikes existed: rebuild it (delete the cache_dir)")
    index = index or read_index(model.folder, model.manifest["index"])
    try:
        return report(index, json.loads((model.folder / model.manifest["similar"]).read_text()), threshold)
    except ValueError as exc:
        raise OptionError(str(exc)) from None


def site_model(cfg: IconsearchConfig, root: Path, sources: list[Source] | None = None, limits=None) -> SiteModel:
    """Scans the icons (warnings logged) and returns the store's model for them; ``root`` is the
    folder of mkdocs.yml."""
    if sources is None:
        sources, limits = read_options(cfg, root)
    icons, warnings = scan_sources(sources, root, limits)
    for line in warnings:
        log.warning("iconsearch: %s", line)
    if not icons:
        where = ", ".join(str((root / s.where).resolve()) if s.kind == "path" else s.describe() for s in sources)
        raise OptionError(f"option `icons`: no usable SVG files in {where}; add some *.svg files or point "
                          "`icons` at another folder")
    model = ModelStore(root / cfg.cache_dir).model(icons, cfg.hparams(root), limits, cfg.browser_path, cfg.incremental)
    index = json.loads((model.folder / model.manifest["index"]).read_text())
    return SiteModel(model, snippet_files(icons, index_ids(index), index["svgs"]["chunk"]))
