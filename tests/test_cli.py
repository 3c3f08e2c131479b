"""`mkdocs-iconsearch`: build the model alone (a CI cache step), evaluate it on screenshots, confusions."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import antd_icons, mkdocs_build, write_site

pytestmark = pytest.mark.slow
IDS = ["outlined/home", "filled/home", "outlined/star", "filled/star"]


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "mkdocs_iconsearch.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def test_build_then_evaluate_and_confusions(tmp_path, page):
    antd_icons(tmp_path / "icons", IDS)
    write_site(tmp_path, {"icons": "icons", "training_samples_per_icon": 40, "training_epochs": 3,
                          "training_finetune_epochs": 2, "training_batch_size": 64})
    built = cli("build", "-f", "mkdocs.yml", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    manifest = json.loads(built.stdout)
    assert manifest["icons"] == 4
    assert Path(manifest["cache_entry"]).parent == tmp_path / ".cache/plugin/iconsearch/models"
    assert "training an icon model for 4 icons" in built.stderr
    # What a CI cache step restores: the site build then trains nothing.
    assert "using the cached model for 4 icons" in mkdocs_build(tmp_path).stderr

    index = json.loads(next((tmp_path / "site/assets/iconsearch").glob("index-*.json")).read_text())
    svgs = {i["id"]: i["svg"] for i in index["icons"]}
    shots = tmp_path / "shots"
    for name, icon_id, colour in [("outlined/home.png", "outlined/home", "#222"), ("filled/star.png", "filled/star", "#c41d7f"),
                                  ("filled/star--dark.png", "filled/star", "#eee"), ("not/an-icon.png", "outlined/home", "#222")]:
        page.set_content(f'<div id="c" style="display:inline-block;padding:12px 20px;background:{"#1f1f1f" if colour == "#eee" else "#fff"};'
                         f'color:{colour}"><span style="display:block;width:36px;height:36px">{svgs[icon_id]}</span></div>'
                         '<style>body{margin:0} svg{width:100%;height:100%;fill:currentColor}</style>')
        (shots / name).parent.mkdir(parents=True, exist_ok=True)
        page.locator("#c").screenshot(path=str(shots / name))
    (shots / "notes.txt").write_text("ignored")
    evaluated = cli("evaluate", str(shots), cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    result = json.loads(evaluated.stdout)
    assert result["screenshots"] == 4 and result["top1"] == 0.75 and result["top5"] == 0.75
    assert result["misses"] == [{"file": "not/an-icon.png", "expected": "not/an-icon", "got": result["misses"][0]["got"],
                                 "note": "no icon has this id"}]
    assert result["misses"][0]["got"][0] == "outlined/home"

    confusions = cli("confusions", cwd=tmp_path)
    assert confusions.returncode == 0 and confusions.stdout.startswith("validation top-1 ")


def test_errors_name_the_fix(tmp_path):
    write_site(tmp_path, {"icons": "icons"})
    result = cli("build", cwd=tmp_path)
    assert result.returncode == 1 and "option `icons`" in result.stderr and "does not exist" in result.stderr
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins: [search]\n")
    result = cli("confusions", cwd=tmp_path)
    assert result.returncode == 1 and "has no iconsearch plugin" in result.stderr
