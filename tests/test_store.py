import ast
import dataclasses
import json
import shutil
from pathlib import Path

import pytest

import model_build

from model_build.resources import assets_dir
from model_build.store import (MODEL_CODE, SAMPLES_CODE, TEMPLATES, ModelStore, code_digest, file_sha256, model_key,
                               samples_key, stage_modules)
from model_build.hparams import HParams
from model_build.icons import parse_svg

A = b'<svg viewBox="0 0 10 10"><path d="M1 1h8v8H1z"/></svg>'
B = b'<svg viewBox="0 0 10 10"><path d="M1 1h7v8H1z"/></svg>'


def icons(*pairs):
    return [parse_svg(data, icon_id) for icon_id, data in pairs]


def test_key_is_stable_and_follows_content_ids_and_options():
    hp = HParams()
    base = model_key(icons(("a", A), ("b", B)), hp)
    assert base == model_key(icons(("a", A), ("b", B)), HParams())
    assert base != model_key(icons(("a", A), ("b", A)), hp)  # content changed
    assert base != model_key(icons(("a", A), ("c", B)), hp)  # id changed
    assert base != model_key(icons(("a", A)), hp)  # icon removed
    assert base != model_key(icons(("a", A), ("b", B)), dataclasses.replace(hp, epochs=5))
    assert base != model_key(icons(("a", A), ("b", B)), dataclasses.replace(hp, backbone="none"))


def test_key_follows_the_pretrained_backbone(tmp_path):
    """A backbone folder (``training_backbone: <folder>``) is known by its arrays' checksum."""
    import json

    pair = icons(("a", A), ("b", B))
    base = model_key(pair, HParams())
    keys = []
    for sha in ("ab" * 32, "cd" * 32, "cd" * 32):
        folder = tmp_path / str(len(keys))
        folder.mkdir()
        (folder / "backbone.json").write_text(json.dumps({"sha256": sha}))
        keys.append(model_key(pair, HParams(backbone=str(folder))))
    assert base not in keys and keys[0] != keys[1]
    assert model_key(pair, HParams(backbone="none")) == model_key(pair, HParams(backbone="none")) != base


def test_a_backbone_folder_without_a_backbone_is_refused(tmp_path):
    with pytest.raises(ValueError, match="training_backbone must be builtin, none, or a folder holding"):
        HParams(backbone=str(tmp_path))


def test_training_options_do_not_invalidate_screenshots():
    pair = icons(("a", A), ("b", B))
    hp = HParams()
    assert samples_key(pair, hp) == samples_key(pair, dataclasses.replace(hp, epochs=99, learning_rate=0.1))
    assert samples_key(pair, hp) != samples_key(pair, dataclasses.replace(hp, samples_per_icon=7))


def make_entry(cache: ModelStore, key: str) -> None:
    entry = cache.entry(key)
    entry.mkdir(parents=True)
    (entry / "weights-x.bin").write_bytes(b"\x01" * 100)
    (entry / "manifest.json").write_text(json.dumps({"files": {"weights-x.bin": file_sha256(entry / "weights-x.bin")}}))


def test_complete_entry_is_found(tmp_path):
    cache = ModelStore(tmp_path)
    assert cache.get("k") is None
    make_entry(cache, "k")
    assert cache.get("k")["files"]


def test_damaged_entries_are_rejected_and_logged(tmp_path, caplog):
    cache = ModelStore(tmp_path)
    make_entry(cache, "k")
    (cache.entry("k") / "weights-x.bin").write_bytes(b"\x01" * 50)  # truncated
    assert cache.get("k") is None
    assert "damaged" in caplog.text and "weights-x.bin" in caplog.text
    make_entry(cache, "m")
    (cache.entry("m") / "manifest.json").write_text("{not json")
    assert cache.get("m") is None
    make_entry(cache, "n")
    (cache.entry("n") / "manifest.json").unlink()  # an interrupted write never has a manifest
    assert cache.get("n") is None


# ---------------------------------------------------------------------------- the code in the key

PACKAGE = Path(model_build.__file__).parent
ASSETS = assets_dir()


def constants(module: str) -> list[tuple[str, int]]:
    """(name, line) of each module-level UPPER_CASE constant of a model_build module."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    found = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        found += [(t.id, node.lineno) for t in targets if isinstance(t, ast.Name) and t.id.isupper()]
    return found


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """A copy of the package and of the assets it reads, to edit."""
    root = tmp_path_factory.mktemp("code")
    shutil.copytree(PACKAGE, root / "model_build", ignore=shutil.ignore_patterns("__pycache__", "backbone", "assets"))
    shutil.copytree(ASSETS, root / "assets", ignore=shutil.ignore_patterns("dist", "node_modules"))
    return root / "model_build", root / "assets"


def samples_digest(package, assets):
    return code_digest(SAMPLES_CODE, package, assets, extra=(TEMPLATES,))


def test_every_constant_that_shapes_the_samples_is_in_their_key(copies):
    """The screenshots' key hashes the code of every module the sampling stages import (the
    constants the issue named among them): changing any constant's line there changes it."""
    package, assets = copies
    modules = stage_modules(SAMPLES_CODE, package)
    assert {"sample_page", "screenshots", "preprocess", "icons", "drawcheck", "hparams"} <= set(modules)
    named = {"HIDPI_SHARE": "screenshots", "INK_THRESHOLD": "preprocess", "RULE_SPAN": "preprocess"}
    for name, module in named.items():
        assert name in dict(constants(module)), f"{name} moved out of {module}: update this test"
    base = samples_digest(package, assets)
    checked = 0
    for module in modules:
        path = package / f"{module}.py"
        original = path.read_text()
        lines = original.splitlines(keepends=True)
        for name, line in constants(module):
            edited = lines[:line - 1] + [lines[line - 1].replace("=", "= 1 + 0 * 0 or", 1)] + lines[line:]
            path.write_text("".join(edited))
            assert samples_digest(package, assets) != base, f"{module}.{name} is not in the samples' key"
            checked += 1
        path.write_text(original)
    assert samples_digest(package, assets) == base and checked >= 30


def test_the_sample_page_template_is_in_the_key_and_the_cli_is_not(copies):
    package, assets = copies
    base = samples_digest(package, assets)
    template = assets / "sample_page.html.j2"
    original = template.read_text()
    template.write_text(original.replace("<", " <", 1))
    assert samples_digest(package, assets) != base
    template.write_text(original)
    cli = package / "cli.py"  # a module no stage imports: editing it retrains nobody
    cli.write_text(cli.read_text() + "\n# edited\n")
    assert "cli" not in stage_modules(SAMPLES_CODE + MODEL_CODE, package)
    assert samples_digest(package, assets) == base
    model = code_digest(MODEL_CODE, package, assets)
    (package / "train.py").write_text((package / "train.py").read_text() + "\n# edited\n")
    assert code_digest(MODEL_CODE, package, assets) != model and samples_digest(package, assets) == base


def test_the_import_scan_finds_what_python_would_import(copies):
    """stage_modules reads imports with a regular expression (fast); it must find every module
    an ast walk finds, whatever form the import takes."""
    package, assets = copies

    def by_ast(source):
        found = []
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                found += ([node.module] if node.module else [a.name for a in node.names]) + ["__init__"]
        return found

    for starts in (SAMPLES_CODE, MODEL_CODE, ("cli",), ("pretrain",)):
        assert stage_modules(starts, package) == stage_modules(starts, package, imports=by_ast)
    (package / "odd.py").write_text("from .limits import (\n    Limits,\n)\nfrom . import hparams as hp, quiet\n"
                                    "def f():\n    from .progress import *\n")
    assert stage_modules(("odd",), package) == stage_modules(("odd",), package, imports=by_ast) == sorted(
        ["__init__", "hparams", "limits", "odd", "progress", "quiet"])


def test_screenshots_are_reused_with_the_icons_their_capture_skipped(tmp_path, monkeypatch, caplog):
    """An icon whose sample sheet stalls is skipped by the capture; a later build with other
    training options reuses the screenshots, and skips (and names) that icon again. The stages
    are small fakes here; tests/test_drawcheck.py runs the real ones."""
    import logging

    import numpy as np

    from model_build import pipeline

    trio = icons(("a", A), ("b", B), ("c", A.replace(b"h8", b"h6")))
    stalled = {"id": "b", "icon": "'b'", "why": "drawing it alone on a sample sheet took over 60 s"}
    captured, trained = [], []

    def capture_samples(icons, hp, browser_path=None):
        captured.append([i.id for i in icons])
        kept = [i for i in icons if i.id != "b"]
        return kept, [stalled], (np.zeros((4, 32, 32), np.uint8), np.array([0, 0, 1, 1], np.int32))

    def build_model(icons, hp, out_dir, samples, skipped=(), start=None, scratch=None, reused=None):
        trained.append(([i.id for i in icons], len(samples[1]), [e["id"] for e in skipped]))
        (out_dir / "model.json").write_text("{}")
        return {"icons": len(icons), "skipped": list(skipped)}

    monkeypatch.setattr(pipeline, "check_icons", lambda icons, limits, browser_path=None: (icons, []))
    monkeypatch.setattr(pipeline, "capture_samples", capture_samples)
    monkeypatch.setattr(pipeline, "build_model", build_model)
    store = ModelStore(tmp_path)
    first = store.model(trio, HParams(epochs=2))
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.iconsearch"):
        second = store.model(trio, HParams(epochs=3))  # another model, the same screenshots
    assert captured == [["a", "b", "c"]]  # taken once
    assert trained == [(["a", "c"], 4, ["b"])] * 2
    assert first.key != second.key and second.built and [e["id"] for e in second.skipped] == ["b"]
    assert any("skipped icon 'b'" in r.getMessage() for r in caplog.records)
