"""How far a backbone gets on an icon set it was not trained on, with no fine-tuning at all.

    .venv/bin/python benchmarks/backbone_probe.py [--backbone DIR] [--samples FILE] [--name NAME]

The per-site design of issue 15: the trunk and embedding stay frozen; a site's classes are told
apart by their embeddings only. Two cheap heads on the same held-out split as a build
(``train.content_split``, 10 %, screenshots only, every icon a class):

- **prototypes**: each class's mean unit embedding over its training screenshots; a query's
  class is the nearest one by cosine (no training: the cost is one pass of the trunk);
- **cosine head**: the same prototypes as the initial weights of a cosine classifier (scale 16),
  then a few epochs on the frozen embeddings (seconds).

``--backbone`` is a folder with backbone.npz/backbone.json (default: the shipped one; a
pretraining run leaves one per epoch in ``.cache/pretrain/checkpoints/<run>/backbone``).
``--samples`` defaults to example_site's newest samples file (Ant Design: never pretrained on).
Prints and saves benchmarks/results/backbone_probe-<name>.json.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import numpy as np
from _common import SITE, save

from model_build.sample_page import sketch_of
from model_build.store import load_samples

SCALE = 16.0


def embeddings(bb, x: np.ndarray, linear: bool | None = None) -> np.ndarray:
    """Unit-length embeddings of uint8 ink maps through the frozen trunk and embedding layer
    (ReLU'd for a softmax-pretrained backbone, as its site head uses it; linear for a cosine one)."""
    from model_build.network import copy_weights, trunk
    from model_build.train import features, import_tf

    tf, keras = import_tf()
    net = trunk(keras, bb.arch)
    copy_weights(bb.trunk_weights, net)
    f = features(tf, net, x).astype(np.float32)
    kernel, bias = bb.embedding
    e = np.concatenate([f[i:i + 65536] @ kernel + bias for i in range(0, len(f), 65536)])
    if not (linear if linear is not None else (bb.meta.get("recipe") or {}).get("head") == "cosine"):
        e = np.maximum(e, 0)
    return unit(e)


def unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(n > 0, n, 1)


def scores(sim: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    top5 = np.argpartition(-sim, 4, axis=1)[:, :5]
    return float((sim.argmax(1) == truth).mean()), float((top5 == truth[:, None]).any(1).mean())


def tuned_prototypes(e_train, y_train, protos, epochs: int, seed: int = 0):
    """A cosine classifier on frozen unit embeddings, its weights started at the prototypes."""
    from model_build.train import import_tf

    tf, keras = import_tf()
    tf.keras.utils.set_random_seed(seed)
    w = tf.Variable(protos.T.astype(np.float32))
    opt = keras.optimizers.Adam(1e-3)
    ds = tf.data.Dataset.from_tensor_slices((e_train, y_train)).shuffle(len(y_train), seed=seed).batch(256)

    @tf.function
    def step(e, y):
        with tf.GradientTape() as tape:
            logits = SCALE * tf.matmul(e, tf.math.l2_normalize(w, axis=0))
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
        opt.apply_gradients([(tape.gradient(loss, w), w)])

    for _ in range(epochs):
        for e, y in ds:
            step(e, y)
    return unit(w.numpy().T)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backbone", type=Path, help="a backbone folder (default: the shipped one)")
    ap.add_argument("--samples", type=Path, help="a .samples file (default: example_site's newest)")
    ap.add_argument("--epochs", type=int, default=4, help="the cosine head's epochs")
    ap.add_argument("--name", default="shipped")
    ap.add_argument("--embedding", choices=("linear", "relu"),
                    help="how the embedding layer is read (default: linear for a cosine-pretrained backbone)")
    args = ap.parse_args()
    path = args.samples or max((SITE / ".cache/plugin/iconsearch/samples").glob("*.samples"),
                               key=lambda p: p.stat().st_mtime, default=None)
    if path is None:
        sys.exit("no samples file: build example_site first (scripts/demo), or pass --samples")
    logging.basicConfig(level=logging.WARNING)

    from model_build.backbone import load
    from model_build.train import content_split

    bb = load(args.backbone)
    x, labels, _ = load_samples(path)
    icon, sketch = sketch_of(labels)
    train_idx, val_idx = content_split(x, 0.1, 0)  # a build's split (HParams' validation_fraction and seed)
    train_idx, val_idx = train_idx[~sketch[train_idx]], val_idx[~sketch[val_idx]]
    classes = int(icon.max()) + 1
    start = time.monotonic()
    e = embeddings(bb, x, None if args.embedding is None else args.embedding == "linear")
    embed_s = time.monotonic() - start
    protos = np.zeros((classes, e.shape[1]), np.float32)
    np.add.at(protos, icon[train_idx], e[train_idx])
    protos = unit(protos)
    proto1, proto5 = scores(e[val_idx] @ protos.T, icon[val_idx])
    start = time.monotonic()
    tuned = tuned_prototypes(e[train_idx], icon[train_idx], protos, args.epochs)
    head_s = time.monotonic() - start
    head1, head5 = scores(e[val_idx] @ tuned.T, icon[val_idx])
    out = {"backbone": str(args.backbone or "shipped"), "backbone_meta": {k: bb.meta.get(k) for k in
                                                                         ("icons", "samples", "val_accuracy", "recipe")},
           "samples_file": path.name, "classes": classes, "train": len(train_idx), "held_out": len(val_idx),
           "embed_s": round(embed_s, 1), "prototypes_top1": round(100 * proto1, 2), "prototypes_top5": round(100 * proto5, 2),
           "head_epochs": args.epochs, "head_s": round(head_s, 1),
           "head_top1": round(100 * head1, 2), "head_top5": round(100 * head5, 2)}
    print(out)
    print(f"saved {save(f'backbone_probe-{args.name}', out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
