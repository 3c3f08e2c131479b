"""Training (tf-keras; TensorFlow is imported here only, and lazily).

Two routes to the same network (``network.py``):
- **transfer** (the default): the pretrained trunk is frozen; its features are computed once for
  every sample and only the head is trained on them, for many cheap epochs;
- **from scratch** (``backbone=None``): the whole network, end to end. Pretraining uses this.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import LOGGER_NAME
from .hparams import HParams
from .network import Arch, classifier, copy_weights, exported, head, trunk
from .progress import Progress

log = logging.getLogger(LOGGER_NAME)

MIN_STEPS_PER_EPOCH = 30
# A re-fit's epochs take every sample of its new classes (and names) but only this share of the
# others', drawn once: the head knows those already, they only hold its columns in place.
REFIT_REPLAY = 0.25
# And at this share of the learning rate: Adam starting afresh at the full rate shakes a trained
# head loose. All four Material sets re-fitted on their own samples (1 epoch): validation top-1
# 73.1 % at the full rate, 84.1 % at a tenth; the full build they came from read 84.5 %.
REFIT_LEARNING_RATE = 0.1
# With no head epochs before fine-tuning (``hparams.WARMUP_EPOCHS``), the classifier's start,
# each class's mean embedding, comes from this many of its screenshots: only they go through
# the trunk first (example_site: 19,152 samples in 0.8 s instead of 93,415 in 3.1 s). From all of
# them, real-world exact top-1 93.13 %; from 24, 93.26 %.
START_SHOTS = 24


@dataclass
class TrainResult:
    model: object  # a tf_keras.Model: ink map -> class probabilities (and the embedding, with sketch_model)
    train_accuracy: float
    val_accuracy: float
    val_top5: float
    epochs: dict  # the schedule run: {"head": before fine-tuning, "finetune": ..., "settle": after it}
    samples: int
    seconds: float
    confusions: list[tuple[int, int, int]]  # (true, predicted, count), most frequent first
    sketch_accuracy: float = float("nan")  # held-out sketches, by name (the sketch head)
    sketch_top5: float = float("nan")
    prototypes: np.ndarray | None = None  # classes x embedding: each class's mean look, unit length
    sketch_model: object = None  # embedding -> name probabilities (network.exported), if sketches
    state: dict | None = None  # the weights a later build can re-fit from (``Start``): trunk, head layers
    features: np.ndarray | None = None  # every sample's features under the state's trunk, when computed


@dataclass
class Start:
    """An earlier model of the same site to re-fit instead of training from the backbone (the
    store's incremental builds): its trunk stays as it was fine-tuned, its head's layers start
    from its weights, a class (or a name) it already had from its own column, a new one afresh."""
    trunk: list[np.ndarray]
    head: dict[str, list[np.ndarray]]  # layer name -> [kernel, bias]
    class_map: np.ndarray  # per class now: its column in that model, or -1 (new)
    name_map: np.ndarray | None = None  # the same for the sketch head's names
    # That model's features of its own samples (its ``TrainResult.features``), and which of its
    # rows are this build's first samples: those are copied, only the rest go through the trunk.
    features: np.ndarray | None = None
    rows: np.ndarray | None = None


def import_tf():
    # tf-keras is ~2x faster than Keras 3 on this kind of CPU; the env var must precede import.
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # tensorflowjs imports decision forests, whose welcome advert needs IPython when stdout
    # is not a terminal (a captured build log): switch it off.
    os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")
    from .quiet import native_output_hidden

    with native_output_hidden(log):
        import tensorflow as tf
        import tf_keras as keras

    return tf, keras


def trunk_dtype(precision: str, cpuinfo: Path = Path("/proc/cpuinfo")) -> str | None:
    """The Keras dtype policy of the trunk in training (``HParams.precision``): "mixed_bfloat16"
    (bfloat16 arithmetic, float32 weights) or None (float32). "auto" takes bfloat16 where the CPU
    has its instructions (x86's AVX512-BF16 or AMX, read from Linux's ``cpuinfo``): there the
    trunk's steps run ~1.3x and its features passes ~2x as fast (example_site: the same
    real-world accuracy); elsewhere oneDNN emulates them, slower than float32."""
    if precision == "auto":
        try:
            flags = cpuinfo.read_text(errors="replace")
        except OSError:
            flags = ""
        precision = "bfloat16" if re.search(r"\b(avx512_bf16|amx_bf16)\b", flags) else "float32"
    return "mixed_bfloat16" if precision == "bfloat16" else None


def split(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``(train, held out)`` indexes of ``n`` samples, at random (pretraining's)."""
    order = np.random.default_rng([seed, 3]).permutation(n)
    n_val = max(1, int(round(n * fraction))) if n > 1 else 0
    return order[n_val:], order[:n_val]


def content_split(x: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``(train, held out)`` sorted indexes of the samples ``x``, each side decided by the
    sample's bytes: those of ``fraction`` of them with the lowest keys (a seeded hash of the
    content) are held out. A re-fit keeps its base's samples of the icons it keeps, so they
    stay on the side they were on (a permutation by count alone changes with every icon added,
    and the re-fit then "held out" samples its base had trained on); identical samples share
    a side. Blank samples (all zero: a screenshot with too little contrast, which the widget
    never searches) are on neither: they would all share one side, and no model names them."""
    flat = x.reshape(len(x), -1)
    words = -(-flat.shape[1] // 8)
    mult = np.random.default_rng([seed, 3]).integers(1, 2 ** 63, words, dtype=np.uint64) | np.uint64(1)
    keys = np.empty(len(x), np.uint64)
    inked = np.empty(len(x), bool)
    for lo in range(0, len(x), 65_536):  # a chunk at a time: ``x`` may be a disk-backed array
        rows = np.zeros((min(len(x), lo + 65_536) - lo, words * 8), np.uint8)
        rows[:, :flat.shape[1]] = flat[lo:lo + 65_536]
        inked[lo:lo + len(rows)] = rows.any(axis=1)
        h = (rows.view(np.uint64) * mult).sum(axis=1, dtype=np.uint64)
        for shift, factor in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB), (31, None)):
            h ^= h >> np.uint64(shift)  # splitmix64's finalizer: every input bit moves the key
            if factor:
                h *= np.uint64(factor)
        keys[lo:lo + len(h)] = h
    kept = np.flatnonzero(inked)
    n = len(kept)
    n_val = max(1, int(round(n * fraction))) if n > 1 else 0
    order = kept[np.argsort(keys[kept], kind="stable")]
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def train(x: np.ndarray, y: np.ndarray, classes: int, hp: HParams, backbone=None,
          names: np.ndarray | None = None, name_count: int | None = None, start: Start | None = None,
          scratch: Path | None = None) -> TrainResult:
    """``x``: N x S x S uint8 ink maps, ``y``: N class indexes; ``backbone``: a
    ``backbone.Backbone`` to train only the head on, or None to train everything; ``names``:
    per sample, the name index of a sketch, -1 for a screenshot (whose ``y`` is its class; a
    sketch's ``y`` is -1). With sketches, the network has a second output, the sketch head
    (``network.head``) over ``name_count`` names (default: the largest name sketched); each
    output learns from its own samples only. ``start`` (with ``backbone``): re-fit that model's
    head on its trunk's features, no fine-tuning: seconds where a full build takes minutes.
    ``scratch``: where the features are kept on disk (``features``), else in memory."""
    tf, keras = import_tf()
    tf.keras.utils.set_random_seed(hp.seed)
    began = time.monotonic()
    arch = backbone.arch if backbone else Arch(image_size=hp.image_size)
    if arch.image_size != hp.image_size:
        raise ValueError(f"image_size {hp.image_size} does not match the pretrained backbone's "
                         f"{arch.image_size}: use {arch.image_size}, or `backbone: none` to train from scratch")
    dtype = trunk_dtype(hp.precision)
    trunk_model = trunk(keras, arch, for_training=True, dtype=dtype)
    names = np.full(len(x), -1, np.int32) if names is None else np.asarray(names, np.int32)
    sketch = names >= 0
    n_names = (name_count or int(names.max()) + 1) if sketch.any() else 0
    labels = np.stack([y, names], axis=1).astype(np.int32) if n_names else y
    # On the backbone, light dropout: a build's few epochs underfit more than they overfit
    # (0.3/0.2, as in pretraining from scratch, cost ~1 point of validation accuracy).
    cosine = cosine_scale(backbone)
    head_model = head(keras, arch, classes, (0.1, 0.05) if backbone else (0.3, 0.2), n_names, cosine)
    train_idx, val_idx = content_split(x, hp.validation_fraction, hp.seed)
    epochs, finetune_epochs, settle_epochs = hp.schedule(classes, refit=start is not None)
    if backbone:
        copy_weights(start.trunk if start else backbone.trunk_weights, trunk_model)
        trunk_model.trainable = False
        if start:
            _start_head(head_model, start)
        else:
            head_model.get_layer("embedding").set_weights(backbone.embedding)
        # The samples stay numpy arrays that training reads a batch at a time (``batches``): ink
        # maps as uint8, features as float16; TensorFlow never holds a copy of the set.
        known = (start.features, start.rows) if start and start.features is not None else None
        fit_model, fresh = head_model, np.ones(classes, bool) if start is None else start.class_map < 0
        if epochs:
            inputs = features(tf, trunk_model, x, scratch=scratch, known=known)
            if cosine:
                # Each class's weights start as its mean direction in the pretrained embedding (new
                # classes only, in a re-fit): the classifier is right before its first step.
                _start_cosine(head_model, inputs, y, train_idx, fresh)
        else:
            # Fine-tuning comes first: the head needs no features of its own, only its start.
            inputs = None
            few = some_of_each(train_idx[y[train_idx] >= 0], y, START_SHOTS, hp.seed)
            if cosine:
                _start_cosine(head_model, features(tf, trunk_model, x[few]), y[few], np.arange(len(few)), fresh)
    else:
        inputs, fit_model = x, classifier(keras, trunk_model, head_model)
    fit_idx = train_idx if start is None else refit_samples(train_idx, y, names, start, hp.seed)
    blank = len(x) - len(train_idx) - len(val_idx)
    log.info("training %s: %s samples (%s held out%s%s), %d classes%s, %s, %s parameters%s",
             ("the last model's head again, on its own trunk" if start else "the head on the pretrained backbone")
             if backbone else "from scratch",
             f"{len(train_idx):,}", f"{len(val_idx):,}", f"; {blank:,} blank ones left out" if blank else "",
             f"; {len(fit_idx):,} of them an epoch: the new classes' and a share of the others'"
             if start else "", classes,
             f" (and {n_names} names for {sketch.sum():,} sketches)" if n_names else "",
             _count(epochs, "epoch") if epochs else "the classifier at the classes' mean embeddings, fine-tuning next",
             f"{fit_model.count_params():,}", "; the backbone's arithmetic in bfloat16" if dtype else "")
    sizes = (classes, n_names) if n_names else (classes,)

    def fit(model, inputs, learning_rate: float, epochs: int, batch_size: int, **kw):
        """``_fit`` on this build's samples, repeated for ``batch_size`` (``_tiled``)."""
        return _fit(tf, keras, model, inputs, learning_rate, epochs, labels=labels, val_idx=val_idx, sizes=sizes,
                    hp=hp, fit_idx=_tiled(fit_idx, batch_size), batch_size=batch_size, **kw)

    first_batch, first_rate = hp.first_steps()
    # With two outputs, the head trains through ``split_outputs``: each output computed for its
    # own samples only (Keras computes both for every sample, and masks one loss).
    head_fit = split_outputs(tf, keras, head_model, sizes, hp.label_smoothing) if n_names and backbone else head_model
    history = fit(head_fit if fit_model is head_model else fit_model, inputs,
                  first_rate * (REFIT_LEARNING_RATE if start else 1), epochs, first_batch) if epochs else {}
    model = classifier(keras, trunk_model, head_model)
    if backbone and finetune_epochs and not start:
        # Then the whole network, briefly and gently: the trunk adapts to this icon set's strokes.
        trunk_model.trainable = True
        log.info("fine-tuning the whole network: %s", _count(finetune_epochs, "epoch"))
        # (Validated once at the end only: each epoch's pass over the held-out set costs ~1 s.)
        history = fit(model, x, hp.finetune_learning_rate, finetune_epochs, hp.finetune_batch_size, top5=False,
                      validate=False)
        fit_model, inputs = model, x
        if settle_epochs:
            # Then the head alone once more, on the fine-tuned trunk's features: the fine-tuning's
            # last, smallest steps leave the classifier short of what the trunk now tells apart
            # (example_site's real-world benchmark, exact top-1: 84.4 % without, 85.6 % after 4
            # epochs, 86.7 % after 16, 86.8 % after 32; TwoTone 63 -> 69 %). Epochs here cost ~5 s.
            trunk_model.trainable = False
            inputs = None  # (the first features' file goes before the second is written)
            fit_model, inputs = head_model, features(tf, trunk_model, x, scratch=scratch)
            log.info("the head again, on the fine-tuned trunk: %s", _count(settle_epochs, "epoch"))
            history = fit(head_fit, inputs, hp.learning_rate, settle_epochs, hp.batch_size)
    shots, drawn = val_idx[~sketch[val_idx]], val_idx[sketch[val_idx]]
    truth = y[shots]
    pred, top5 = ranked(fit_model, batches(tf, inputs, y, shots, 1024), min(5, classes))
    val_acc, val_top5 = _hits(pred, top5, truth)
    # The head's inputs are the final trunk's features unless fine-tuning ran last: then the
    # prototypes come from them (the trunk need not run again), and a re-fit can reuse them.
    on_features = fit_model is head_model
    sketch_acc = sketch_top5 = float("nan")
    if len(drawn):
        def sketch_hits():
            got, got5 = ranked(fit_model, batches(tf, inputs, names, drawn, 1024), min(5, n_names), output=1)
            return _hits(got, got5, names[drawn])

        sketch_acc, sketch_top5 = sketch_hits()
        if on_features:
            # Few epochs over many names (all four Material sets: 1 epoch, 11,711 names) leave
            # the trained sketch head far behind the nearest-mean one on the final embedding;
            # many (example_site's 12) take it beyond: keep the better.
            layers = [head_model.get_layer(n) for n in ("sketch_embedding", "sketch")]
            trained = [layer.get_weights() for layer in layers]
            _nearest_mean_sketch(head_model, inputs, names, train_idx, hp.seed, hp.label_smoothing)
            means = sketch_hits()
            log.info("sketch head: trained %.2f%%, nearest-mean %.2f%% by name on held-out sketches: %s kept",
                     100 * sketch_acc, 100 * means[0], "nearest-mean" if means[0] > sketch_acc else "trained")
            if means[0] > sketch_acc:
                sketch_acc, sketch_top5 = means
            else:
                for layer, weights in zip(layers, trained):
                    layer.set_weights(weights)
    protos = prototypes(tf, keras, None if on_features else trunk_model, head_model, inputs, y, sketch,
                        classes, hp.seed)
    seconds = time.monotonic() - began
    log.info("training done in %.0f s: validation top-1 %.2f%%, top-5 %.2f%% on %s held-out samples%s",
             seconds, 100 * val_acc, 100 * val_top5, f"{len(shots):,}",
             f"; sketches (by name) top-1 {100 * sketch_acc:.2f}%, top-5 {100 * sketch_top5:.2f}% on {len(drawn):,}"
             if len(drawn) else "")
    # The same weights in the network with 1x1 convolutions, which is what gets exported.
    export_trunk = trunk(keras, arch)
    copy_weights(trunk_model.get_weights(), export_trunk)
    model, sketch_model = exported(keras, export_trunk, head_model)
    train_acc = next(v[-1] for k, v in history.items() if k.endswith("accuracy") and not k.startswith("val_"))
    state = {"trunk": trunk_model.get_weights(),
             "head": {layer.name: layer.get_weights() for layer in head_model.layers if layer.weights}}
    schedule = {"head": epochs, "finetune": finetune_epochs, "settle": settle_epochs}
    return TrainResult(model, float(train_acc), val_acc, val_top5, schedule,
                       len(x), seconds, confusions(truth, pred), sketch_acc, sketch_top5, protos, sketch_model, state,
                       inputs if on_features else None)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _tiled(idx: np.ndarray, batch_size: int) -> np.ndarray:
    """``idx`` repeated so that an epoch has at least MIN_STEPS_PER_EPOCH steps: a tiny set (a
    handful of icons) gives the optimizer and BatchNorm's moving statistics enough to settle."""
    return np.tile(idx, max(1, int(np.ceil(MIN_STEPS_PER_EPOCH * batch_size / max(1, len(idx))))))


def refit_samples(idx: np.ndarray, y: np.ndarray, names: np.ndarray, start: Start, seed: int,
                  replay: float = REFIT_REPLAY) -> np.ndarray:
    """The samples of ``idx`` that a re-fit from ``start`` trains on: all of a class (or a
    sketch name) that ``start`` did not have, ``replay`` of the others, at random."""
    old = np.ones(len(idx), bool)
    shots, drawn = y[idx] >= 0, names[idx] >= 0
    old[shots] = start.class_map[y[idx[shots]]] >= 0
    if start.name_map is not None and len(start.name_map):
        old[drawn] &= start.name_map[names[idx[drawn]]] >= 0
    keep = ~old | (np.random.default_rng([seed, 7]).random(len(idx)) < replay)
    return idx[keep]


def cosine_scale(backbone) -> float | None:
    """The scale of the cosine classifier that ``backbone`` was pretrained with (its record's
    recipe), or None: a dense softmax head on a ReLU embedding, as the first backbone had."""
    recipe = backbone.meta.get("recipe", {}) if backbone else {}
    return float(recipe["scale"]) if recipe.get("head") == "cosine" else None


def _start_cosine(head_model, inputs: np.ndarray, y: np.ndarray, idx: np.ndarray, fresh: np.ndarray,
                  chunk: int = 65536) -> None:
    """The ``fresh`` classes' kernel columns: the mean unit embedding of their samples among
    ``idx`` (screenshots only; a class with none keeps its random column)."""
    layer = head_model.get_layer("probabilities")
    (weights,) = layer.get_weights()
    idx = idx[(y[idx] >= 0)]
    idx = idx[fresh[y[idx]]]
    total = np.zeros((weights.shape[1], weights.shape[0]), np.float64)
    for part, emb in _embedded(head_model, inputs, idx, chunk):
        add_by_label(total, y[part], _unit(emb))
    seen = np.linalg.norm(total, axis=1) > 0
    weights[:, seen] = _unit(total[seen]).T.astype(np.float32)
    layer.set_weights([weights])


def _embedded(head_model, inputs: np.ndarray, idx: np.ndarray, chunk: int):
    """``(part, embeddings)`` for ``inputs[idx]`` a chunk at a time: the head's embedding layer
    in numpy (linear on a cosine backbone, ReLU on the first one's)."""
    layer = head_model.get_layer("embedding")
    kernel, bias = layer.get_weights()
    relu = layer.get_config()["activation"] == "relu"
    for start in range(0, len(idx), chunk):
        part = idx[start:start + chunk]
        emb = inputs[part].astype(np.float32) @ kernel + bias
        yield part, (np.maximum(emb, 0) if relu else emb)


def _nearest_mean_sketch(head_model, inputs: np.ndarray, names: np.ndarray, idx: np.ndarray, seed: int,
                         smoothing: float = 0.0, chunk: int = 65536, shift: float = 4.0) -> None:
    """The sketch head as a nearest-mean classifier: its hidden layer the sketches' embeddings
    in whitened principal components (shifted by ``shift``, where ReLU passes them), each
    name's column and bias the score of its mean there, at the scale that fits the training
    sketches best (by a trained head's loss, label ``smoothing`` included). A trained head
    needs many epochs on a few sketches a name: all four Material sets' single epoch (11,711
    names) read 1 % by name. (As a start for training instead of a random head, it trained
    worse: example_site, 12 head epochs, 89.8 vs 94.2 %.)"""
    hidden, out = head_model.get_layer("sketch_embedding"), head_model.get_layer("sketch")
    idx = idx[names[idx] >= 0]
    width, count = hidden.get_weights()[0].shape[1], out.get_weights()[0].shape[1]
    if len(idx) <= width:
        return
    emb = np.concatenate([emb for _, emb in _embedded(head_model, inputs, idx, chunk)])
    mid = emb.mean(axis=0)
    spread, axes = np.linalg.eigh(np.cov(emb - mid, rowvar=False))
    whiten = (axes[:, -width:] / np.sqrt(np.maximum(spread[-width:], 1e-6))).astype(np.float32)
    z = (emb - mid) @ whiten
    label = names[idx]
    means = np.zeros((count, width), np.float64)
    add_by_label(means, label, z)
    seen = np.bincount(label, minlength=count)
    means = (means / np.maximum(seen, 1)[:, None]).astype(np.float32)
    # logit = s (m . z - |m|^2 / 2): the nearest mean wins; s from a sample of the sketches,
    # each scored against its own name's mean without it. (Scored in-sample, the few sketches
    # a name has pull its mean to each of them: all four Material sets' scale came out at the
    # grid's top, 1.0; scored like this, as held-out sketches score, 0.5, and with a trained
    # head's label smoothing 0.4. Search by sketch mixes these probabilities with the
    # classifier's, and the overconfident head outvoted it: doodles 51.0 % top-1 at 1.0,
    # 55.7 % at 0.5, 58.0 % at 0.3.)
    pick = np.random.default_rng([seed, 11]).permutation(len(z))[:2048]
    pick = pick[seen[label[pick]] > 1]
    own, many = label[pick], seen[label[pick]][:, None]
    raw = z[pick] @ means.T - 0.5 * (means ** 2).sum(axis=1)
    loo = (many * means[own] - z[pick]) / (many - 1)
    raw[np.arange(len(pick)), own] = (z[pick] * loo).sum(axis=1) - 0.5 * (loo ** 2).sum(axis=1)
    # The loss: log-sum-exp of the logits less the smoothed target's, which is linear in s.
    target = (1 - smoothing) * raw[np.arange(len(pick)), own] + smoothing * raw[:, seen > 0].mean(axis=1)
    raw[:, seen == 0] = -np.inf

    def loss(log_s):
        logit = np.exp(log_s) * raw
        top = logit.max(axis=1)
        return float(np.mean(np.log(np.exp(logit - top[:, None]).sum(axis=1)) + top - np.exp(log_s) * target))
    scale = float(np.exp(_unimodal_min(loss, np.log(0.01), np.log(4.0), 0.05))) if len(pick) else 1.0
    hidden.set_weights([whiten, (shift - mid @ whiten).astype(np.float32)])
    col_bias = -scale * (0.5 * (means ** 2).sum(axis=1) + shift * means.sum(axis=1))
    col_bias[seen == 0] = col_bias[seen > 0].min()  # (no sketch to learn it from: never first)
    out.set_weights([(scale * means.T).astype(np.float32), col_bias.astype(np.float32)])
    log.debug("sketch head: nearest-mean, scale %.3g", scale)


def _unimodal_min(f, lo: float, hi: float, tolerance: float) -> float:
    """Where ``f``, falling then rising, is least on [lo, hi], to ``tolerance`` (golden section).
    (The loss of a softmax at scale s is convex in s, so unimodal in log s.)"""
    g = (np.sqrt(5) - 1) / 2
    a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    fa, fb = f(a), f(b)
    while hi - lo > tolerance:
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - g * (hi - lo)
            fa = f(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + g * (hi - lo)
            fb = f(b)
    return (lo + hi) / 2


def _start_head(head_model, start: Start) -> None:
    """The head's layers from ``start``'s: the hidden ones as they were, each output's columns by
    ``class_map``/``name_map`` (a new class keeps its fresh initial column and the mean bias)."""
    for layer in head_model.layers:
        old = start.head.get(layer.name)
        if not layer.weights or old is None:
            continue
        mapping = {"probabilities": start.class_map, "sketch": start.name_map}.get(layer.name)
        if mapping is None:
            layer.set_weights(old)
            continue
        kernel, *bias = layer.get_weights()  # (a cosine classifier has no bias)
        have = mapping >= 0
        kernel[:, have] = old[0][:, mapping[have]]
        if bias:
            # A new name starts as the mean of the old ones (its logit the mean of theirs, never
            # above the best): at a re-fit's gentle rate (REFIT_LEARNING_RATE) a random column
            # outscored trained ones (example_site, one icon added: sketches by name 57 % top-1,
            # 98 % before; a zero column and the mean bias, 39 %).
            kernel[:, ~have] = old[0].mean(axis=1, keepdims=True)
            bias[0][have], bias[0][~have] = old[1][mapping[have]], old[1].mean()
        layer.set_weights([kernel, *bias])


def prototypes(tf, keras, trunk_model, head_model, x: np.ndarray, y: np.ndarray, sketch: np.ndarray,
               classes: int, seed: int, per_class: int = 24) -> np.ndarray:
    """Each class's mean embedding (the head's hidden layer) over up to ``per_class`` of its
    screenshots, centred and scaled to unit length: what "similar icons" and look-alikes compare.
    ``x``: ink maps, or the trunk's features of them when ``trunk_model`` is None."""
    chosen = some_of_each(np.flatnonzero(~sketch), y, per_class, seed)
    net = keras.Model(head_model.input, head_model.get_layer("embedding").output)
    if trunk_model is not None:
        inp = keras.Input(trunk_model.input_shape[1:])
        net = keras.Model(inp, net(trunk_model(inp)))
    total = np.zeros((classes, net.output_shape[-1]), np.float64)
    for batch, labels in batches(tf, x, y, chosen, 1024):
        add_by_label(total, labels.numpy(), net(batch, training=False).numpy())
    # Centred: ReLU embeddings share a large common direction that puts every cosine near 1;
    # without it, the scores spread and rank by what sets icons apart.
    unit = _unit(total)
    return _unit(unit - unit.mean(axis=0)).astype(np.float32)


def some_of_each(idx: np.ndarray, y: np.ndarray, count: int, seed: int) -> np.ndarray:
    """Up to ``count`` of each class's samples among ``idx`` (labels ``y``), drawn at random
    (``seed``), in index order."""
    order = idx[np.random.default_rng([seed, 5]).permutation(len(idx))]
    order = order[np.argsort(y[order], kind="stable")]  # by class, random within
    first = np.searchsorted(y[order], y[order])
    return np.sort(order[np.arange(len(order)) - first < count])


def add_by_label(total: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> None:
    """``total[labels[i]] += rows[i]`` for every i: ``np.add.at``'s result at ~3x its speed
    (sorted, then summed a run of one label at a time)."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    runs = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]]) if len(labels) else labels[:0]
    if len(runs):
        total[sorted_labels[runs]] += np.add.reduceat(rows[order], runs, axis=0)


def _unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(norm > 0, norm, 1)


def _hits(best: np.ndarray, top: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    if not len(truth):
        return float("nan"), float("nan")
    return float((best == truth).mean()), float((top == truth[:, None]).any(axis=1).mean())


def split_outputs(tf, keras, head_model, sizes: tuple[int, int], smoothing: float):
    """``head_model`` (two outputs: classes and sketch names) wrapped for ``fit``: each step
    computes the classifier for the batch's screenshots only and the sketch head for its
    sketches only; the losses and their gradients are Keras's with one loss masked (each a
    sum over its samples divided by the whole batch). The output layers' products are most of
    a step, and they shrink with their rows: all four Material sets' head (13,602 classes, 11,711
    names, a quarter of the samples sketches) ran 61-76 ms a step of 128 Keras's way, 45 ms so."""
    body = keras.Model(head_model.input, head_model.get_layer("embedding_dropout").output)
    classify = head_model.get_layer("probabilities")
    draw = (head_model.get_layer("sketch_embedding"), head_model.get_layer("sketch"))
    losses = [_smoothed_sparse_loss(tf, keras, n, smoothing) for n in sizes]

    class SplitOutputs(keras.Model):
        def __init__(self):
            super().__init__(name="head_split")
            self.body, self.classify, self.draw = body, classify, draw
            self.trackers = [keras.metrics.Mean(name=n) for n in ("loss", "accuracy", "top5")]

        @property
        def metrics(self):
            return self.trackers

        def call(self, x, training=False):
            return head_model(x, training=training)

        def _step(self, x, y, training):
            emb = self.body(x, training=training)
            shot, drawn = y[:, 0] >= 0, y[:, 1] >= 0
            probs = self.classify(tf.boolean_mask(emb, shot))
            named = self.draw[1](self.draw[0](tf.boolean_mask(emb, drawn)))
            truth = tf.boolean_mask(y[:, 0], shot)
            total = tf.reduce_sum(losses[0](truth, probs)) + \
                tf.reduce_sum(losses[1](tf.boolean_mask(y[:, 1], drawn), named))
            return total / tf.cast(tf.shape(x)[0], tf.float32), probs, truth

        def _track(self, loss, probs, truth):
            self.trackers[0].update_state(loss)
            for tracker, k in zip(self.trackers[1:], (1, min(5, sizes[0]))):
                tracker.update_state(tf.cast(tf.math.in_top_k(truth, probs, k), tf.float32))
            return {m.name: m.result() for m in self.trackers}

        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                loss, probs, truth = self._step(x, y, True)
            variables = self.trainable_variables
            self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
            return self._track(loss, probs, truth)

        def test_step(self, data):
            x, y = data
            return self._track(*self._step(x, y, False))

    return SplitOutputs()


def _fit(tf, keras, model, inputs, learning_rate: float, epochs: int, *, labels, fit_idx, val_idx, sizes, hp,
         top5: bool = True, validate: bool = True, batch_size: int | None = None):
    """Compile ``model`` (Adam, cosine decay over these epochs, smoothed loss for each output:
    classes, and names when ``sizes`` has two) and fit it on ``fit_idx``, ``batch_size`` samples a
    step (default ``hp.batch_size``). (``top5=False`` for fine-tuning: the metric costs ~10 % of an epoch
    there, and the final top-5 is measured after training anyway.) Returns each log's value after
    each epoch, by name (as Keras's ``History.history``)."""
    batch_size = batch_size or hp.batch_size
    steps = int(np.ceil(len(fit_idx) / batch_size)) * epochs
    optimizer = keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(learning_rate, steps))
    split = model.name == "head_split"  # (its own losses and metrics: ``split_outputs``)
    if split:
        model.compile(optimizer=optimizer)
    else:
        metrics = [_masked_top_k(tf, keras, 1, "accuracy")] + \
            ([_masked_top_k(tf, keras, min(5, sizes[0]), "top5")] if top5 else [])
        losses = [_smoothed_sparse_loss(tf, keras, n, hp.label_smoothing) for n in sizes]
        model.compile(optimizer=optimizer, loss=losses if len(sizes) > 1 else losses[0],
                      metrics=[metrics, []] if len(sizes) > 1 else metrics)

    held_out = None
    if len(val_idx) and validate and epochs > 1:
        # Top-1 on the held-out screenshots, as the final figures are measured. (Keras's own
        # validation cost example_site ~0.7 s an epoch of the head's ~1.7 s; this, ~0.1 s.)
        truth = labels[:, 0] if labels.ndim > 1 else labels
        shots = val_idx[truth[val_idx] >= 0]

        def held_out():
            best, _ = ranked(model, batches(tf, inputs, truth, shots, 1024), 1)
            return float((best == truth[shots]).mean())

    data, step = batches(tf, inputs, labels, fit_idx, batch_size, shuffle_seed=hp.seed), train_steps(tf, model)
    logged, history = _epoch_logger(epochs, held_out), {}
    for epoch in range(epochs):
        logs = logged(epoch, train_epoch(model, step, data, two_outputs=len(sizes) > 1 and not split))
        for key, value in logs.items():
            history.setdefault(key, []).append(value)
    return history


def ranked(model, data, k: int, output: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Each sample's best class and its ``k`` best (of the model's ``output``, when it has
    several), a batch at a time: the whole set's probabilities (150,000 held out x 13,602
    classes for Material's sets: 8 GB, and sorting them twice that) are never held at once.
    Only that output is computed (the other one of the head on Material's sets cost a third)."""
    if len(getattr(model, "outputs", None) or ()) > 1:
        _, keras = import_tf()
        model, output = keras.Model(model.inputs, model.outputs[output]), 0
    best, top = [np.zeros(0, np.int64)], [np.zeros((0, k), np.int64)]
    for x, _ in data:
        p = model(x, training=False)
        p = (p[output] if isinstance(p, (list, tuple)) else p).numpy()
        best.append(p.argmax(axis=1))
        # A copy: the slice alone would keep the whole batch's argpartition (batch x classes
        # int64) alive, 19 GB over Material's 14,342 icons: the 2026-11-26 run's OOM.
        top.append(np.argpartition(-p, k - 1, axis=1)[:, :k].copy())
    return np.concatenate(best), np.concatenate(top)


def batches(tf, source: np.ndarray, labels: np.ndarray, idx: np.ndarray, size: int,
            shuffle_seed: int | None = None) -> "Batches":
    """``(source[idx], labels[idx])`` as float32 batches, gathered from the numpy arrays a batch
    at a time: uint8 ink maps become S x S x 1 in [0, 1], float16 features float32. In ``idx``'s
    order; with ``shuffle_seed``, each pass over them comes in a new order, each batch's rows in
    index order (labels travel with their rows). (Given arrays, Keras kept a float copy of the
    tiled set and another one of its own; a TensorFlow constant copies the set too: 17.7 GB for
    Material's 14,342 icons before this.)"""
    return Batches(tf, source, labels, idx, size, shuffle_seed)


class Batches:
    """``batches``' result: iterable as often as needed, each shuffled pass in its own order.

    A plain loop, not a tf.data pipeline: on a 2-core CPU the pipeline's threads took time from
    the model's. With tf.data (autotuning off), a head epoch on example_site's features took
    1.13-1.37 s, a trunk pass 3.6 s; fed so, 0.98-1.00 s and 3.0-3.4 s. (With its autotuning on,
    a third to a half of the trunk's passes had run the model on one core: 10.2 s instead of 6.)"""

    def __init__(self, tf, source: np.ndarray, labels: np.ndarray, idx: np.ndarray, size: int,
                 shuffle_seed: int | None = None):
        self.tf, self.source, self.labels, self.size, self.seed = tf, source, labels, size, shuffle_seed
        self.idx = np.asarray(idx, np.int64)
        self.passes = 0

    def __len__(self) -> int:
        return -(-len(self.idx) // self.size)

    def __iter__(self):
        tf, idx = self.tf, self.idx
        if self.seed is not None:
            idx = np.random.default_rng([self.seed, 8, self.passes]).permutation(idx)
            self.passes += 1
        for start in range(0, len(idx), self.size):
            i = idx[start:start + self.size]
            if self.seed is not None:  # (a shuffled batch's rows in storage order: a disk-backed array's pages)
                i = np.sort(i)
            x = tf.cast(tf.constant(self.source[i]), tf.float32)
            yield (x[..., None] / 255.0 if self.source.dtype == np.uint8 else x), tf.constant(self.labels[i])


def train_steps(tf, model):
    """``model.train_step`` (a compiled model's) as one graph, for ``train_epoch``."""
    return tf.function(model.train_step, reduce_retracing=True)


def train_epoch(model, step, data, two_outputs: bool = False) -> dict:
    """One pass of ``step`` (``train_steps``) over ``data`` (``batches``), the model's metrics
    reset first: its logs at the end, as floats. ``two_outputs``: each batch's two label
    columns are the labels of the model's two outputs."""
    model.reset_metrics()
    logs = {}
    for x, y in data:
        logs = step((x, (y[:, 0], y[:, 1]) if two_outputs else y))
    return {k: float(v) for k, v in logs.items()}


def _smoothed_sparse_loss(tf, keras, classes: int, smoothing: float):
    """Label-smoothed cross-entropy on integer labels: one-hot per batch, never for the whole
    set (pretraining has ~10,000 classes: a full one-hot matrix would take gigabytes). A label
    of -1 (a sample for the other output) costs nothing."""

    def loss(y_true, y_pred):
        labels = tf.cast(tf.reshape(y_true, [-1]), tf.int32)
        each = keras.losses.categorical_crossentropy(tf.one_hot(tf.maximum(labels, 0), classes), y_pred,
                                                     label_smoothing=smoothing)
        return each * tf.cast(labels >= 0, each.dtype)

    return loss


def _masked_top_k(tf, keras, k: int, name: str):
    """The share of samples whose label is among the ``k`` best outputs, over labelled samples
    only (-1: a sample for the other output)."""

    class MaskedTopK(keras.metrics.Mean):
        def update_state(self, y_true, y_pred, sample_weight=None):
            labels = tf.cast(tf.reshape(y_true, [-1]), tf.int32)
            hit = tf.math.in_top_k(tf.maximum(labels, 0), tf.cast(y_pred, tf.float32), k)
            return super().update_state(tf.cast(tf.boolean_mask(hit, labels >= 0), tf.float32))

    return MaskedTopK(name=name)


def features(tf, trunk_model, x: np.ndarray, chunk: int = 256, scratch: Path | None = None,
             known: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """The frozen trunk's output for every sample of ``x`` (uint8 ink maps), computed once
    (training then never runs it). Kept as float16: half the memory (6 GB as float32 for 14,342
    icons with 80 screenshots each), and the head reads them as float32. ``scratch``: a folder
    for a disk-backed array (a nameless file: gone with the array, or with the process), written
    a chunk at a time and read a batch at a time; else they are in memory. ``known``: ``(features,
    rows)``, the first ``len(rows)`` samples' features already, as ``features[rows]`` (an
    incremental build's, from the last model of the same trunk): copied, not computed. Chunks of
    256 run twice as fast as of 2,048 on a 2-core CPU (4,000 vs 2,000 samples/s: a chunk's
    activations stay in the caches)."""
    shape = (len(x), trunk_model.output_shape[-1])
    if scratch is not None and len(x):
        fh = tempfile.TemporaryFile(prefix=".features-", dir=scratch)
        reserve(fh, int(np.prod(shape)) * 2)
        out = np.memmap(fh, np.float16, "w+", shape=shape)
    else:
        out = np.empty(shape, np.float16)
    i = 0
    if known is not None:
        given, rows = known
        for i in range(0, len(rows), 8 * chunk):  # (a part at a time: both may be on disk)
            part = rows[i:i + 8 * chunk]
            out[i:i + len(part)] = given[part]
        i = len(rows)
        log.info("backbone features: %s of %s samples reused from the last model", f"{i:,}", f"{len(x):,}")
    run = tf.function(lambda batch: trunk_model(batch, training=False), reduce_retracing=True, autograph=False)
    progress = Progress(log, "backbone features", len(x) - i, " samples")
    done = i
    for batch, _ in batches(tf, x, np.zeros(len(x), np.int32), np.arange(i, len(x)), chunk):
        out[i:i + len(batch)] = run(batch).numpy()
        i += len(batch)
        progress.update(i - done)
    progress.finish()
    return out


def reserve(fh, nbytes: int, block: int = 1 << 24) -> None:
    """The disk space of a file about to be memory-mapped, taken now: a full disk is an OSError
    (ENOSPC, which the cache names) here, where a write into the mapping would be a SIGBUS."""
    if hasattr(os, "posix_fallocate"):
        os.posix_fallocate(fh.fileno(), 0, nbytes)
        return
    zeros = bytes(min(block, nbytes))  # (macOS: no posix_fallocate)
    for start in range(0, nbytes, block):
        fh.write(zeros[:min(block, nbytes - start)])
    fh.flush()


def confusions(truth: np.ndarray, pred: np.ndarray, top: int = 20) -> list[tuple[int, int, int]]:
    wrong = truth != pred
    pairs, counts = np.unique(np.stack([truth[wrong], pred[wrong]], axis=1), axis=0, return_counts=True) \
        if wrong.any() else (np.zeros((0, 2), int), np.zeros(0, int))
    order = np.argsort(-counts, kind="stable")[:top]
    return [(int(pairs[i, 0]), int(pairs[i, 1]), int(counts[i])) for i in order]


def _epoch_logger(epochs: int, held_out=None):
    """``logged(epoch, logs)``: logs each epoch with the time left, and ``held_out()`` (a
    validation accuracy, added to the logs as ``val_accuracy``) after each but the last: the
    final figures are measured after training anyway. Returns the logs."""
    start = time.monotonic()

    def logged(epoch: int, logs: dict) -> dict:
        done = epoch + 1
        # (With two outputs, Keras prefixes the metric with the output's name.)
        acc = next((v for k, v in logs.items() if k.endswith("accuracy")), None)
        validation = ""
        if held_out and done < epochs:
            logs["val_accuracy"] = held_out()
            validation = f", validation {100 * logs['val_accuracy']:.2f}%"
        elapsed = time.monotonic() - start
        left = elapsed / done * (epochs - done)
        log.info("epoch %d/%d: loss %.3f, accuracy %.2f%%%s (%.0f s, %.0f s left)",
                 done, epochs, logs.get("loss", float("nan")), 100 * (acc or 0), validation, elapsed, left)
        return logs

    return logged
