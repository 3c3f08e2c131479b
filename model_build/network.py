"""The network, in two parts: a convolutional trunk (ink map -> features) and a head.

The trunk is shared by every icon set: it is pretrained once on many public icon sets
(``model_build.pretrain``) and ships in the package as ``backbone/``. A site's build then only
computes the trunk's features for its samples and trains the small head on them: seconds per
epoch instead of minutes (see ``train.py``).

Depthwise-separable convolutions after the first layer: on a 2-core CPU they train ~3x faster
than full convolutions of the same widths, and TF.js's wasm backend runs them in a few ms.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Arch:
    image_size: int = 32
    filters: tuple[int, ...] = (32, 64, 128)
    squeeze: int = 64  # 1x1 conv before flattening: keeps the position of strokes, cheaply
    embed: int = 192

    @property
    def features(self) -> int:
        side = self.image_size // 2 ** len(self.filters)
        return side * side * self.squeeze

    def to_dict(self) -> dict:
        return {**asdict(self), "filters": list(self.filters)}

    @classmethod
    def from_dict(cls, data: dict) -> "Arch":
        return cls(**{**data, "filters": tuple(data["filters"])})


def trunk(keras, arch: Arch):
    """Ink map (S x S x 1) -> flat features. Frozen at build time (BatchNorm in inference mode)."""
    layers = keras.layers
    inp = keras.Input((arch.image_size, arch.image_size, 1), name="ink")
    x = inp
    for i, filters in enumerate(arch.filters):
        for j in range(2):
            conv = layers.Conv2D if i == j == 0 else layers.SeparableConv2D
            x = conv(filters, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization(momentum=0.9)(x)
            x = layers.ReLU()(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(arch.squeeze, 1, use_bias=False)(x)
    x = layers.BatchNormalization(momentum=0.9)(x)
    x = layers.ReLU()(x)
    x = layers.Flatten()(x)
    return keras.Model(inp, x, name="trunk")


def head(keras, arch: Arch, classes: int):
    """Flat features -> class probabilities (a dense embedding, then the classifier)."""
    layers = keras.layers
    inp = keras.Input((arch.features,), name="features")
    x = layers.Dropout(0.3)(inp)
    x = layers.Dense(arch.embed, activation="relu", name="embedding")(x)
    x = layers.Dropout(0.2)(x)
    out = layers.Dense(classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inp, out, name="head")


def classifier(keras, trunk_model, head_model):
    inp = keras.Input(trunk_model.input_shape[1:], name="ink")
    return keras.Model(inp, head_model(trunk_model(inp)), name="iconsearch")
