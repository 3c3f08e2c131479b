"""The options reference, generated from ``IconsearchConfig``: each option's name, default and the
comment written above it in ``config.py`` (the one place an option is described)."""

from __future__ import annotations

import inspect
import re

from . import config as config_module
from .config import IconsearchConfig


def option_comments() -> dict[str, str]:
    """Option name -> the comment lines just above its definition, joined."""
    comments, pending = {}, []
    for line in inspect.getsource(config_module.IconsearchConfig).splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            pending.append(stripped.lstrip("#").strip())
            continue
        match = re.match(r"(\w+)\s*=\s*opt\.", stripped)
        if match:
            comments[match.group(1)] = " ".join(pending)
        pending = []
    return comments


def _default(option) -> str:
    default = getattr(option, "default", None)
    if default is None:
        return "—"
    return f"`{str(default).lower() if isinstance(default, bool) else default}`"


def options_table() -> str:
    comments = option_comments()
    rows = ["| option | default | what it does |", "|---|---|---|"]
    for name, option in IconsearchConfig._schema:
        text = comments.get(name, "").replace("|", "\\|")
        rows.append(f"| `{name}` | {_default(option)} | {text} |")
    return "\n".join(rows) + "\n"
