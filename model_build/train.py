"""Train a small CNN from scratch on the ink maps (tf-keras; TensorFlow is imported here only)."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass

import numpy as np

from . import LOGGER_NAME
from .hparams import HParams

log = logging.getLogger(LOGGER_NAME)

MIN_STEPS_PER_EPOCH = 30


@dataclass
class TrainResult:
    model: object  # a tf_keras.Model whose output is class probabilities
    train_accuracy: float
    val_accuracy: float
    val_top5: float
    epochs: int
    samples: int
    seconds: float
    confusions: list[tuple[int, int, int]]  # (true, predicted, count), most frequent first


def import_tf():
    # tf-keras is ~2x faster than Keras 3 on this kind of CPU; the env var must precede import.
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # tensorflowjs imports decision forests, whose welcome advert needs IPython when stdout
    # is not a terminal (a captured build log): switch it off.
    os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")
    import tensorflow as tf
    import tf_keras as keras

    return tf, keras


def build_cnn(keras, size: int, classes: int):
    """~200k parameters: three conv blocks on the 1-channel ink map, a narrow dense head."""
    layers = keras.layers
    inp = keras.Input((size, size, 1), name="ink")
    x = inp
    for filters in (32, 64, 128):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.ReLU()(x)
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(64, 1, use_bias=False)(x)  # squeeze channels before flattening
    x = layers.BatchNormalization(momentum=0.9)(x)
    x = layers.ReLU()(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.3)(x)
    x = layers.Dense(192, activation="relu")(x)
    x = layers.Dropout(0.2)(x)
    out = layers.Dense(classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inp, out)


def split(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng([seed, 3]).permutation(n)
    n_val = max(1, int(round(n * fraction))) if n > 1 else 0
    return order[n_val:], order[:n_val]


def train(x: np.ndarray, y: np.ndarray, classes: int, hp: HParams) -> TrainResult:
    tf, keras = import_tf()
    tf.keras.utils.set_random_seed(hp.seed)
    start = time.monotonic()
    train_idx, val_idx = split(len(x), hp.validation_fraction, hp.seed)
    xf = (x.astype(np.float32) / 255.0)[..., None]
    y_onehot = np.eye(classes, dtype=np.float32)[y]
    # Tiny sets (a handful of icons) get repeated so each epoch has enough steps for the
    # optimizer and BatchNorm's moving statistics to settle.
    reps = max(1, int(np.ceil(MIN_STEPS_PER_EPOCH * hp.batch_size / max(1, len(train_idx)))))
    train_idx = np.tile(train_idx, reps)
    model = build_cnn(keras, hp.image_size, classes)
    steps = int(np.ceil(len(train_idx) / hp.batch_size)) * hp.epochs
    schedule = keras.optimizers.schedules.CosineDecay(hp.learning_rate, steps)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=hp.label_smoothing),
        metrics=["accuracy", keras.metrics.TopKCategoricalAccuracy(min(5, classes), name="top5")],
    )
    log.info("training: %s samples (%s held out), %d classes, %d epochs, %s parameters",
             f"{len(train_idx) // reps:,}", f"{len(val_idx):,}", classes, hp.epochs, f"{model.count_params():,}")
    history = model.fit(
        xf[train_idx], y_onehot[train_idx], batch_size=hp.batch_size, epochs=hp.epochs,
        validation_data=(xf[val_idx], y_onehot[val_idx]) if len(val_idx) else None,
        verbose=0, callbacks=[_epoch_logger(keras, hp.epochs)], shuffle=True,
    )
    probs = model.predict(xf[val_idx], batch_size=512, verbose=0) if len(val_idx) else np.zeros((0, classes))
    pred = probs.argmax(axis=1)
    truth = y[val_idx]
    val_acc = float((pred == truth).mean()) if len(val_idx) else float("nan")
    top5 = np.argsort(-probs, axis=1)[:, :5]
    val_top5 = float((top5 == truth[:, None]).any(axis=1).mean()) if len(val_idx) else float("nan")
    seconds = time.monotonic() - start
    log.info("training done in %.0f s: validation top-1 %.2f%%, top-5 %.2f%% on %s held-out samples",
             seconds, 100 * val_acc, 100 * val_top5, f"{len(val_idx):,}")
    return TrainResult(model, float(history.history["accuracy"][-1]), val_acc, val_top5, hp.epochs,
                       len(x), seconds, confusions(truth, pred))


def confusions(truth: np.ndarray, pred: np.ndarray, top: int = 20) -> list[tuple[int, int, int]]:
    wrong = truth != pred
    pairs, counts = np.unique(np.stack([truth[wrong], pred[wrong]], axis=1), axis=0, return_counts=True) \
        if wrong.any() else (np.zeros((0, 2), int), np.zeros(0, int))
    order = np.argsort(-counts, kind="stable")[:top]
    return [(int(pairs[i, 0]), int(pairs[i, 1]), int(counts[i])) for i in order]


def _epoch_logger(keras, epochs: int):
    """A callback that logs each epoch with the time left (built here: keras is imported lazily)."""

    class EpochLog(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.start = time.monotonic()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            done = epoch + 1
            elapsed = time.monotonic() - self.start
            left = elapsed / done * (epochs - done)
            log.info("epoch %d/%d: loss %.3f, accuracy %.2f%%, validation %.2f%% (%.0f s, %.0f s left)",
                     done, epochs, logs.get("loss", float("nan")), 100 * logs.get("accuracy", 0),
                     100 * logs.get("val_accuracy", float("nan")), elapsed, left)

    return EpochLog()
