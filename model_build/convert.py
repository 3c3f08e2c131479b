"""Keras model -> SavedModel -> TF.js graph model with uint8-quantized weights.

(TF.js 4.22 loads the graph-model output; the layers-model route did not load here.)
File names carry a content hash, so a site never mixes an old cached model with new labels.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from pathlib import Path

from . import LOGGER_NAME
from .quiet import native_output_hidden
from .train import import_tf

log = logging.getLogger(LOGGER_NAME)


def content_hash(data: bytes, length: int = 10) -> str:
    return hashlib.sha256(data).hexdigest()[:length]


def export_tfjs(model, out_dir: Path, inputs: tuple[str, list], outputs: list[str], prefix: str = "") -> dict:
    """Writes ``<prefix>model-<hash>.json`` and ``<prefix>weights-<hash>.bin`` into ``out_dir``;
    returns their names and bytes. ``inputs``: the input's name and shape; ``outputs``: the
    names of the model's outputs, in order (the graph model's signature keys)."""
    tf, _ = import_tf()
    with native_output_hidden(log):  # its import and grappler's session lines
        from tensorflowjs.converters.tf_saved_model_conversion_v2 import convert_tf_saved_model

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="iconsearch-export-") as tmp, native_output_hidden(log):
        saved, converted = Path(tmp) / "saved", Path(tmp) / "tfjs"

        @tf.function(input_signature=[tf.TensorSpec(inputs[1], tf.float32, name=inputs[0])])
        def serve(x):
            out = model(x, training=False)
            return dict(zip(outputs, out if isinstance(out, (list, tuple)) else [out]))

        # A bare module that holds the variables and the one signature: saving the Keras model
        # itself traces every layer's call for the SavedModel (1.4 s of 1.6 for example_site's).
        root = tf.Module()
        root.weights = list(model.variables)
        tf.saved_model.save(root, str(saved), signatures={"serving_default": serve})
        convert_tf_saved_model(str(saved), str(converted), quantization_dtype_map={"uint8": True},
                               weight_shard_size_bytes=64 * 1024 * 1024)
        return _rename_hashed(converted, out_dir, prefix)


def _rename_hashed(converted: Path, out_dir: Path, prefix: str) -> dict:
    spec = json.loads((converted / "model.json").read_text())
    weights = b""
    for group in spec["weightsManifest"]:
        for path in group["paths"]:
            weights += (converted / path).read_bytes()
    weights_name = f"{prefix}weights-{content_hash(weights)}.bin"
    (out_dir / weights_name).write_bytes(weights)
    spec["weightsManifest"] = [{"paths": [weights_name],
                               "weights": [w for g in spec["weightsManifest"] for w in g["weights"]]}]
    model_json = json.dumps(spec, separators=(",", ":")).encode()
    model_name = f"{prefix}model-{content_hash(model_json)}.json"
    (out_dir / model_name).write_bytes(model_json)
    shutil.rmtree(converted, ignore_errors=True)
    return {"model": model_name, "weights": weights_name, "bytes": len(weights) + len(model_json)}
