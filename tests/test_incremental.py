"""Incremental builds: when a cached model's icons differ from a build's by a few, only the icons
it lacks are drawn, its screenshots of the others are relabelled, and it is re-fitted (the real
path, Chromium and training included, is tests/test_serve.py: an icon added and one edited under
`mkdocs serve`). Here the stages are fakes whose samples carry their icon in their pixels."""

import json
import logging

import numpy as np

from model_build import pipeline
from model_build.hparams import HParams
from model_build.icons import parse_svg
from model_build.store import ModelStore

HP = HParams(epochs=2)


def svg(n: int) -> bytes:
    return f'<svg viewBox="0 0 40 40"><path d="M1 1h{n}v{n}H1z"/></svg>'.encode()


def make(ids, edited=()):
    return [parse_svg(svg(n + (20 if i in edited else 0) + 1), i) for n, i in enumerate(ids)]


class Stages:
    """Fakes of the stages: each icon's 3 screenshots and 1 sketch are filled with a code that
    names the icon and its drawing; what was drawn and what each build trained on are kept."""

    no_features = False  # True: a state without features (a build that fine-tuned last)

    def __init__(self, monkeypatch, stalls=()):
        self.codes, self.drawn, self.builds, self.reused, self.stalls = {}, [], [], [], set(stalls)
        monkeypatch.setattr(pipeline, "check_icons", lambda icons, limits, browser_path=None: (icons, []))
        monkeypatch.setattr(pipeline, "capture_samples", self.capture)
        monkeypatch.setattr(pipeline, "build_model", self.build)

    def code(self, icon) -> int:
        return self.codes.setdefault((icon.id, icon.digest), len(self.codes) + 1)

    def capture(self, icons, hp, browser_path=None, subset=False):
        """(An icon in ``stalls`` is skipped, as when its sheets hang Chromium.)"""
        self.drawn.append([i.id for i in icons])
        worse = [{"id": i.id, "icon": i.id, "why": "stalled", "digest": i.digest, "stage": "capture"}
                 for i in icons if i.id in self.stalls]
        icons = [i for i in icons if i.id not in self.stalls]
        x = np.array([np.full((4, 4), self.code(i), np.uint8) for i in icons for _ in range(4)], np.uint8).reshape(-1, 4, 4)
        y = np.array([label for n in range(len(icons)) for label in (n, n, n, -1 - n)], np.int32)
        return icons, worse, (x, y)

    def build(self, icons, hp, out_dir, samples, skipped=(), start=None, scratch=None, reused=None):
        """(Its "features" are each sample's code: the rows ``reused`` of the last model's must
        be these samples' first.)"""
        x, y = samples
        icon = np.where(y < 0, -1 - y, y)
        # Every sample shows the icon its label names, and every icon has its 3 + 1 samples.
        assert [self.code(icons[i]) for i in icon] == x[:, 0, 0].tolist()
        assert np.bincount(icon, minlength=len(icons)).tolist() == [4] * len(icons)
        assert (y < 0).sum() == len(icons)
        self.builds.append(start)
        classes = [[n] for n in range(len(icons))]
        known = pipeline.read_state(start, icons, classes, [], reused)[0] if start else None
        self.reused.append(None if known is None or known.features is None else len(known.rows))
        if self.reused[-1]:
            assert known.features[known.rows, 0].tolist() == x[:len(known.rows), 0, 0].tolist()
        (out_dir / "model.json").write_text("{}")
        generation = json.loads((start / "state.json").read_text())["generation"] + 1 if start else 0
        pipeline.write_state(out_dir / pipeline.STATE, {"trunk": [np.zeros(3)], "head": {}}, icons, classes, [],
                             generation, None if self.no_features else x[:, 0, 0, None].astype(np.float16))
        return {"icons": len(icons), "skipped": list(skipped)}


IDS = [f"i{n}" for n in range(12)]


def test_one_icon_added_edited_or_removed_draws_only_that_and_refits(tmp_path, monkeypatch, caplog):
    stages, store = Stages(monkeypatch), ModelStore(tmp_path)
    first = store.model(make(IDS[:10]), HP)
    assert stages.drawn == [IDS[:10]] and stages.builds == [None]
    added = store.model(make(IDS[:11]), HP)
    assert stages.drawn[-1] == ["i10"] and stages.builds[-1] == first.folder / "state"
    assert added.manifest["refit_from"] == first.key
    edited = store.model(make(IDS[:11], edited={"i3"}), HP)
    assert stages.drawn[-1] == ["i3"] and stages.builds[-1] == added.folder / "state"
    removed = store.model(make(IDS[:11], edited={"i3"})[1:], HP)
    assert stages.drawn[-1] == []  # nothing new to draw
    assert removed.manifest["refit_from"] == edited.key
    # Each re-fit took the features of the 10 icons it kept (4 samples each) from the last model.
    assert stages.reused == [None, 40, 40, 40]


def test_a_state_without_features_is_re_fitted_from_all_samples_features(tmp_path, monkeypatch):
    stages, store = Stages(monkeypatch), ModelStore(tmp_path)
    stages.no_features = True
    store.model(make(IDS[:10]), HP)
    stages.no_features = False
    added = store.model(make(IDS[:11]), HP)
    assert added.manifest["refit_from"] and stages.reused == [None, None]
    store.model(make(IDS[:11], edited={"i3"}), HP)
    assert stages.reused[-1] == 40


def test_features_that_do_not_match_their_samples_are_not_reused(tmp_path, monkeypatch, caplog):
    """Features of fewer samples than the last model's screenshots, a damaged features file, or
    one that matches its checksum but cannot be read: computed again, never misaligned."""
    stages, store = Stages(monkeypatch), ModelStore(tmp_path)
    first = store.model(make(IDS[:10]), HP)
    state = first.folder / pipeline.STATE
    meta = json.loads((state / "state.json").read_text())
    (state / "state.json").write_text(json.dumps({**meta, "features": meta["features"] - 1}))
    rehash(first)
    store.model(make(IDS[:11]), HP)
    assert stages.builds[-1] == state and stages.reused[-1] is None
    second = store.model(make(IDS[:11], edited={"i3"}), HP)
    features = second.folder / pipeline.STATE / pipeline.FEATURES
    features.write_bytes(b"\x93NUMPY damaged")
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.iconsearch"):
        third = store.model(make(IDS[:11], edited={"i3", "i4"}), HP)
    assert stages.builds[-1] == second.folder / pipeline.STATE and stages.reused[-1] is None
    assert "the last model's features are damaged" in caplog.text
    features = third.folder / pipeline.STATE / pipeline.FEATURES
    features.write_bytes(b"\x93NUMPY damaged")
    rehash(third)
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.iconsearch"):
        store.model(make(IDS[:11], edited={"i3", "i4", "i5"}), HP)
    assert stages.builds[-1] == third.folder / pipeline.STATE and stages.reused[-1] is None
    assert "the last model's features are unreadable" in caplog.text


def test_only_the_newest_model_keeps_its_features_and_an_older_one_is_still_re_fitted_from(tmp_path, monkeypatch):
    stages, store = Stages(monkeypatch), ModelStore(tmp_path)
    first = store.model(make(IDS[:10]), HP)
    second = store.model(make(IDS[:9] + ["x"]), HP)
    assert stages.builds[-1] == first.folder / pipeline.STATE
    assert not (first.folder / pipeline.STATE / pipeline.FEATURES).exists()
    assert (second.folder / pipeline.STATE / pipeline.FEATURES).exists()
    assert store.model(make(IDS[:10]), HP).key == first.key  # still cached
    store.model(make(IDS[:10] + ["y"]), HP)  # one icon to draw from the first, two from the second
    assert stages.builds[-1] == first.folder / pipeline.STATE and stages.reused[-1] is None


def test_of_two_bases_with_as_many_icons_to_draw_the_one_with_features_is_re_fitted(tmp_path, monkeypatch):
    """The icon just added, edited: the full build lacks one icon as the re-fit does (the
    edited one), but only the re-fit kept its features."""
    stages, store = Stages(monkeypatch), ModelStore(tmp_path)
    store.model(make(IDS[:10]), HP)
    added = store.model(make(IDS[:11]), HP)
    store.model(make(IDS[:11], edited={"i10"}), HP)
    assert stages.builds[-1] == added.folder / pipeline.STATE and stages.reused[-1] == 40


def rehash(model) -> None:
    """``model``'s manifest made to match its state files again (as if they were written so)."""
    from model_build.store import file_sha256

    path = model.folder / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["state"] = {n: file_sha256(model.folder / pipeline.STATE / n) for n in manifest["state"]}
    manifest["state_features"] = file_sha256(model.folder / pipeline.STATE / pipeline.FEATURES)
    path.write_text(json.dumps(manifest))


def test_a_bigger_change_other_options_or_incremental_false_train_in_full(tmp_path, monkeypatch):
    stages, store = Stages(monkeypatch), ModelStore(tmp_path)
    store.model(make(IDS[:10]), HP)
    store.model(make(IDS[:12]), HP)  # two new icons of 12: over 10 %
    assert stages.drawn[-1] == IDS[:12] and stages.builds[-1] is None
    store.model(make(IDS[:11]), HParams(epochs=3))  # another option: nothing to re-fit from
    assert stages.drawn[-1] == IDS[:11] and stages.builds[-1] is None
    store.model(make(IDS[:11] + ["x"]), HP, incremental=False)
    assert stages.drawn[-1] == IDS[:11] + ["x"] and stages.builds[-1] is None
    refitted = store.model(make(IDS[:11] + ["x", "y"]), HP)
    assert refitted.manifest["refit_from"] and stages.drawn[-1] == ["y"]
    full = store.model(make(IDS[:11] + ["x", "y"]), HP, incremental=False)  # not the cached re-fit
    assert full.key == refitted.key and full.manifest["refit_from"] is None
    assert stages.drawn[-1] == IDS[:11] + ["x", "y"]  # nor its mixed screenshots


def test_refits_stop_after_max_generations(tmp_path, monkeypatch):
    stages, store = Stages(monkeypatch), ModelStore(tmp_path)
    monkeypatch.setattr(pipeline, "MAX_GENERATIONS", 2)
    store.model(make(IDS[:9]), HP)
    store.model(make(IDS[:10]), HP)
    store.model(make(IDS[:11]), HP)
    assert [b is not None for b in stages.builds] == [False, True, True]
    full = store.model(make(IDS[:12]), HP)  # a third re-fit in a row: a full build instead
    assert stages.builds[-1] is None and stages.drawn[-1] == IDS[:12] and full.manifest["refit_from"] is None
    store.model(make(IDS[:12], edited={"i0"}), HP)  # re-fitted from the full build of 12
    assert stages.builds[-1] == full.folder / "state"


def test_a_damaged_state_or_damaged_screenshots_are_not_re_fitted_from(tmp_path, monkeypatch, caplog):
    stages, store = Stages(monkeypatch), ModelStore(tmp_path)
    first = store.model(make(IDS[:10]), HP)
    (first.folder / "state" / "state.npy").write_bytes(b"damaged")
    second = store.model(make(IDS[:11]), HP)
    assert stages.builds[-1] is None and stages.drawn[-1] == IDS[:11]
    samples = tmp_path / "samples" / second.manifest["samples_file"]
    samples.write_bytes(samples.read_bytes()[:300])  # truncated
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.iconsearch"):
        store.model(make(IDS[:12]), HP)
    assert stages.builds[-1] is None and stages.drawn[-1] == IDS[:12]
    assert "the last model's screenshots are damaged" in caplog.text


def test_an_icon_whose_sheets_stalled_is_skipped_again_not_drawn_again(tmp_path, monkeypatch):
    stages, store = Stages(monkeypatch, stalls={"i4"}), ModelStore(tmp_path)
    first = store.model(make(IDS[:10]), HP)
    assert [e["id"] for e in first.skipped] == ["i4"]
    added = store.model(make(IDS[:11]), HP)
    assert stages.drawn[-1] == ["i10"] and added.manifest["refit_from"] == first.key
    assert [e["id"] for e in added.skipped] == ["i4"]
    removed = store.model(make(IDS[:11])[1:], HP)  # nothing left to draw: no "empty icon set"
    assert stages.drawn[-1] == [] and [e["id"] for e in removed.skipped] == ["i4"]



def test_a_state_maps_each_class_and_name_to_its_old_column(tmp_path):
    """A class keeps its column through any icon it had (same id, same drawing); a new drawing,
    even under an old id, starts afresh; names by family; the weights come back as written."""
    old = make(["outlined/home", "filled/home", "outlined/star"])
    rng = np.random.default_rng(0)
    state = {"trunk": [rng.random((3, 3, 1, 4)).astype(np.float32), rng.random(4).astype(np.float32)],
             "head": {"embedding": [rng.random((5, 2)), rng.random(2)], "probabilities": [rng.random((2, 3)), rng.random(3)]}}
    pipeline.write_state(tmp_path / "state", state, old, [[0], [1], [2]], [[0, 1], [2]], generation=2)
    new = [old[2], parse_svg(svg(30), "outlined/home"), old[1], parse_svg(svg(31), "outlined/bell")]
    start, generation = pipeline.read_state(tmp_path / "state", new, [[0], [1], [2], [3]], [[0], [1, 2], [3]])
    assert generation == 2
    assert start.class_map.tolist() == [2, -1, 1, -1]
    assert start.name_map.tolist() == [1, 0, -1]  # star, home, bell
    for a, b in zip(start.trunk + start.head["embedding"] + start.head["probabilities"],
                    state["trunk"] + state["head"]["embedding"] + state["head"]["probabilities"]):
        np.testing.assert_array_equal(a, b)
