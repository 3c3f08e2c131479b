"""This site documents mkdocs-iconsearch with mkdocs-iconsearch. Two placeholders, filled at build:

- ``<!-- options -->``: the options table, generated from the plugin's config class;
- ``<!-- readme:NAME -->``: the README's section NAME (between its ``--8<-- [start:NAME]`` and
  ``[end:NAME]`` markers): one text for GitHub and for these pages.
"""

import re
from pathlib import Path

from mkdocs_iconsearch.docs import options_table

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_section(name: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^[^\n]*--8<-- \[start:{name}\][^\n]*\n(.*?)^[^\n]*--8<-- \[end:{name}\]", text, re.M | re.S)
    if not match:
        raise ValueError(f"README.md has no section {name!r}")
    return match.group(1)


def on_page_markdown(markdown, page, config, files):
    markdown = markdown.replace("<!-- options -->", options_table())
    return re.sub(r"<!-- readme:(\w+) -->", lambda m: readme_section(m.group(1)), markdown)
