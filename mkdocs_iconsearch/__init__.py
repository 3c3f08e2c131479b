"""mkdocs-iconsearch: find an icon from a screenshot, in your MkDocs site."""

from model_build import __version__

__all__ = ["__version__"]
