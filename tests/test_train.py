"""Training reads its samples a batch at a time (uint8 ink maps, never a float copy of the set):
the batches and the features are the samples, whole and unchanged."""

import numpy as np
import pytest

from model_build.network import Arch, trunk
from model_build.train import Start, batches, content_split, features, import_tf, ranked, refit_samples, train_epoch, \
    train_steps, trunk_dtype


def _samples(n=300, size=32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, size, size), dtype=np.uint8), rng.integers(0, 7, n).astype(np.int32)


def _epoch(ds):
    xs, ys = zip(*((x.numpy(), y.numpy()) for x, y in ds))
    return np.concatenate(xs), np.concatenate(ys)


def test_batches_are_the_samples_as_floats_each_once_an_epoch_reshuffled():
    tf, _ = import_tf()
    x, y = _samples()
    idx = np.arange(10, 300)  # a training split: 0-9 held out
    ds = batches(tf, x, y, idx, 64, shuffle_seed=3)
    first, first_y = _epoch(ds)
    second, _ = _epoch(ds)
    assert first.shape == (290, 32, 32, 1) and first.dtype == np.float32
    # Every sample once, as x / 255 beside its own label: find each batch row's sample by its pixels.
    expected = (x[idx].astype(np.float32) / 255.0)[..., None]
    order = {row.tobytes(): i for i, row in zip(idx, expected)}
    seen = [order[row.tobytes()] for row in first]
    assert sorted(seen) == list(idx)
    np.testing.assert_array_equal(first_y, y[seen])
    assert not np.array_equal(first, second)  # a new order each epoch
    np.testing.assert_array_equal(_epoch(batches(tf, x, y, idx, 64, shuffle_seed=3))[0],
                                  first)  # and the same orders from the same seed


def test_batches_are_a_plain_loop_that_a_training_epoch_reads():
    """No tf.data pipeline: its threads took the model's time on a 2-core CPU (with its
    autotuning on, a third to a half of the trunk's passes ran on one core). Each pass yields
    tensors, and ``train_epoch`` runs a compiled model's step over every batch once."""
    tf, keras = import_tf()
    x, y = _samples(40)
    data = batches(tf, x, y, np.arange(40), 16, shuffle_seed=3)
    assert not isinstance(data, tf.data.Dataset) and len(data) == 3
    assert [len(b[0]) for b in data] == [16, 16, 8] and all(isinstance(t, tf.Tensor) for b in data for t in b)
    model = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Flatten(), keras.layers.Dense(7)])
    model.compile(keras.optimizers.SGD(0.01), keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    logs = train_epoch(model, train_steps(tf, model), data)
    assert int(model.optimizer.iterations.numpy()) == 3 and set(logs) == {"loss", "accuracy"}
    assert np.isfinite(logs["loss"])


def test_batches_without_a_seed_keep_the_order_and_features_pass_through():
    tf, _ = import_tf()
    feats = np.random.default_rng(1).random((50, 12)).astype(np.float32)
    y = np.arange(50, dtype=np.int32)
    got, got_y = _epoch(batches(tf, feats.astype(np.float16), y, np.arange(5, 50), 16))
    np.testing.assert_array_equal(got, feats[5:].astype(np.float16).astype(np.float32))
    np.testing.assert_array_equal(got_y, y[5:])


def test_features_are_the_trunks_output_for_every_sample():
    tf, keras = import_tf()
    arch = Arch()
    model = trunk(keras, arch, for_training=True)
    x, _ = _samples(70)
    got = features(tf, model, x, chunk=32).astype(np.float32)  # chunks that do not divide the set
    want = model.predict((x.astype(np.float32) / 255.0)[..., None], verbose=0)
    assert got.shape == (70, arch.features) and np.abs(want).max() > 0
    np.testing.assert_allclose(got, want, rtol=2e-3, atol=1e-3 * np.abs(want).max())  # float16


@pytest.mark.parametrize("flags, want", [
    ("fpu sse2 avx512f avx512_bf16 avx512_vnni", "mixed_bfloat16"),  # AMD Zen 4, Intel Cooper Lake
    ("fpu avx512f amx_bf16 amx_tile", "mixed_bfloat16"),  # Intel Sapphire Rapids
    ("fpu sse2 avx2 avx512f avx512_vnni", None),  # AVX-512 without bfloat16: emulated, slower
    ("fpu sse2 avx2 avx512_bf16x", None),  # a flag is a whole word
])
def test_auto_precision_takes_bfloat16_only_where_the_cpu_has_it(tmp_path, flags, want):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\n\nprocessor\t: 1\nflags\t\t: {flags}\n")
    assert trunk_dtype("auto", cpuinfo) == want
    assert trunk_dtype("float32", cpuinfo) is None and trunk_dtype("bfloat16", cpuinfo) == "mixed_bfloat16"
    assert trunk_dtype("auto", tmp_path / "no-such-file") is None  # (not Linux: float32)


def test_a_bfloat16_trunk_keeps_float32_weights_and_gives_the_float32_trunks_features_closely():
    """Its weights copy to and from a float32 trunk (a cached state, the exported model) as they
    are; its features are the float32 trunk's to bfloat16's ~3 significant digits."""
    tf, keras = import_tf()
    arch = Arch()
    exact = trunk(keras, arch, for_training=True)
    fast = trunk(keras, arch, for_training=True, dtype="mixed_bfloat16")
    rng = np.random.default_rng(4)
    weights = [rng.normal(0, 0.3, w.shape).astype(np.float32) if "moving_variance" not in w.name
               else np.ones(w.shape, np.float32) for w in exact.weights]
    exact.set_weights(weights)
    fast.set_weights(weights)
    assert all(w.dtype == "float32" for w in fast.weights)
    for a, b in zip(fast.get_weights(), weights):
        np.testing.assert_array_equal(a, b)
    assert fast.layers[1].compute_dtype == "bfloat16"
    x, _ = _samples(64)
    want = features(tf, exact, x).astype(np.float32)
    got = features(tf, fast, x).astype(np.float32)
    scale = np.abs(want).mean()
    assert scale > 0 and not np.array_equal(got, want)  # (bfloat16 arithmetic did run)
    assert np.abs(got - want).mean() < 0.03 * scale
    assert np.corrcoef(got.ravel(), want.ravel())[0, 1] > 0.999


def test_known_features_are_copied_and_only_the_rest_computed():
    """An incremental build's: the rows given come from the last model's features (here marked
    so that a copy, not a computation, is what shows), the samples after them from the trunk."""
    tf, keras = import_tf()
    model = trunk(keras, Arch(), for_training=True)
    x, _ = _samples(70)
    want = features(tf, model, x, chunk=32)
    old = np.full((90, want.shape[1]), -7, np.float16)
    rows = np.array([88, 3, 40, *range(50, 73)])  # 26 rows, unordered
    old[rows] = want[:26] + np.float16(0.5)
    got = features(tf, model, x, chunk=16, known=(old, rows))
    np.testing.assert_array_equal(got[:26], want[:26] + np.float16(0.5))
    np.testing.assert_array_equal(got[26:], want[26:])


def test_the_held_out_samples_are_chosen_by_content_and_stay_held_out_when_icons_come_and_go():
    x, _ = _samples(4000, size=9)  # 81 bytes a row: not whole 8-byte words
    x[100] = x[2000]  # an identical sample in another place
    x[3000:3050] = 0  # blank ones (too little contrast): no side, or they would all share one
    train, held = content_split(x, 0.1, seed=0)
    assert len(held) == 395 and sorted(np.concatenate([train, held])) == [*range(3000), *range(3050, 4000)]
    assert (100 in held) == (2000 in held)
    # A re-fit's set: the first 300 samples gone (an icon removed), 240 new ones after the rest.
    new = np.concatenate([x[300:], _samples(240, size=9, seed=1)[0]])
    train2, held2 = content_split(new, 0.1, seed=0)
    was_held = set(held.tolist())
    kept = np.arange(300, 4000)
    now_held = set((held2[held2 < len(kept)] + 300).tolist())
    # Almost no sample the base trained on is held out now (a permutation by count held out
    # ~330), and the base's held-out samples stay so.
    assert len(now_held - was_held) <= 8 and len(was_held & set(kept.tolist()) - now_held) <= 8
    assert len(set(content_split(x, 0.1, seed=1)[1].tolist()) & was_held) < 80  # the seed counts


def test_a_refit_trains_on_its_new_classes_and_names_and_a_share_of_the_rest():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 10, 4000).astype(np.int32)
    names = np.where(rng.random(4000) < 0.2, rng.integers(0, 6, 4000), -1).astype(np.int32)
    y[names >= 0] = -1  # a sketch is labelled by its name only
    start = Start([], {}, class_map=np.array([0, 1, 2, -1, 3, 4, 5, 6, -1, 7]), name_map=np.array([0, -1, 1, 2, 3, 4]))
    idx = np.arange(100, 4000)
    got = refit_samples(idx, y, names, start, seed=1)
    new = np.isin(y, [3, 8]) | (names == 1)
    assert set(np.flatnonzero(new[idx]) + 100) <= set(got)  # every new one
    old = idx[~new[idx]]
    share = np.isin(old, got).mean()
    assert 0.2 < share < 0.3 and set(got) <= set(idx)
    np.testing.assert_array_equal(got, refit_samples(idx, y, names, start, seed=1))  # the same each time
    assert not np.array_equal(got, refit_samples(idx, y, names, start, seed=2))


def test_ranked_gives_each_samples_best_and_top_k_a_batch_at_a_time():
    tf, _ = import_tf()
    probs = np.random.default_rng(2).random((37, 9)).astype(np.float32)
    data = batches(tf, probs, np.zeros(37, np.int32), np.arange(37), 8)  # uneven batches
    best, top = ranked(lambda x, training: x, data, 5)  # a "model" that returns its input
    np.testing.assert_array_equal(best, probs.argmax(axis=1))
    np.testing.assert_array_equal(np.sort(top, axis=1), np.sort(np.argsort(-probs, axis=1)[:, :5], axis=1))


def test_ranked_keeps_only_the_top_k_of_each_batch():
    """Memory grows with samples x k, not samples x classes (the Material sets' OOM)."""
    import tracemalloc

    batch, classes, n = 256, 4000, 40

    class Probs:  # a batch's probabilities, made when the "model" is run, as a tensor would give them
        def __init__(self, seed):
            self.seed = seed

        def numpy(self):
            return np.random.default_rng(self.seed).random((batch, classes)).astype(np.float32)

    def data():
        return ((Probs(b), None) for b in range(n))

    tracemalloc.start()
    try:
        best, top = ranked(lambda x, training: x, data(), 5)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert best.shape == (n * batch,) and top.shape == (n * batch, 5)
    # One batch's argpartition is 8 MB; kept for every batch, 330 MB.
    assert peak < 60e6, f"ranked() peaked at {peak / 1e6:.0f} MB"


def test_prototypes_are_each_classs_mean_look_centred_and_of_unit_length():
    """Screenshots only (sketches left out), up to ``per_class`` of each class."""
    from model_build.network import head
    from model_build.train import prototypes

    tf, keras = import_tf()
    arch = Arch()
    trunk_model, head_model = trunk(keras, arch, for_training=True), head(keras, arch, 4)
    x, _ = _samples(120)
    y = np.repeat(np.arange(4), 30).astype(np.int32)
    sketch = np.zeros(120, bool)
    sketch[25:30] = True  # class 0's last five: never in its prototype
    got = prototypes(tf, keras, trunk_model, head_model, x, y, sketch, 4, seed=0, per_class=100)
    emb = keras.Model(head_model.input, head_model.get_layer("embedding").output)
    look = emb.predict(trunk_model.predict(x.astype(np.float32)[..., None] / 255, verbose=0), verbose=0)
    means = np.stack([look[(y == c) & ~sketch].mean(axis=0) for c in range(4)])
    unit = means / np.linalg.norm(means, axis=1, keepdims=True)
    want = unit - unit.mean(axis=0)
    np.testing.assert_allclose(got, want / np.linalg.norm(want, axis=1, keepdims=True), atol=2e-3)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1, atol=1e-5)


def test_the_epochs_and_screenshots_follow_the_set_size_unless_set():
    from model_build.hparams import HParams

    assert [HParams().shots(n) for n in (5, 831, 2806, 14342)] == [80, 80, 29, 24]
    assert HParams(samples_per_icon=7).shots(14342) == 7
    # ~12,000 class-epochs of the head, after one epoch of fine-tuning from the class means
    assert HParams().schedule(831) == (0, 1, 12)
    assert HParams().schedule(3000) == (4, 0, 0) and HParams().schedule(14342) == (1, 0, 0)  # a head alone
    assert HParams(finetune_epochs=0).schedule(831) == (12, 0, 0)
    assert HParams(finetune_epochs=2).schedule(831) == (0, 2, 12)
    assert HParams(epochs=5).schedule(831) == (5, 1, 5)  # set epochs: before fine-tuning and after
    assert HParams(epochs=3, finetune_epochs=1, settle_epochs=0).schedule(10) == (3, 1, 0)
    assert HParams(settle_epochs=2).schedule(831) == (0, 1, 2)
    assert HParams(backbone="none").schedule(5) == (8, 0, 0)
    # A re-fit trains the head alone: a third of the automatic epochs, or the set ones
    assert HParams().schedule(831, refit=True) == (4, 0, 0) and HParams(epochs=6).schedule(831, refit=True) == (6, 0, 0)


def test_the_head_steps_big_batches_and_the_whole_network_small_ones():
    """On a backbone the first phase is the head's (1,024 samples a step); from scratch, the
    whole network steps like fine-tuning, at the head's rate scaled by the batches' square root."""
    from model_build.hparams import HParams

    hp = HParams()
    assert hp.first_steps() == (hp.batch_size, hp.learning_rate) and hp.batch_size > hp.finetune_batch_size
    batch, rate = HParams(backbone="none").first_steps()
    assert batch == hp.finetune_batch_size and rate == pytest.approx(hp.learning_rate * (batch / hp.batch_size) ** 0.5)
    assert HParams(backbone="none", batch_size=64, finetune_batch_size=64, learning_rate=1e-3).first_steps() == (64, 1e-3)


def clustered(arch, groups: int, per: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``per`` features of each of ``groups`` random centres, with ``noise``: (labels, float16 features)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(groups, arch.features)).astype(np.float32)
    labels = np.repeat(np.arange(groups), per).astype(np.int32)
    return labels, (centres[labels] + noise * rng.normal(size=(len(labels), arch.features))).astype(np.float16)


def test_a_cosine_head_starts_from_each_classs_mean_direction():
    """Before any training step, the cosine head already sorts samples by class (features in
    clusters through a random embedding); its probabilities are a softmax (rows sum to 1)."""
    from model_build.network import head
    from model_build.train import _start_cosine

    _, keras = import_tf()
    arch = Arch()
    classes, per = 6, 40
    y, feats = clustered(arch, classes, per, 0.3, seed=4)
    y[::per] = -1  # a sketch (the other output's sample): no class's mean
    model = head(keras, arch, classes, (0.1, 0.05), cosine=16.0)
    before = model.predict(feats.astype(np.float32), verbose=0).argmax(1)
    _start_cosine(model, feats, y, np.arange(len(y)), np.ones(classes, bool))
    probs = model.predict(feats.astype(np.float32), verbose=0)
    np.testing.assert_allclose(probs.sum(1), 1, rtol=1e-5)
    labelled = y >= 0
    assert (probs.argmax(1)[labelled] == y[labelled]).mean() > 0.95 > (before[labelled] == y[labelled]).mean()


@pytest.mark.parametrize("cosine", [16.0, None])  # (a ReLU embedding on the first backbone)
def test_a_nearest_mean_sketch_head_names_sketches_by_their_names_mean(cosine):
    """With no training step, the sketch head names sketches (features in clusters, one a
    name, through a random embedding) as the nearest mean of their name's sketches; a name with
    no sketch to learn from is never first; screenshots (name -1) are ignored."""
    from model_build.network import head
    from model_build.train import _nearest_mean_sketch

    _, keras = import_tf()
    arch = Arch()
    count, per = 40, 30
    names, feats = clustered(arch, count, per, 0.5, seed=5)
    names[names == count - 1] = -1  # the last name: screenshots only
    model = head(keras, arch, 3, (0.1, 0.05), names=count, cosine=cosine)

    def named():
        got = model.predict(feats.astype(np.float32), verbose=0)[1].argmax(1)
        return (got == names)[names >= 0].mean(), got

    before, _ = named()
    _nearest_mean_sketch(model, feats, names, np.arange(len(names)), seed=0)
    after, got = named()
    assert after > 0.95 > 0.2 > before, (after, before)
    # Its hidden layer: the sketches' embeddings (as the head computes them) in whitened
    # principal components, centred on the shift.
    hidden = keras.Model(model.input, model.get_layer("sketch_embedding").output)
    h = hidden.predict(feats[names >= 0].astype(np.float32), verbose=0)
    np.testing.assert_allclose(h.mean(axis=0), 4.0, atol=0.05)
    np.testing.assert_allclose(h.std(axis=0), 1.0, atol=0.05)
    assert not (got == count - 1).any()


def test_a_nearest_mean_sketch_heads_confidence_matches_its_accuracy_on_new_sketches():
    """The head's scale is fitted on each sketch against its name's mean without it: on sketches
    it never saw, its top probability is about as often right as it claims. (Scored against
    means that include them, the head claimed 85-93 % where it was 65-68 % right.)"""
    from model_build.network import head
    from model_build.train import _nearest_mean_sketch

    tf, keras = import_tf()
    tf.keras.utils.set_random_seed(0)
    arch = Arch()
    count, per = 200, 7
    names, feats = clustered(arch, count, per, 2.0, seed=6)
    held = np.arange(len(names)) % per >= 5  # 5 sketches a name to learn from, 2 new ones
    model = head(keras, arch, 3, (0.1, 0.05), names=count, cosine=16.0)
    _nearest_mean_sketch(model, feats, names, np.flatnonzero(~held), seed=0)
    probs = model.predict(feats[held].astype(np.float32), verbose=0)[1]
    accuracy, confidence = (probs.argmax(1) == names[held]).mean(), probs.max(1).mean()
    assert 0.3 < accuracy < 0.9 and abs(confidence - accuracy) < 0.1, (accuracy, confidence)


def test_samples_and_features_stay_on_disk(tmp_path):
    """A cache's samples are read as views of their file and the backbone's features are written
    to a disk-backed array: training's own memory does not grow with the screenshots (numpy's
    allocations, as tracemalloc sees them: 51 MB of samples and 102 MB of features here, and
    the few chunks of samples in flight that the features are computed from)."""
    import tracemalloc

    from model_build.store import load_samples, save_samples

    tf, keras = import_tf()
    n, dims = 50_000, 1024
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (n, 32, 32), dtype=np.uint8)
    save_samples(tmp_path / "s.samples", (x, np.arange(n, dtype=np.int32) % 7))
    del x
    inputs = keras.Input((32, 32, 1))
    trunk_model = keras.Model(inputs, keras.layers.Dense(dims)(keras.layers.GlobalAveragePooling2D()(inputs)))

    def traced(scratch):
        tracemalloc.start()
        try:
            x, y, skipped = load_samples(tmp_path / "s.samples")
            # (Chunks of 512: those in flight, a few MB each, stay far below the bound. With the
            # default 2,048, 8 MB each as float32, AUTOTUNE on a busy machine held 51 MB of them.)
            out = features(tf, trunk_model, x, chunk=512, scratch=scratch)
            return x, y, skipped, out, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    x, y, skipped, on_disk, peak = traced(tmp_path)
    assert isinstance(x, np.memmap) and isinstance(y, np.memmap) and skipped == []
    assert isinstance(on_disk, np.memmap) and on_disk.shape == (n, dims) and not list(tmp_path.glob(".features-*"))
    *_, in_memory, peak_in_memory = traced(None)
    np.testing.assert_array_equal(on_disk, in_memory)
    assert peak_in_memory > 100e6 and peak < 50e6, (peak / 1e6, peak_in_memory / 1e6)


def test_a_refit_head_keeps_old_columns_and_starts_a_new_name_as_an_average_one():
    """Old classes' and names' columns come from the last model by their maps; a new name is
    their mean (a random column outscored trained ones at a re-fit's low rate)."""
    from model_build.network import head
    from model_build.train import _start_head

    _, keras = import_tf()
    arch = Arch()
    old = head(keras, arch, 3, names=2, cosine=16.0)
    new = head(keras, arch, 4, names=3, cosine=16.0)
    weights = {layer.name: layer.get_weights() for layer in old.layers if layer.weights}
    _start_head(new, Start([], weights, class_map=np.array([2, -1, 0, 1]), name_map=np.array([1, -1, 0])))
    (classes,) = new.get_layer("probabilities").get_weights()
    np.testing.assert_array_equal(classes[:, [0, 2, 3]], weights["probabilities"][0][:, [2, 0, 1]])
    kernel, bias = new.get_layer("sketch").get_weights()
    old_kernel, old_bias = weights["sketch"]
    np.testing.assert_array_equal(kernel[:, [0, 2]], old_kernel[:, [1, 0]])
    np.testing.assert_allclose(kernel[:, 1], old_kernel.mean(axis=1), rtol=1e-6)
    assert bias[1] == pytest.approx(old_bias.mean())
    np.testing.assert_array_equal(new.get_layer("embedding").get_weights()[0], weights["embedding"][0])


def test_training_keeps_the_better_sketch_head_trained_or_nearest_mean(caplog):
    """After the epochs, the trained sketch head is compared on held-out sketches with the
    nearest-mean one on the final embedding; the better is kept, and its figures reported."""
    import logging
    import re

    from model_build import LOGGER_NAME
    from model_build.backbone import load
    from model_build.hparams import HParams
    from model_build.train import train

    rng = np.random.default_rng(6)
    count, per = 4, 20
    looks = rng.integers(0, 2, (count, 32, 32)).astype(np.uint8) * 255
    x = np.repeat(looks, 2 * per, axis=0)
    x = np.where(rng.random(x.shape) < 0.05, 255 - x, x).astype(np.uint8)
    kind = np.tile(np.repeat([0, 1], per), count)  # each look's screenshots, then its sketches
    label = np.repeat(np.arange(count), 2 * per).astype(np.int32)
    y, names = np.where(kind == 0, label, -1), np.where(kind == 1, label, -1)
    with caplog.at_level(logging.INFO, logger=LOGGER_NAME):
        result = train(x, y, count, HParams(epochs=1, validation_fraction=0.3), load(), names, count)
    line = next(r.getMessage() for r in caplog.records if r.getMessage().startswith("sketch head:"))
    trained, means = (float(v) for v in re.findall(r"([\d.]+)%", line))
    assert 100 * result.sketch_accuracy == pytest.approx(max(trained, means), abs=0.01)
    assert ("nearest-mean kept" in line) == (means > trained)


def test_some_of_each_takes_up_to_a_count_of_every_class_at_random_in_index_order():
    from model_build.train import some_of_each

    y = np.repeat(np.arange(4), [10, 3, 7, 1]).astype(np.int32)
    idx = np.flatnonzero(np.arange(len(y)) % 5 != 4)[::-1]  # not every sample, in any order
    got = some_of_each(idx, y, 4, seed=0)
    assert np.all(np.diff(got) > 0) and np.isin(got, idx).all()
    assert np.bincount(y[got], minlength=4).tolist() == [min(4, (y[idx] == c).sum()) for c in range(4)]
    np.testing.assert_array_equal(some_of_each(idx, y, 4, seed=0), got)
    assert not np.array_equal(some_of_each(idx, y, 4, seed=1), got)


def test_fine_tuning_first_runs_the_trunk_on_a_few_screenshots_of_each_class_only(monkeypatch, caplog):
    """With no head epochs before fine-tuning (the default), the classifier starts at the class
    means of START_SHOTS training screenshots each: the trunk's first pass covers those alone,
    never a held-out sample or a sketch, and the second (after fine-tuning) covers every sample."""
    import logging

    from model_build import LOGGER_NAME
    from model_build import train as train_module
    from model_build.backbone import load
    from model_build.hparams import HParams

    rng = np.random.default_rng(3)
    count, per = 3, 60
    looks = rng.integers(0, 2, (count, 32, 32)).astype(np.uint8) * 255
    x = np.where(rng.random((count * per, 32, 32)) < 0.05, 255, np.repeat(looks, per, axis=0)).astype(np.uint8)
    label = np.repeat(np.arange(count), per).astype(np.int32)
    sketch = np.tile(np.arange(per) % 10 == 0, count)
    y, names = np.where(sketch, -1, label), np.where(sketch, label, -1)
    passes = []
    real = train_module.features
    monkeypatch.setattr(train_module, "features", lambda tf, m, xs, **kw: passes.append(xs.copy()) or real(tf, m, xs, **kw))
    hp = HParams(finetune_epochs=1, settle_epochs=1, validation_fraction=0.2)
    assert hp.schedule(count)[0] == 0
    with caplog.at_level(logging.INFO, logger=LOGGER_NAME):
        result = train_module.train(x, y, count, hp, load(), names, count)
    first, second = passes
    train_idx, _ = train_module.content_split(x, hp.validation_fraction, hp.seed)
    shots = train_idx[y[train_idx] >= 0]
    assert len(first) == count * train_module.START_SHOTS < len(shots)
    rows, allowed = {row.tobytes(): i for i, row in enumerate(x)}, set(shots.tolist())
    assert all(rows[row.tobytes()] in allowed for row in first)
    assert len(second) == len(x)
    said = [r.getMessage() for r in caplog.records]
    tuning = next(i for i, line in enumerate(said) if line.startswith("fine-tuning"))
    assert not any(line.startswith("epoch ") for line in said[:tuning])  # no head epoch before it
    assert result.val_accuracy > 0.9
    assert result.epochs == {"head": 0, "finetune": 1, "settle": 1}  # (build.json records it)


def test_split_outputs_train_the_head_as_keras_does_with_a_masked_loss():
    """The head trained through ``split_outputs`` (each output computed for its own samples)
    ends with the weights the plain two-output Keras model reaches with masked losses, and
    reports the same accuracy (no dropout: the same steps in both)."""
    from model_build.hparams import HParams
    from model_build.network import head
    from model_build.train import _fit, split_outputs

    tf, keras = import_tf()
    arch = Arch()
    rng = np.random.default_rng(8)
    n, classes, names = 96, 7, 5
    feats = rng.normal(size=(n, arch.features)).astype(np.float16)
    sketch = rng.random(n) < 0.3
    labels = np.stack([np.where(sketch, -1, rng.integers(0, classes, n)),
                       np.where(sketch, rng.integers(0, names, n), -1)], axis=1).astype(np.int32)
    hp = HParams(batch_size=32)
    plain = head(keras, arch, classes, (0.0, 0.0), names, cosine=16.0)
    split = head(keras, arch, classes, (0.0, 0.0), names, cosine=16.0)
    split.set_weights(plain.get_weights())
    initial = plain.get_weights()
    runs = []
    for model in (plain, split_outputs(tf, keras, split, (classes, names), hp.label_smoothing)):
        tf.keras.utils.set_random_seed(0)
        runs.append(_fit(tf, keras, model, feats, 1e-2, 3, labels=labels, fit_idx=np.arange(n),
                         val_idx=np.arange(n), sizes=(classes, names), hp=hp))
    for a, b in zip(plain.get_weights(), split.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)
    assert all(not np.allclose(a, b) for a, b in zip(initial, split.get_weights()))  # (each layer trained)
    np.testing.assert_allclose(runs[0]["val_accuracy"], runs[1]["val_accuracy"], atol=1e-6)
    assert len(runs[1]["val_accuracy"]) == 2  # (after each epoch but the last)
    np.testing.assert_allclose(runs[0]["loss"], runs[1]["loss"], rtol=1e-4)


def test_add_by_label_sums_rows_as_np_add_at_does():
    from model_build.train import add_by_label

    rng = np.random.default_rng(9)
    labels, rows = rng.integers(0, 7, 500), rng.normal(size=(500, 3))
    want, got = np.ones((9, 3)), np.ones((9, 3))
    np.add.at(want, labels, rows)
    add_by_label(got, labels, rows)
    np.testing.assert_allclose(got, want)
    add_by_label(got, labels[:0], rows[:0])  # (nothing to add)
    np.testing.assert_allclose(got, want)
