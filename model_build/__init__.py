"""The model pipeline of mkdocs-iconsearch: icons -> sample page -> screenshots -> training -> TF.js.

No MkDocs import anywhere in this package: the plugin (``mkdocs_iconsearch``) and the CLI
(``python -m model_build``) are both thin layers over :func:`model_build.pipeline.build_model`.
TensorFlow and Playwright are imported lazily, inside the stages that need them.
"""

__version__ = "0.1.0"
# Bump when what a model learns from changes (sanitizing, sample page, screenshots, training):
# it is part of the cache key, so sites built with an older pipeline retrain.
PIPELINE_VERSION = 8

LOGGER_NAME = "mkdocs.plugins.iconsearch"
