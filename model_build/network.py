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
    # 2: the first stage is one stride-2 convolution instead of two convolutions at full size
    # and a pooling. Full-size layers cost ~45 % of a training step; the strided one sees every
    # pixel still, packing 2x2 detail into its channels.
    stem_stride: int = 2

    def __post_init__(self):
        if self.stem_stride not in (1, 2):
            raise ValueError(f"stem_stride must be 1 or 2, not {self.stem_stride}")

    @property
    def features(self) -> int:
        side = self.image_size // 2 ** len(self.filters)
        return side * side * self.squeeze

    def to_dict(self) -> dict:
        return {**asdict(self), "filters": list(self.filters)}

    @classmethod
    def from_dict(cls, data: dict) -> "Arch":
        # Records from before stem_stride had the full-size first stage.
        return cls(**{"stem_stride": 1, **data, "filters": tuple(data["filters"])})


def trunk(keras, arch: Arch, for_training: bool = False, dtype: str | None = None):
    """Ink map (S x S x 1) -> flat features.

    ``for_training``: the same network, with each 1x1 convolution written as a dense layer on
    the channels. TensorFlow's CPU kernels train that ~1.2-1.4x faster (a plain matrix product
    instead of oneDNN's 1x1 convolution gradients); the weights are the same numbers in another
    shape (``copy_weights``), and the exported model keeps the convolutions TF.js runs best.
    ``dtype``: the layers' Keras dtype policy, e.g. "mixed_bfloat16" (``train.trunk_dtype``);
    their weights are float32 under any policy, so they copy to and from a float32 trunk.
    """
    layers = keras.layers
    kw = {"dtype": dtype} if dtype else {}

    def pointwise(filters):
        return layers.Dense(filters, use_bias=False, **kw) if for_training else layers.Conv2D(filters, 1, use_bias=False, **kw)

    def separable(x, filters):
        if for_training:
            x = layers.DepthwiseConv2D(3, padding="same", use_bias=False, **kw)(x)
            return pointwise(filters)(x)
        return layers.SeparableConv2D(filters, 3, padding="same", use_bias=False, **kw)(x)

    def bn_relu(x):
        x = layers.BatchNormalization(momentum=0.9, **kw)(x)
        return layers.ReLU(**kw)(x)

    inp = keras.Input((arch.image_size, arch.image_size, 1), name="ink")
    x = inp
    for i, filters in enumerate(arch.filters):
        if i == 0 and arch.stem_stride == 2:
            x = bn_relu(layers.Conv2D(filters, 3, strides=2, padding="same", use_bias=False, **kw)(x))
            continue
        for j in range(2):
            if i == j == 0:
                x = bn_relu(layers.Conv2D(filters, 3, padding="same", use_bias=False, **kw)(x))
            else:
                x = bn_relu(separable(x, filters))
        x = layers.MaxPooling2D(**kw)(x)
    x = layers.Flatten(**kw)(bn_relu(pointwise(arch.squeeze)(x)))
    return keras.Model(inp, x, name="trunk")


def copy_weights(weights: list, model) -> None:
    """Set ``model``'s weights from a list in the same order whose arrays may differ in shape
    only (a 1x1 convolution's kernel and the dense layer's: same numbers)."""
    model.set_weights([w.reshape(v.shape) for w, v in zip(weights, model.weights)])


SKETCH_EMBED = 64  # the sketch head's own hidden layer: names x 64 weights instead of names x 192


def head(keras, arch: Arch, classes: int, dropout: tuple[float, float] = (0.3, 0.2), names: int = 0,
         cosine: float | None = None):
    """Flat features -> class probabilities (a dense embedding, then the classifier); with
    ``names``, a second output: a drawing's name probabilities (the sketch head, on the same
    embedding). Sketches train only it, so the classifier's variants (a TwoTone beside its
    Outlined) never learn from outlines labelled with one of them. ``cosine``: the embedding
    is linear and the classifier is the softmax of ``cosine`` x the cosines with each class's
    weights (for a backbone pretrained so, ``cosine_head``), else a ReLU embedding and a dense softmax."""
    layers = keras.layers
    inp = keras.Input((arch.features,), name="features")
    x = layers.Dropout(dropout[0])(inp)
    x = layers.Dense(arch.embed, activation=None if cosine else "relu", name="embedding")(x)
    x = layers.Dropout(dropout[1], name="embedding_dropout")(x)  # (both outputs read it: ``train.split_outputs``)
    out = (_cosine(keras, classes, "probabilities", cosine) if cosine
           else layers.Dense(classes, activation="softmax", name="probabilities"))(x)
    if not names:
        return keras.Model(inp, out, name="head")
    s = layers.Dense(SKETCH_EMBED, activation="relu", name="sketch_embedding")(x)
    s = layers.Dense(names, activation="softmax", name="sketch")(s)
    return keras.Model(inp, [out, s], name="head")


def classifier(keras, trunk_model, head_model):
    inp = keras.Input(trunk_model.input_shape[1:], name="ink")
    return keras.Model(inp, head_model(trunk_model(inp)), name="iconsearch")


def exported(keras, trunk_model, head_model):
    """The networks a site ships: ``(main, sketch)``. Without a sketch head, the classifier and
    None. With one, main maps an ink map to the class probabilities and the embedding, and
    sketch maps an embedding to the name probabilities: a file of its own that the widget
    fetches on the first sketch only, so a screenshot's first answer costs no more bytes."""
    if len(head_model.outputs) == 1:
        return classifier(keras, trunk_model, head_model), None
    inp = keras.Input(trunk_model.input_shape[1:], name="ink")
    emb = head_model.get_layer("embedding")(trunk_model(inp))  # (dropout: none at inference)
    main = keras.Model(inp, [head_model.get_layer("probabilities")(emb), emb], name="iconsearch")
    e = keras.Input((emb.shape[-1],), name="embedding")
    sketch = head_model.get_layer("sketch")(head_model.get_layer("sketch_embedding")(e))
    return main, keras.Model(e, sketch, name="sketch")


def cosine_head(keras, arch: Arch, classes: int, dropout: float = 0.1):
    """Pretraining's head: features -> a linear embedding -> its cosine with each class's weight
    vector (both unit length). Trained with a margin (``pretrain.cosine_loss``), icons of one
    class gather round a direction and the classes spread over the sphere, so that a new icon
    set's classes can be told apart by their mean embeddings alone (a per-site head with no or
    few epochs); a softmax on ReLU embeddings gives no such geometry."""
    inp = keras.Input((arch.features,), name="features")
    x = keras.layers.Dropout(dropout)(inp)
    x = keras.layers.Dense(arch.embed, name="embedding")(x)  # linear: the cosine reads its direction
    return keras.Model(inp, _cosine(keras, classes, "cosine")(x), name="head")


def _cosine(keras, classes: int, name: str, scale: float | None = None):
    """A layer: each input's cosine with each class's weight vector (one kernel column per
    class, no bias); with ``scale``, the softmax of ``scale`` x those cosines."""
    import tensorflow as tf

    class Cosine(keras.layers.Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], classes),
                                          initializer="glorot_uniform", trainable=True)

        def call(self, x):
            cos = tf.matmul(tf.math.l2_normalize(x, axis=1), tf.math.l2_normalize(self.kernel, axis=0))
            return cos if scale is None else tf.nn.softmax(scale * cos)

    return Cosine(name=name)
