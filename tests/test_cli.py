"""`mkdocs-iconsearch`: build the model alone (a CI cache step), evaluate it on screenshots, confusions."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from model_build.pipeline import read_index

from .conftest import antd_icons, mkdocs_build, write_site

pytestmark = pytest.mark.slow
IDS = ["outlined/home", "filled/home", "outlined/star", "filled/star"]


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "mkdocs_iconsearch.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def test_build_then_evaluate_and_confusions(tmp_path, page):
    antd_icons(tmp_path / "icons", IDS + ["outlined/setting"])
    # A look-alike the model cannot tell apart (the same drawing, zoomed out in its viewBox: not
    # a twin, yet the same ink once cropped): validation confuses the two.
    setting = (tmp_path / "icons/outlined/setting.svg").read_text()
    assert 'viewBox="64 64 896 896"' in setting
    (tmp_path / "icons/outlined/setting-again.svg").write_text(setting.replace('viewBox="64 64 896 896"',
                                                                               'viewBox="48 48 928 928"'))
    write_site(tmp_path, {"icons": "icons", "training_samples_per_icon": 40, "training_epochs": 3,
                          "training_finetune_epochs": 2, "training_batch_size": 64, "training_finetune_batch_size": 64})
    built = cli("build", "-f", "mkdocs.yml", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    manifest = json.loads(built.stdout)
    assert manifest["icons"] == 6
    assert Path(manifest["cache_entry"]).parent == tmp_path / ".cache/plugin/iconsearch/models"
    assert "training an icon model for 6 icons" in built.stderr
    # What a CI cache step restores: the site build then trains nothing.
    assert "using the cached model for 6 icons" in mkdocs_build(tmp_path).stderr

    index = read_index(tmp_path / "site/assets/iconsearch")
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
    assert confusions.returncode == 0, confusions.stderr
    lines = confusions.stdout.splitlines()
    assert lines[0] == f"validation top-1 {100 * manifest['val_accuracy']:.2f}% over 6 icons"
    pairs = [(true, predicted) for _, true, _, predicted in (line.split() for line in lines[1:])]
    assert {("outlined/setting", "outlined/setting-again"), ("outlined/setting-again", "outlined/setting")} & set(pairs)
    ids = set(IDS) | {"outlined/setting", "outlined/setting-again"}
    assert all(true in ids and predicted in ids and true != predicted for true, predicted in pairs)


def test_errors_name_the_fix(tmp_path):
    write_site(tmp_path, {"icons": "icons"})
    result = cli("build", cwd=tmp_path)
    assert result.returncode == 1 and "option `icons`" in result.stderr and "does not exist" in result.stderr
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins: [search]\n")
    result = cli("confusions", cwd=tmp_path)
    assert result.returncode == 1 and "has no iconsearch plugin" in result.stderr


def test_iconsearch_model_build_trains_into_its_store_and_copies_the_files_out(tmp_path):
    """The pipeline's own CLI (no MkDocs): a folder of SVGs -> the site files, via the store."""
    antd_icons(tmp_path / "icons", IDS)
    args = [sys.executable, "-m", "model_build", "build", "--icons", "icons", "--out", "out", "--cache", "store",
            "--samples-per-icon", "30", "--epochs", "2", "--finetune-epochs", "1"]
    first = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert first.returncode == 0, first.stderr
    manifest = json.loads(first.stdout)
    assert "training an icon model for 4 icons" in first.stderr and manifest["icons"] == 4
    assert Path(manifest["cache_entry"]).parent == tmp_path / "store/models"
    for name in (manifest["model"], manifest["weights"], manifest["index"], *manifest["svgs"]):
        assert (tmp_path / "out" / name).read_bytes() == (Path(manifest["cache_entry"]) / name).read_bytes()
    index = read_index(tmp_path / "out", manifest["index"])
    assert sorted(i["id"] for i in index["icons"]) == sorted(IDS)
    again = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert again.returncode == 0 and "using the cached model for 4 icons" in again.stderr
    assert json.loads(again.stdout)["key"] == manifest["key"]
    missing = subprocess.run([*args[:5], "nowhere", *args[6:]], capture_output=True, text=True, cwd=tmp_path)
    assert missing.returncode == 2 and "--icons: the folder nowhere does not exist" in missing.stderr


def test_iconsearch_model_build_names_a_bad_flag(tmp_path):
    (tmp_path / "icons").mkdir()
    result = subprocess.run([sys.executable, "-m", "model_build", "build", "--icons", "icons", "--out", "out",
                             "--batch-size", "0"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 2 and "--batch-size must be at least 1, not 0" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
