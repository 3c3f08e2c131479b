"""The model pipeline of mkdocs-iconsearch: icons -> sample page -> screenshots -> training -> TF.js.

No MkDocs import anywhere in this package: the plugin (``mkdocs_iconsearch``), both CLIs and
pretraining are thin layers over :class:`model_build.store.ModelStore`, which runs the stages of
:mod:`model_build.pipeline` that its cache lacks.
TensorFlow and Playwright are imported lazily, inside the stages that need them.
"""

__version__ = "0.1.0"

LOGGER_NAME = "mkdocs.plugins.iconsearch"
