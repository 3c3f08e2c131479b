import dataclasses
import json

from mkdocs_iconsearch.cache import ModelCache, model_key, samples_key
from model_build.hparams import HParams
from model_build.icons import parse_svg

A = b'<svg viewBox="0 0 10 10"><path d="M1 1h8v8H1z"/></svg>'
B = b'<svg viewBox="0 0 10 10"><path d="M1 1h7v8H1z"/></svg>'


def icons(*pairs):
    return [parse_svg(data, icon_id) for icon_id, data in pairs]


def test_key_is_stable_and_follows_content_ids_and_options():
    hp = HParams()
    base = model_key(icons(("a", A), ("b", B)), hp)
    assert base == model_key(icons(("a", A), ("b", B)), HParams())
    assert base != model_key(icons(("a", A), ("b", A)), hp)  # content changed
    assert base != model_key(icons(("a", A), ("c", B)), hp)  # id changed
    assert base != model_key(icons(("a", A)), hp)  # icon removed
    assert base != model_key(icons(("a", A), ("b", B)), dataclasses.replace(hp, epochs=hp.train_epochs + 1))
    assert base != model_key(icons(("a", A), ("b", B)), dataclasses.replace(hp, backbone="none"))


def test_key_follows_the_pretrained_backbone(monkeypatch):
    import mkdocs_iconsearch.cache as cache

    pair = icons(("a", A), ("b", B))
    base = model_key(pair, HParams())
    monkeypatch.setattr(cache, "backbone_digest", lambda: "another-backbone")
    assert model_key(pair, HParams()) != base
    assert model_key(pair, HParams(backbone="none")) == model_key(pair, HParams(backbone="none"))


def test_training_options_do_not_invalidate_screenshots():
    pair = icons(("a", A), ("b", B))
    hp = HParams()
    assert samples_key(pair, hp) == samples_key(pair, dataclasses.replace(hp, epochs=99, learning_rate=0.1))
    assert samples_key(pair, hp) != samples_key(pair, dataclasses.replace(hp, samples_per_icon=7))


def make_entry(cache: ModelCache, key: str) -> None:
    entry = cache.entry(key)
    entry.mkdir(parents=True)
    (entry / "weights-x.bin").write_bytes(b"\x01" * 100)
    from mkdocs_iconsearch.cache import file_sha256

    (entry / "manifest.json").write_text(json.dumps({"files": {"weights-x.bin": file_sha256(entry / "weights-x.bin")}}))


def test_complete_entry_is_found(tmp_path):
    cache = ModelCache(tmp_path)
    assert cache.get("k") is None
    make_entry(cache, "k")
    assert cache.get("k")["files"]


def test_damaged_entries_are_rejected_and_logged(tmp_path, caplog):
    cache = ModelCache(tmp_path)
    make_entry(cache, "k")
    (cache.entry("k") / "weights-x.bin").write_bytes(b"\x01" * 50)  # truncated
    assert cache.get("k") is None
    assert "damaged" in caplog.text and "weights-x.bin" in caplog.text
    make_entry(cache, "m")
    (cache.entry("m") / "manifest.json").write_text("{not json")
    assert cache.get("m") is None
    make_entry(cache, "n")
    (cache.entry("n") / "manifest.json").unlink()  # an interrupted write never has a manifest
    assert cache.get("n") is None
