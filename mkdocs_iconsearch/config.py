"""The plugin's options. Training options share the ``training_`` prefix (see model_build.HParams)."""

from pathlib import Path

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config

from model_build.hparams import BACKBONES, PRECISIONS, HParams
from model_build.limits import Limits
from model_build.lookalikes import DEFAULT_THRESHOLD

_DEFAULTS = HParams()
_LIMITS = Limits()


class IconsearchConfig(Config):
    # Turn the plugin off, e.g. `enabled: !ENV [ICONSEARCH, true]` for quick local builds.
    enabled = opt.Type(bool, default=True)
    # Where the icons are: a folder of SVGs (relative to mkdocs.yml, searched recursively) or a
    # glob, or a list of sources: `- path: <folder or glob>`, `- iconify: <icons.json>`,
    # `- material: material|fontawesome|octicons|simple`, each with optional `prefix` (for ids)
    # and `snippet` (what a click copies, e.g. ":material-{name}:"). See model_build/sources.py.
    icons = opt.Optional(opt.Type((str, list)))
    # Where the widget goes: this page is generated when the docs have none. A
    # `<!-- iconsearch -->` marker in any page places the widget there too.
    page = opt.Type(str, default="icons/")
    # Where models and screenshots are cached (relative to mkdocs.yml); cache it in CI.
    cache_dir = opt.Type(str, default=".cache/plugin/iconsearch")
    # The widget's language (en, zh, de, fr, es, ja); unset: the theme's language, else English.
    language = opt.Optional(opt.Type(str))
    # A page listing icons that draw the same pixels and near-duplicates side by side, for
    # maintainers (e.g. `icons/lookalikes/`); unset: none. `mkdocs-iconsearch duplicates` prints it.
    lookalikes_page = opt.Optional(opt.Type(str))
    # Similarity (0-1, the model's) from which two icons count as near-duplicates.
    lookalikes_threshold = opt.Type((int, float), default=DEFAULT_THRESHOLD)
    # When the icons differ from a cached model's by a few (added or edited: 10 % at most;
    # removed: any), draw only the new ones and re-fit that model's head: seconds instead of
    # minutes, but the model then depends on the one before. false: every change trains in full
    # (as a clean build does). With `training_backbone: none`, builds always train in full.
    incremental = opt.Type(bool, default=True)
    # A Chromium or Chrome executable; found automatically when unset.
    browser_path = opt.Optional(opt.Type(str))

    # The model's input in pixels (square); the pretrained backbone needs 32.
    training_image_size = opt.Type(int, default=_DEFAULTS.image_size)
    # Labelled screenshots taken of each icon (more: slower builds, better accuracy); unset: 80
    # for up to 1,000 icons, then 80,000 in all, at least 24 each (Ant Design's TwoTone icons
    # lose ~6 points of exact top-1 at 40 instead of 80).
    training_samples_per_icon = opt.Optional(opt.Type(int))
    # Hand-drawn-looking samples of each icon, for search by sketch (0: none; sketches then
    # find little).
    training_sketches_per_icon = opt.Type(int, default=_DEFAULTS.sketches_per_icon)
    # Epochs of the head on the backbone (or of the whole network from scratch); unset: 12 for
    # up to 1,000 icons, fewer for more (4 for 3,000, 1 from 12,000), a third of that to re-fit
    # a cached model (`incremental`), 8 from scratch; with fine-tuning, none before it (the head
    # starts at the classes' means) and the automatic count after it (`training_settle_epochs`).
    # Set, it is the head's epochs before fine-tuning and, unless `training_settle_epochs` is
    # set, after it.
    training_epochs = opt.Optional(opt.Type(int))
    # "builtin": a head on the pretrained backbone shipped in the package (fast); "none":
    # the whole network trained from scratch on this icon set (slow); or a folder (relative to
    # mkdocs.yml) holding another pretrained backbone, as `iconsearch-model pretrain --out` writes.
    training_backbone = opt.Type(str, default=_DEFAULTS.backbone)
    # Then epochs of the whole network, the backbone's layers included; unset: 1 for up to
    # 2,000 icons (Ant Design: +0.6 points of exact top-1, +1.6 on TwoTone, ~1.5 min), else 0.
    training_finetune_epochs = opt.Optional(opt.Type(int))
    # After fine-tuning, epochs of the head alone again, on the fine-tuned backbone's features;
    # unset: `training_epochs` if set, else the automatic count (12 for up to 1,000 icons).
    training_settle_epochs = opt.Optional(opt.Type(int))
    # Samples per step of the head's epochs (on the backbone's features, where big batches run
    # fastest).
    training_batch_size = opt.Type(int, default=_DEFAULTS.batch_size)
    # Samples per step of the whole network: fine-tuning, or training from scratch.
    training_finetune_batch_size = opt.Type(int, default=_DEFAULTS.finetune_batch_size)
    # Every random draw (layout, colours, validation split, initial weights) follows it.
    training_seed = opt.Type(int, default=_DEFAULTS.seed)
    # The backbone's arithmetic while training: "bfloat16" (its weights stay float32) trains and
    # computes features ~1.3-2x as fast on CPUs with bfloat16 instructions (AVX512-BF16, AMX) and
    # slower than float32 elsewhere; "auto": bfloat16 where the CPU has them, else "float32".
    training_precision = opt.Choice(PRECISIONS, default=_DEFAULTS.precision)

    # An icon file larger than this many bytes is skipped with a warning (real icons: < 60 KB).
    limit_bytes = opt.Type(int, default=_LIMITS.bytes)
    # An icon with more XML elements than this is skipped with a warning.
    limit_elements = opt.Type(int, default=_LIMITS.elements)
    # An icon whose elements nest deeper than this is skipped with a warning.
    limit_depth = opt.Type(int, default=_LIMITS.depth)
    # An icon whose paths hold more numbers than this (in `d` and `points`) is skipped: too costly to draw ~100 times.
    limit_coordinates = opt.Type(int, default=_LIMITS.coordinates)
    # An icon that takes longer than this to draw once in Chromium (checked before the sample sheets) is skipped.
    limit_draw_seconds = opt.Type((int, float), default=_LIMITS.draw_seconds)

    def hparams(self, root: Path | None = None) -> HParams:
        """The training options; a backbone folder relative to ``root`` (mkdocs.yml's folder)."""
        prefix = "training_"
        options = {k[len(prefix):]: v for k, v in self.items() if k.startswith(prefix)}
        if root and options.get("backbone") not in (None, *BACKBONES):
            options["backbone"] = str(root / options["backbone"])
        return HParams.from_dict(options)

    def limits(self) -> Limits:
        prefix = "limit_"
        return Limits.from_dict({k[len(prefix):]: v for k, v in self.items() if k.startswith(prefix)})
