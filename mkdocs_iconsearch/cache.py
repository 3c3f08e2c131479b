"""The model cache: one directory per key, written atomically, guarded by a lock.

Key = hash of the icons' ids and contents, the options that change the model, and the versions
that matter. An entry is ``models/<key>/`` holding the site files and ``manifest.json`` (written
last, with each file's sha256): no manifest or a mismatching file means no entry. Screenshots are
kept apart (``samples/``) so a build interrupted during training does not take them again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

from model_build import LOGGER_NAME, PIPELINE_VERSION, __version__
from model_build.backbone import digest as backbone_digest
from model_build.hparams import HParams
from model_build.icons import Icon
from model_build.preprocess import PREPROCESS_VERSION

log = logging.getLogger(LOGGER_NAME)

VERSIONED = ("tensorflow", "tf-keras", "tensorflowjs")


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "missing"


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:16]


def _pipeline_versions() -> dict:
    return {"mkdocs-iconsearch": __version__, "pipeline": PIPELINE_VERSION, "preprocess": PREPROCESS_VERSION}


def versions() -> dict:
    return {**_pipeline_versions(), **{d: _version(d) for d in VERSIONED}}


def model_key(icons: list[Icon], hp: HParams) -> str:
    # A new pretrained backbone (a package upgrade) retrains every site that uses it.
    backbone = backbone_digest() if hp.backbone == "builtin" else "none"
    return _digest({"icons": [[i.id, i.digest] for i in icons], "hparams": hp.to_dict(), "versions": versions(),
                    "backbone": backbone})


def samples_key(icons: list[Icon], hp: HParams) -> str:
    from model_build.pipeline import sampling_key

    # Screenshots do not depend on TensorFlow's version: training-only upgrades keep them.
    return _digest({"icons": [[i.id, i.digest] for i in icons], "sampling": sampling_key(hp),
                    "versions": _pipeline_versions()})


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class ModelCache:
    def __init__(self, root: Path):
        self.root = Path(root)

    def entry(self, key: str) -> Path:
        return self.root / "models" / key

    def get(self, key: str) -> dict | None:
        """The manifest of a complete, undamaged entry, or None (a damaged one is logged)."""
        entry = self.entry(key)
        try:
            manifest = json.loads((entry / "manifest.json").read_text())
            for name, sha in manifest["files"].items():
                if file_sha256(entry / name) != sha:
                    raise ValueError(f"{name} does not match its checksum")
        except FileNotFoundError:
            if entry.exists():
                log.warning("iconsearch cache entry %s is incomplete or damaged; rebuilding it", entry)
            return None
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("iconsearch cache entry %s is damaged (%s); rebuilding it", entry, exc)
            return None
        return manifest

    @contextlib.contextmanager
    def lock(self):
        """An exclusive lock on the cache directory (another build waits for this one)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as fh:
            try:
                import fcntl
            except ImportError:  # Windows: no advisory locks, atomic renames still hold
                yield
                return
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.info("another build is using %s; waiting for it", self.root)
                fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def build(self, key: str, icons: list[Icon], hp: HParams, browser_path: str | None = None) -> dict:
        from model_build import pipeline

        with self.lock():
            manifest = self.get(key)  # built by another process while we waited
            if manifest is not None:
                return manifest
            for stale in self.root.glob(".tmp-*"):  # left by a killed build; we hold the lock
                shutil.rmtree(stale, ignore_errors=True)
            samples_dir = self.root / "samples"
            samples_dir.mkdir(parents=True, exist_ok=True)
            samples_file = samples_dir / f"{samples_key(icons, hp)}.npz"
            samples = None
            if samples_file.exists():
                try:
                    samples = pipeline.load_samples(samples_file)
                    log.info("reusing %s cached screenshot samples from %s", f"{len(samples[1]):,}", samples_file.name)
                except Exception as exc:  # noqa: BLE001 - a damaged file is rebuilt
                    log.warning("cached samples %s are damaged (%s); taking them again", samples_file, exc)
            if samples is None:
                samples = pipeline.capture_samples(icons, hp, browser_path)
                pipeline.save_samples(samples_file, samples)
                _prune(samples_dir, keep=samples_file.name)
            tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{key}-", dir=self.root))
            try:
                manifest = pipeline.build_model(icons, hp, tmp, samples=samples)
                manifest["key"] = key
                manifest["versions"] = versions()
                manifest["files"] = {p.name: file_sha256(p) for p in sorted(tmp.iterdir()) if p.is_file()}
                (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
                final = self.entry(key)
                final.parent.mkdir(parents=True, exist_ok=True)
                if final.exists():
                    shutil.rmtree(final)
                os.replace(tmp, final)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            _prune(self.root / "models", keep=key)
            return manifest


def _prune(folder: Path, keep: str, max_entries: int = 3) -> None:
    """Keep the newest few entries, so that switching back and forth stays cheap but bounded."""
    entries = sorted((p for p in folder.iterdir() if p.name != keep and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[max_entries - 1:]:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
