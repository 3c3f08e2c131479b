"""The project's own documentation (example_site, Material for MkDocs): generated options, README
sections, a strict build; and the README's options table kept equal to the generated one."""

import pytest
import yaml

from mkdocs_iconsearch.config import IconsearchConfig
from mkdocs_iconsearch.docs import option_comments, options_table

from .conftest import ROOT, antd_icons, mkdocs_build

SITE = ROOT / "example_site"


def test_every_option_is_documented():
    comments = option_comments()
    table = options_table()
    for name, _ in IconsearchConfig._schema:
        assert comments.get(name), f"option {name} has no comment above it in config.py"
        assert f"| `{name}` |" in table


def test_readme_options_table_is_the_generated_one():
    assert options_table() in (ROOT / "README.md").read_text(), \
        "README's options table is stale: paste mkdocs_iconsearch.docs.options_table()"


@pytest.mark.slow
def test_the_docs_site_builds_strictly_with_every_section(tmp_path):
    """example_site's real pages, theme and hook, on a tiny icon set (its 831 icons train for minutes)."""
    config = yaml.safe_load((SITE / "mkdocs.yml").read_text())
    antd_icons(tmp_path / "icons", ["filled/home", "outlined/home", "twotone/home"])
    plugin = next(p for p in config["plugins"] if isinstance(p, dict) and "iconsearch" in p)["iconsearch"]
    plugin["icons"] = [dict(source, path=str(tmp_path / "icons" / source["path"].split("/")[1]))
                       for source in plugin["icons"]]
    plugin.update({"cache_dir": str(tmp_path / "cache"), "training_samples_per_icon": 16, "training_epochs": 2,
                   "training_finetune_epochs": 1, "training_batch_size": 32, "training_finetune_batch_size": 32})
    config.update(docs_dir=str(SITE / "docs"), site_dir=str(tmp_path / "site"),
                  hooks=[str(SITE / h) for h in config["hooks"]])
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    mkdocs_build(tmp_path, "--strict")
    pages = {p: (tmp_path / "site" / p / "index.html").read_text() for p in
             ("options", "sources", "javascript", "cli", "troubleshooting", "icons")}
    assert "training_finetune_epochs" in pages["options"] and "<table>" in pages["options"]
    assert "Iconify" in pages["sources"] and "actions/cache" in pages["cli"]
    assert "toImageData" in pages["javascript"] and "Chromium crashes or hangs" in pages["troubleshooting"]
    assert "data-iconsearch" in pages["icons"] and "data-snippets" in pages["icons"]
    for html in pages.values():
        assert "readme:" not in html and "<!-- options -->" not in html
