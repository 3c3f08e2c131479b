"""The wheel, installed non-editable into a fresh venv, builds a site (training included)."""

import json
import site
import subprocess
import sys
import venv
import zipfile

import pytest

from .conftest import ROOT, antd_icons, mkdocs_build, write_site

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True)
    return next(out.glob("mkdocs_iconsearch-*.whl"))


def test_wheel_ships_the_assets(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("mkdocs_iconsearch/plugin.py", "model_build/pipeline.py", "model_build/assets/sample_page.html.j2",
                     "model_build/assets/dist/iconsearch.js", "model_build/assets/dist/tfjs-backend-wasm-simd.wasm",
                     "model_build/assets/dist/iconsearch.css", "model_build/backbone/backbone.npz",
                     "model_build/backbone/backbone.json"):
        assert required in names, required
    assert not [n for n in names if "node_modules" in n or n.startswith("tests/")]
    meta = next(n for n in names if n.endswith("entry_points.txt"))
    assert "iconsearch = mkdocs_iconsearch.plugin:IconsearchPlugin" in zipfile.ZipFile(wheel).read(meta).decode()


def test_fresh_venv_install_builds_a_site(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = str(env_dir / "bin/python")
    # The heavy dependencies (TensorFlow: 3 GB) come from the test venv through a .pth line, so
    # only this package is installed from the wheel; the venv's own site-packages come first.
    fresh_site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                capture_output=True, text=True, check=True).stdout.strip()
    (tmp_path / "venv" / fresh_site.split(str(env_dir) + "/", 1)[1] / "_deps.pth").write_text(
        "\n".join(p for p in site.getsitepackages() if "site-packages" in p) + "\n")
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    where = subprocess.run([python, "-c", "import mkdocs_iconsearch, model_build.resources as r; "
                            "print(mkdocs_iconsearch.__file__); print(r.widget_bundle_dir())"],
                           capture_output=True, text=True, check=True, cwd=tmp_path).stdout.split()
    assert all(w.startswith(str(env_dir)) for w in where), where

    root = tmp_path / "site"
    antd_icons(root / "icons", ["outlined/home", "filled/home", "outlined/star"])
    write_site(root, {"icons": "icons", "training_samples_per_icon": 12, "training_epochs": 2, "training_finetune_epochs": 1,
                      "training_batch_size": 32, "training_finetune_batch_size": 32})
    result = mkdocs_build(root, python=python, cwd=tmp_path)
    assert "training an icon model for 3 icons" in result.stderr
    out = root / "site/assets/iconsearch"
    from model_build.pipeline import index_ids  # (the checkout's: the index is the wheel's)
    index = json.loads(next(out.glob("index-*.json")).read_text())
    assert index_ids(index) == ["filled/home", "outlined/home", "outlined/star"]
    assert next(out.glob("weights-*.bin")).stat().st_size > 1000
