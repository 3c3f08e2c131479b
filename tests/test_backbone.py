"""The pretrained backbone: the shipped one is whole and was not trained on the benchmark's
icons; a damaged one is refused by name; pretraining -> saving -> a head trained on top round-trips."""

import json
import shutil

import numpy as np
import pytest

from model_build import backbone
from model_build.hparams import HParams

from .conftest import ANTD


def test_shipped_backbone_loads_and_matches_its_record():
    bb = backbone.load()
    assert bb.digest == backbone.digest() != "missing"
    assert bb.embedding[0].shape == (bb.arch.features, bb.arch.embed)
    assert bb.arch.image_size == HParams().image_size
    # Pretrained on public sets from npm, never on Ant Design (the benchmark's icon set).
    packages = [s["package"] for s in bb.meta["sets"]]
    assert len(packages) >= 5 and not any("ant-design" in p for p in packages)
    assert bb.meta["icons"] >= 1000


def test_committed_pretraining_progress_is_whole_and_goes_on_from_the_shipped_run():
    """pretrain/resume/ (a run's latest backbone, committed between sittings without shipping
    it) loads, its checksum holding, and is further on in the shipped backbone's own run."""
    from .conftest import ROOT

    resume = ROOT / "pretrain" / "resume"
    if not (resume / "backbone.json").exists():
        pytest.skip("no pretraining in progress: pretrain/resume/ is absent")
    progress, shipped = backbone.load(resume), backbone.load()
    assert progress.meta["run"] == shipped.meta["run"] and progress.arch == shipped.arch
    assert len(progress.meta["log"]) > len(shipped.meta["epochs_log"])
    assert not any("ant-design" in s["package"] for s in progress.meta["sets"])


def test_a_damaged_backbone_is_refused_with_the_fix(tmp_path):
    copy = tmp_path / "backbone"
    shutil.copytree(backbone.BACKBONE_DIR, copy)
    data = (copy / "backbone.npz").read_bytes()
    (copy / "backbone.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(backbone.BackboneError, match="damaged.*reinstall"):
        backbone.load(copy)
    (copy / "backbone.npz").unlink()
    with pytest.raises(backbone.BackboneError, match="missing.*training_backbone: none"):
        backbone.load(copy)


def test_unknown_backbone_option_is_refused():
    with pytest.raises(ValueError, match="builtin, none"):
        HParams(backbone="resnet")


def test_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="training_precision must be one of auto, float32, bfloat16, not 'half'"):
        HParams(precision="half")


def test_cells_too_small_for_an_icon_are_refused():
    with pytest.raises(ValueError, match="training_hidpi_cell_px must be at least 24, not 16"):
        HParams(hidpi_cell_px=16)
    assert HParams(cell_px=24, hidpi_cell_px=24).hidpi_cell_px == 24


@pytest.mark.slow
def test_pretrain_save_load_and_train_a_head(tmp_path):
    """A miniature of scripts/pretrain: two fake npm 'sets' of real SVGs, a backbone saved and
    loaded back, then a head for a different icon set trained on it in the normal pipeline."""
    from model_build.icons import scan_svg_folder
    from model_build.store import ModelStore
    from model_build.pretrain import pretrain

    names = sorted({p.stem for p in (ANTD / "outlined").glob("*.svg")} & {p.stem for p in (ANTD / "filled").glob("*.svg")})
    for n, (folder, chosen) in enumerate([("outlined", names[:20]), ("filled", names[:20])]):
        pkg = tmp_path / "node_modules" / f"set{n}"
        (pkg / "svg").mkdir(parents=True)
        (pkg / "package.json").write_text(json.dumps({"version": f"1.0.{n}"}))
        for name in chosen:
            shutil.copy(ANTD / folder / f"{name}.svg", pkg / "svg" / f"{name}.svg")
    sets = tmp_path / "sets.json"
    sets.write_text(json.dumps({"sets": [{"name": f"s{n}", "package": f"set{n}", "folder": "svg"} for n in (0, 1)]}))
    hp = HParams(samples_per_icon=12, epochs=2, backbone="none", validation_fraction=0.1)
    meta = pretrain(sets, tmp_path / "node_modules", tmp_path / "bb", count=30, hp=hp, cache_dir=tmp_path / "cache")
    assert meta["icons"] == 30 and [s["package"] for s in meta["sets"]] == ["set0@1.0.0", "set1@1.0.1"]
    bb = backbone.load(tmp_path / "bb")
    assert len(bb.trunk_weights) > 10 and bb.meta["samples"] == meta["samples"]

    site_icons = tmp_path / "site"
    for name in names[40:46]:
        (site_icons / "outlined").mkdir(parents=True, exist_ok=True)
        shutil.copy(ANTD / "outlined" / f"{name}.svg", site_icons / "outlined" / f"{name}.svg")
    icons, _ = scan_svg_folder(site_icons)
    # That backbone by its folder (`training_backbone: <folder>`): a cosine head, begun from the
    # classes' mean embeddings (fine-tuned too: 2 epochs on 30 icons are too weak to use frozen).
    model = ModelStore(tmp_path / "store").model(icons, HParams(samples_per_icon=20, epochs=10, finetune_epochs=4,
                                                                backbone=str(tmp_path / "bb")))
    manifest = model.manifest
    assert manifest["backbone"] == bb.digest and bb.meta["recipe"]["head"] == "cosine"
    assert manifest["val_accuracy"] > 0.5  # 6 classes: chance is 17 %
    assert np.isfinite(manifest["val_top5"]) and (model.folder / manifest["model"]).exists()


@pytest.mark.slow
def test_pretraining_resumes_from_its_last_epoch(tmp_path, monkeypatch, caplog):
    """Stopped in its second epoch (Ctrl-C while saving), a run started again with the same
    arguments goes on after epoch 1 with epoch 1's weights and log, and finishes; started once
    more, it trains nothing and gives the same backbone."""
    import logging

    import model_build.pretrain as pretrain
    from model_build.network import Arch

    classes = 6
    x, y = _noisy_shapes(classes, 40, seed=0)
    hp = HParams(epochs=3, backbone="none", batch_size=32, validation_fraction=0.1)
    real_save, calls = pretrain.save, []

    def save_then_stop(*args):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_save(*args)

    monkeypatch.setattr(pretrain, "save", save_then_stop)
    with pytest.raises(KeyboardInterrupt):
        pretrain.fit_resumable(x, y, classes, hp, Arch(), tmp_path / "run")
    first_epoch = json.loads((tmp_path / "run" / "log.json").read_text())["log"]
    assert [e["epoch"] for e in first_epoch] == [1]
    monkeypatch.setattr(pretrain, "save", real_save)
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.iconsearch")
    # `--until 2`: epoch 2 of the same run, its backbone recorded with what made it.
    half = pretrain.fit_resumable(x, y, classes, hp, Arch(), tmp_path / "run", {"icons": classes}, until=2)
    assert [e["epoch"] for e in half["log"]] == [1, 2]
    record = json.loads((tmp_path / "run" / "backbone" / "backbone.json").read_text())
    assert record["icons"] == classes and record["partial"] is True and record["recipe"]["head"] == "cosine"
    done = pretrain.fit_resumable(x, y, classes, hp, Arch(), tmp_path / "run")
    assert "resuming pretraining after epoch 1 of 3" in caplog.text and "after epoch 2 of 3" in caplog.text
    assert [e["epoch"] for e in done["log"]] == [1, 2, 3] and done["log"][0] == first_epoch[0]
    assert done["log"][-1]["loss"] < done["log"][0]["loss"]
    again = pretrain.fit_resumable(x, y, classes, hp, Arch(), tmp_path / "run")
    assert again["log"] == done["log"]
    for a, b in zip(again["weights"][0] + again["weights"][1], done["weights"][0] + done["weights"][1]):
        np.testing.assert_array_equal(a, b)
    assert (tmp_path / "run" / "backbone" / "backbone.npz").exists()


@pytest.mark.slow
def test_pretraining_without_its_checkpoints_goes_on_from_its_backbone(tmp_path, caplog):
    """A new machine has the committed backbone (after epoch 2 of 4) but no checkpoint: the run
    goes on after epoch 2 from that backbone, each class begun at its mean embedding (already
    far above chance on the held-out samples), on the run's learning-rate schedule, and records
    the warm start; stopped again, it resumes from its own checkpoint with the same offset."""
    import logging
    from dataclasses import replace

    import model_build.pretrain as pretrain
    from model_build.network import Arch
    from model_build.train import import_tf

    classes = 8
    x, y = _noisy_shapes(classes, 200, seed=1)
    hp = HParams(epochs=4, backbone="none", batch_size=32, validation_fraction=0.1)
    first = pretrain.fit_resumable(x, y, classes, hp, Arch(), tmp_path / "old", {"run": "old"}, until=2)
    shipped = backbone.load(tmp_path / "old" / "backbone")  # what a commit keeps of the run

    caplog.set_level(logging.INFO, logger="mkdocs.plugins.iconsearch")
    went_on = pretrain.fit_resumable(x, y, classes, hp, Arch(), tmp_path / "new", {"run": "new"}, until=3, warm=shipped)
    assert "going on after epoch 2" in caplog.text
    assert [e["epoch"] for e in went_on["log"]] == [1, 2, 3] and went_on["log"][:2] == first["log"]
    start = went_on["warm_start"]
    assert start["after_epoch"] == 2 and start["backbone"] == shipped.digest
    assert start["ramp_steps"] == round(pretrain.WARM_RAMP * np.ceil(len(y) * 0.9 / hp.batch_size))
    assert start["val_top1_before"] > 3 / classes  # the class means place the classes: no blind head
    # The trunk begins as the backbone's: epoch 3 moved it, but from there, not from a new draw.
    fresh = pretrain.fit_resumable(x, y, classes, replace(hp, seed=7), Arch(), tmp_path / "scratch", until=1)
    moved = lambda w: sum(float(np.abs(a - b).mean()) for a, b in zip(w, shipped.trunk_weights[:4]))
    assert moved(went_on["weights"][0][:4]) < moved(fresh["weights"][0][:4])

    caplog.clear()
    done = pretrain.fit_resumable(x, y, classes, hp, Arch(), tmp_path / "new", {"run": "new"}, warm=shipped)
    assert "resuming pretraining after epoch 3 of 4" in caplog.text and "going on" not in caplog.text
    assert [e["epoch"] for e in done["log"]] == [1, 2, 3, 4] and done["warm_start"] == start
    record = json.loads((tmp_path / "new" / "backbone" / "backbone.json").read_text())
    assert record["warm_start"] == start and record["partial"] is False

    tf, keras = import_tf()
    base = keras.optimizers.schedules.CosineDecay(1.0, 10)
    shifted = pretrain._Shifted(keras, base, tf.Variable(4.0), tf.Variable(0.0))
    assert float(shifted(2)) == pytest.approx(float(base(6))) and float(shifted(2)) < float(base(2))
    ramped = pretrain._Shifted(keras, base, tf.Variable(4.0), tf.Variable(4.0))
    assert [float(ramped(s)) for s in (0, 1, 3, 5)] == pytest.approx(
        [float(base(4)) / 4, float(base(5)) / 2, float(base(7)), float(base(9))])


def test_a_run_goes_on_from_its_furthest_committed_backbone(tmp_path):
    """Between sittings a maintainer commits a run's latest backbone in pretrain/resume/ without
    shipping it: the run goes on from whichever of that and the shipped one has more epochs, and
    never from another run's."""
    from model_build.network import Arch
    from model_build.pretrain import _furthest

    shipped = backbone.load()
    run = shipped.meta["run"]
    log = shipped.meta["epochs_log"]
    for name, meta in {"out": {"run": run, "epochs_log": log[:2]}, "resume": {"run": run, "log": log[:3]},
                       "other": {"run": "another", "log": log}}.items():
        backbone.save(tmp_path / name, Arch(), shipped.trunk_weights, shipped.embedding, meta)
    assert len(_furthest(run, tmp_path / "out", tmp_path / "resume", tmp_path / "other").meta["log"]) == 3
    assert len(_furthest(run, tmp_path / "out", None, tmp_path / "missing").meta["epochs_log"]) == 2
    assert _furthest(run, tmp_path / "other") is None


def _noisy_shapes(classes: int, per_class: int, seed: int, noise: int = 40, shared: bool = False):
    """``per_class`` noisy samples (32 x 32 uint8) of each of ``classes`` random shapes, half of
    each a shape they all share with ``shared`` (harder): what pretraining learns in an epoch or two."""
    rng = np.random.default_rng(seed)
    shapes = rng.integers(0, 256, (classes, 32, 32))
    if shared:
        shapes = (shapes + rng.integers(0, 256, (32, 32))) // 2
    y = np.repeat(np.arange(classes), per_class).astype(np.int32)
    return np.clip(shapes[y] + rng.integers(-noise, noise, (len(y), 32, 32)), 0, 255).astype(np.uint8), y
