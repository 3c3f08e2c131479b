"""Pretrain the backbone that ships in the package, on many public icon sets from npm.

Run once by maintainers (``scripts/pretrain``), reproducibly: the icon sets are pinned npm
packages (``pretrain/package.json`` and its lock), the choice of icons and every sample are
seeded. Ant Design is never among them: it is the benchmark's icon set, and the backbone must
work for icon sets it has never seen.

The same sample page, screenshots and preprocessing as a site's build; a cosine classifier over
every distinct drawing of the sets (~47,000), trained from scratch, resumably; its trunk and
embedding layer are kept.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from . import LOGGER_NAME
from .backbone import Backbone, load, save
from .hparams import HParams
from .icons import Icon, scan_svg_folder, twin_groups
from .network import Arch
from .preprocess import PREPROCESS_VERSION
from .store import ModelStore, digest, samples_record

log = logging.getLogger(LOGGER_NAME)

PRETRAIN_HPARAMS = HParams(samples_per_icon=16, sketches_per_icon=0, epochs=16, backbone="none", validation_fraction=0.02,
                           learning_rate=3e-3, batch_size=256, finetune_epochs=8,
                           finetune_learning_rate=2e-3)  # (finetune: unused, names the run)
# The cosine head's loss (cosine_loss): logits are SCALE x cosine; the true class's cosine is
# lowered by MARGIN. A scale near sqrt(2) ln(classes - 1) (AdaCos) for ~47,000 classes.
RECIPE = {"head": "cosine", "scale": 16.0, "margin": 0.1}
# A warm start's learning rate rises from 0 over this share of an epoch: Adam's moments start at
# zero, and its first steps move every weight by about the full rate. (2026-11-26, warm after
# epoch 5, whose trained head gave 63.84 % validation top-1 and the class means 61.91 %: epoch 6
# gave 60.91 % with the ramp, 60.12 % without it, on a sampled softmax; the unbroken run's 64.98 %.
# Starting again costs the run a few points for an epoch or more, not its first five epochs.)
WARM_RAMP = 0.25
# The options that name a run (its checkpoints' folder): a later option added to HParams is not
# among them, so a run goes on across such a change (some are unused here: they named the first run).
RUN_FIELDS = ("image_size", "samples_per_icon", "sketches_per_icon", "backbone", "epochs", "finetune_epochs",
              "finetune_learning_rate", "batch_size", "learning_rate", "label_smoothing", "validation_fraction",
              "grid", "cell_px", "hidpi_cell_px", "seed")
DEFAULT_ICONS = 50000  # every distinct drawing of the sets (46,906)


def load_sets(sets_file: Path, node_modules: Path) -> tuple[list[Icon], list[dict]]:
    """Every icon of every set, ids prefixed with the set's name; and what was read (versions)."""
    spec = json.loads(sets_file.read_text())
    icons, used = [], []
    for s in spec["sets"]:
        package_dir = node_modules / s["package"]
        if not package_dir.is_dir():
            raise FileNotFoundError(f"{package_dir} is missing: run `npm ci` in {sets_file.parent}")
        version = json.loads((package_dir / "package.json").read_text())["version"]
        found, warnings = scan_svg_folder(package_dir / s["folder"])
        icons += [replace(i, id=f"{s['name']}/{i.id}") for i in found]
        used.append({"name": s["name"], "package": f"{s['package']}@{version}", "icons": len(found),
                     "skipped": len(warnings)})
        log.info("pretraining set %s (%s@%s): %d icons, %d skipped", s["name"], s["package"], version,
                 len(found), len(warnings))
    return icons, used


def choose(icons: list[Icon], count: int, seed: int) -> list[Icon]:
    """``count`` distinct drawings at random (seeded), in id order."""
    distinct = [icons[g[0]] for g in twin_groups(icons)]
    rng = np.random.default_rng([seed, 11])
    picked = rng.choice(len(distinct), size=min(count, len(distinct)), replace=False)
    return sorted((distinct[i] for i in picked), key=lambda i: i.id)


def pretrain(sets_file: Path, node_modules: Path, out_dir: Path, count: int = DEFAULT_ICONS,
             hp: HParams = PRETRAIN_HPARAMS, browser_path: str | None = None,
             cache_dir: Path = Path(".cache/pretrain"), until: int | None = None,
             resume_dir: Path | None = None) -> dict:
    """The screenshots are kept in ``cache_dir`` (a model store), and so is a checkpoint after
    every epoch (``checkpoints/<run>/``): a run that is stopped (Ctrl-C, a machine handed back)
    goes on from its last epoch when started again with the same arguments. Each epoch also
    leaves the backbone as it stands in ``checkpoints/<run>/backbone/`` (for
    ``benchmarks/backbone_probe.py``); ``out_dir`` gets the final one, or with ``until``, the
    one after that epoch of the same run (its learning rate still on the whole run's schedule:
    the same weights as the run's, which a later start takes on to the end).

    A run whose checkpoints are gone (a new machine) goes on from the furthest of its backbones
    in ``out_dir`` and ``resume_dir`` (``fit_resumable``'s ``warm``) instead of from scratch:
    ``resume_dir`` is where a maintainer commits a run's latest backbone between sittings
    (``pretrain/resume/``: 0.9 MB) without shipping it."""
    start = time.monotonic()
    everything, sets = load_sets(sets_file, node_modules)
    icons = choose(everything, count, hp.seed)
    log.info("pretraining on %d of %d icons", len(icons), len(everything))
    arch = Arch(image_size=hp.image_size)
    hparams = hp.to_dict()
    run = cache_dir / "checkpoints" / digest({"icons": [[i.id, i.digest] for i in icons], "arch": arch.to_dict(),
                                               "hparams": {k: hparams[k] for k in RUN_FIELDS}, "recipe": RECIPE})
    x, y = ModelStore(cache_dir).samples(icons, hp, browser_path)
    meta = {"sets": sets, "icons": len(icons), "samples": int(len(x)), "hparams": hp.to_dict(), "recipe": RECIPE,
            "samples_code": samples_record(icons, hp)["code"], "preprocess": PREPROCESS_VERSION, "run": run.name}
    result = fit_resumable(x, y, len(icons), hp, arch, run, meta, until, warm=_furthest(run.name, out_dir, resume_dir))
    meta.update({
        "val_accuracy": round(result["val_accuracy"], 4), "val_top5": round(result["val_top5"], 4),
        "epochs_done": len(result["log"]), "epochs_log": result["log"],
        **({"warm_start": result["warm_start"]} if result.get("warm_start") else {}),
        "seconds": round(result["seconds"] + time.monotonic() - start - result["this_run"]),
    })
    save(out_dir, arch, *result["weights"], meta)
    log.info("backbone saved in %s (epoch %d of %d): validation top-1 %.2f%% over %d icons", out_dir,
             len(result["log"]), hp.schedule(len(icons))[0], 100 * result["val_accuracy"], len(icons))
    return meta


def fit_resumable(x: np.ndarray, y: np.ndarray, classes: int, hp: HParams, arch: Arch, run: Path,
                  meta: dict | None = None, until: int | None = None, warm: Backbone | None = None) -> dict:
    """Trains trunk and cosine head from scratch, one epoch at a time, each epoch's order seeded
    by its number (a resumed run sees the same batches as one that never stopped); after each
    epoch the weights, the optimizer's state and the log are checkpointed atomically, and the
    backbone is saved in ``run/backbone`` with ``meta`` and the log. ``until``: stop after that
    epoch.

    ``warm``: this run's backbone after some epoch, used only when ``run`` has no checkpoint (a
    new machine: checkpoints are not committed, the backbone is). The run goes on after that epoch
    from its trunk and embedding, each class's weights begun from its mean embedding (the
    backbone ships without them), on the same learning-rate schedule; the optimizer's moments
    start anew. The log records it (``warm_start``): the result is not bit for bit the one an
    unbroken run gives."""
    from .network import copy_weights, cosine_head, trunk
    from .train import batches, import_tf, prototypes, ranked, split, train_epoch, train_steps

    tf, keras = import_tf()
    tf.keras.utils.set_random_seed(hp.seed)
    trunk_model = trunk(keras, arch, for_training=True)
    head_model = cosine_head(keras, arch, classes)
    inp = keras.Input(trunk_model.input_shape[1:], name="ink")
    model = keras.Model(inp, head_model(trunk_model(inp)))
    train_idx, val_idx = split(len(x), hp.validation_fraction, hp.seed)
    epochs = hp.schedule(classes)[0]
    steps = int(np.ceil(len(train_idx) / hp.batch_size))
    # offset: the optimizer's steps before its own (a warm start's epochs), so that the learning
    # rate follows the whole run's schedule whatever the optimizer has counted; ramp: its first
    # steps after a warm start, over which the rate rises from 0 (WARM_RAMP).
    offset, ramp = tf.Variable(0.0, dtype=tf.float32), tf.Variable(0.0, dtype=tf.float32)
    optimizer = keras.optimizers.Adam(_Shifted(keras, keras.optimizers.schedules.CosineDecay(hp.learning_rate, steps * epochs),
                                               offset, ramp))
    model.compile(optimizer=optimizer, loss=cosine_loss(tf, classes))
    done = tf.Variable(0, dtype=tf.int64)
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, done=done, offset=offset, ramp=ramp)
    manager = tf.train.CheckpointManager(checkpoint, str(run / "tf"), max_to_keep=2)
    record_file = run / "log.json"
    record = {"log": [], "seconds": 0.0}
    if manager.latest_checkpoint:
        # (expect_partial: the optimizer's slots are restored on its first step; a run that trains
        # no further, `--until` an epoch done, would print a warning for each of them at exit.)
        checkpoint.restore(manager.latest_checkpoint).assert_existing_objects_matched().expect_partial()
        if record_file.exists():  # (written before each checkpoint: it may hold one epoch more)
            record = json.loads(record_file.read_text())
            record["log"] = [e for e in record["log"] if e["epoch"] <= int(done.numpy())]
            record["seconds"] = float(sum(e["seconds"] for e in record["log"]))
        log.info("resuming pretraining after epoch %d of %d (%s)", int(done.numpy()), epochs, run)
    elif warm is not None and 0 < len(_epochs_log(warm.meta)) < epochs:
        copy_weights(warm.trunk_weights, trunk_model)
        head_model.get_layer("embedding").set_weights(warm.embedding)
        held_out = np.zeros(len(x), bool)
        held_out[val_idx] = True  # (prototypes skips these, as it skips a site's sketches)
        head_model.get_layer("cosine").set_weights(
            [prototypes(tf, keras, trunk_model, head_model, x, y, held_out, classes, hp.seed, per_class=8).T])
        record = {"log": _epochs_log(warm.meta), "seconds": float(warm.meta.get("seconds", 0))}
        done.assign(len(record["log"]))
        offset.assign(float(len(record["log"]) * steps))
        ramp.assign(float(round(WARM_RAMP * steps)))
        best, _ = ranked(model, batches(tf, x, y, val_idx, 1024), 5)
        record["warm_start"] = {"after_epoch": len(record["log"]), "backbone": warm.digest, "ramp_steps": int(ramp.numpy()),
                                "val_top1_before": round(float((best == y[val_idx]).mean()), 4)}
        log.info("no checkpoint of run %s: going on after epoch %d from its backbone %s (validation top-1 %.2f%% "
                 "with each class begun at its mean embedding)", run.name, len(record["log"]), warm.digest,
                 100 * record["warm_start"]["val_top1_before"])
    log.info("pretraining: %s samples (%s held out), %d classes, %d epochs, %s parameters", f"{len(train_idx):,}",
             f"{len(val_idx):,}", classes, epochs, f"{model.count_params():,}")
    began = time.monotonic()
    export = trunk(keras, arch)

    def weights():
        copy_weights(trunk_model.get_weights(), export)
        return export.get_weights(), head_model.get_layer("embedding").get_weights()

    step = train_steps(tf, model)
    last = epochs if until is None else min(until, epochs)
    if int(done.numpy()) > last:
        log.warning("the run is past epoch %d already: its weights after epoch %d are the ones kept", last,
                    int(done.numpy()))
    for epoch in range(int(done.numpy()), last):
        t = time.monotonic()
        order = train_idx[np.random.default_rng([hp.seed, 7, epoch]).permutation(len(train_idx))]
        loss = train_epoch(model, step, batches(tf, x, y, order, hp.batch_size))["loss"]
        best, top5 = ranked(model, batches(tf, x, y, val_idx, 1024), 5)
        val_acc, val_top5 = float((best == y[val_idx]).mean()), float((top5 == y[val_idx, None]).any(axis=1).mean())
        done.assign(epoch + 1)
        seconds = time.monotonic() - t
        record["log"].append({"epoch": epoch + 1, "loss": round(float(loss), 4), "val_top1": round(val_acc, 4),
                              "val_top5": round(val_top5, 4), "seconds": round(seconds)})
        record["seconds"] += seconds
        save(run / "backbone", arch, *weights(), {**(meta or {}), "partial": epoch + 1 < epochs, "recipe": RECIPE, **record})
        _write_json(record_file, record)  # then the checkpoint: a resumed run drops what ran ahead of it
        manager.save()
        log.info("epoch %d/%d: loss %.3f, validation top-1 %.2f%%, top-5 %.2f%% (%.0f s; %.0f s left)", epoch + 1,
                 epochs, loss, 100 * val_acc, 100 * val_top5, seconds,
                 seconds * (epochs - epoch - 1))
    final = record["log"][-1]
    return {"weights": weights(), "val_accuracy": final["val_top1"], "val_top5": final["val_top5"],
            "log": record["log"], "seconds": record["seconds"], "this_run": time.monotonic() - began,
            "warm_start": record.get("warm_start")}


def _furthest(run: str, *folders: Path | None) -> Backbone | None:
    """The backbone of ``run`` with the most epochs among ``folders`` (None: none of them)."""
    found = [load(f) for f in folders if f is not None and (f / "backbone.json").exists()]
    found = [b for b in found if b.meta.get("run") == run]
    return max(found, key=lambda b: len(_epochs_log(b.meta)), default=None)


def _epochs_log(meta: dict) -> list:
    """A backbone's epochs: ``epochs_log`` in ``out_dir``'s record, ``log`` in a run's own."""
    return list(meta.get("epochs_log") or meta.get("log") or [])


def _Shifted(keras, schedule, offset, ramp):
    """``schedule`` read ``offset`` steps further on, times a rise from 0 to 1 over the first
    ``ramp`` steps (none when 0). Variables: the checkpoint keeps them."""
    import tensorflow as tf

    class Shifted(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            step = tf.cast(step, tf.float32)
            return schedule(step + offset) * tf.minimum(1.0, (step + 1.0) / tf.maximum(ramp, 1.0))

    return Shifted()


def cosine_loss(tf, classes: int):
    """Softmax cross-entropy on ``RECIPE["scale"]`` x cosine, the true class's cosine lowered by
    ``RECIPE["margin"]`` first (CosFace): a class is learnt only once its icons clear the margin."""
    scale, margin = RECIPE["scale"], RECIPE["margin"]

    def loss(y_true, cos):
        onehot = tf.one_hot(tf.cast(tf.reshape(y_true, [-1]), tf.int32), classes)
        return tf.nn.softmax_cross_entropy_with_logits(onehot, scale * (cos - margin * onehot))

    return loss


def _write_json(path: Path, data) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)
