"""The network trained (1x1 convolutions as dense layers, faster on CPU) and the network
exported (1x1 convolutions) are one network: the same weights give the same outputs."""

import numpy as np
import pytest

from model_build.network import Arch, classifier, copy_weights, head, trunk
from model_build.train import import_tf


@pytest.mark.parametrize("stem_stride", [1, 2])
def test_training_and_export_trunks_compute_the_same(stem_stride):
    tf, keras = import_tf()
    arch = Arch(stem_stride=stem_stride)
    fast, plain = trunk(keras, arch, for_training=True), trunk(keras, arch)
    rng = np.random.default_rng(0)
    # Random weights, BatchNorm statistics included, so a wrong reshape or order shows.
    weights = [rng.normal(0, 0.3, w.shape).astype(np.float32) for w in fast.weights]
    weights = [np.abs(w) + 0.5 if "moving_variance" in v.name else w for w, v in zip(weights, fast.weights)]
    copy_weights(weights, fast)
    copy_weights(fast.get_weights(), plain)
    assert [w.size for w in fast.get_weights()] == [w.size for w in plain.get_weights()]
    assert any(w.ndim == 2 for w in fast.get_weights()) and not any(w.ndim == 2 for w in plain.get_weights())
    x = rng.random((4, arch.image_size, arch.image_size, 1)).astype(np.float32)
    a, b = fast.predict(x, verbose=0), plain.predict(x, verbose=0)
    assert np.abs(a).max() > 0.1
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * np.abs(a).max())
    model = classifier(keras, plain, head(keras, arch, 3))
    assert model.predict(x, verbose=0).shape == (4, 3)


def test_records_from_before_stem_stride_load_as_the_full_size_first_stage():
    old = {"image_size": 32, "filters": [32, 64, 128], "squeeze": 64, "embed": 192}
    assert Arch.from_dict(old).stem_stride == 1
    assert Arch.from_dict(Arch().to_dict()) == Arch() and Arch().stem_stride == 2
    assert Arch(stem_stride=1).features == Arch().features  # the head fits either trunk
