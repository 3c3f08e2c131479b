"""The model cache: one directory per key, written atomically, guarded by a lock.

Key = hash of the icons' ids and contents, the options that change the model, and the versions
that matter. An entry is ``models/<key>/`` holding the site files and ``manifest.json`` (written
last, with each file's sha256): no manifest or a mismatching file means no entry. Screenshots are
kept apart (``samples/``) so a build interrupted during training does not take them again.
"""

from __future__ import annotations

import contextlib
import errno
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
from model_build.limits import DEFAULT_LIMITS, Limits
from model_build.pipeline import SAMPLES_SUFFIX, load_samples
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


def model_key(icons: list[Icon], hp: HParams, limits: Limits = DEFAULT_LIMITS) -> str:
    # A new pretrained backbone (a package upgrade) retrains every site that uses it.
    backbone = backbone_digest() if hp.backbone == "builtin" else "none"
    # Limits decide which icons an entry skipped; the defaults add nothing, so entries built
    # before limits existed stay valid.
    other_limits = {"limits": limits.to_dict()} if limits != DEFAULT_LIMITS else {}
    return _digest({"icons": [[i.id, i.digest] for i in icons], "hparams": hp.to_dict(), "versions": versions(),
                    "backbone": backbone, **other_limits})


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
    def writing(self, what: str):
        """Turns a cache folder that can't take a write (full disk, no permission, read-only)
        into one ``CacheWriteError`` that names ``cache_dir``, what was being written, the fix."""
        try:
            yield
        except OSError as exc:
            if exc.errno not in UNWRITABLE:
                raise
            raise CacheWriteError(self.root, what, exc) from exc  # (--verbose shows both)

    @contextlib.contextmanager
    def lock(self):
        """An exclusive lock on the cache directory (another build waits for this one)."""
        with self.writing("the cache's lock file"):
            self.root.mkdir(parents=True, exist_ok=True)
            fh = open(self.root / ".lock", "a+")
        with fh:
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

    def build(self, key: str, icons: list[Icon], hp: HParams, browser_path: str | None = None,
              limits: Limits = DEFAULT_LIMITS) -> dict:
        """Checks the icons, takes (or reuses) their screenshots, trains, and stores the entry;
        the manifest lists the icons skipped on the way."""
        from model_build import pipeline

        with self.lock():
            manifest = self.get(key)  # built by another process while we waited
            if manifest is not None:
                return manifest
            for stale in [*self.root.glob(".tmp-*"), *self.root.glob("samples/.*.tmp")]:  # a killed build's
                shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
            icons, skipped = pipeline.check_icons(icons, limits, browser_path)
            samples_dir = self.root / "samples"
            samples = self._cached_samples(samples_dir / f"{samples_key(icons, hp)}{SAMPLES_SUFFIX}")
            if samples is None:
                icons, worse, samples = pipeline.capture_samples(icons, hp, browser_path)
                skipped += worse
                samples_file = samples_dir / f"{samples_key(icons, hp)}{SAMPLES_SUFFIX}"
                with self.writing("the screenshot samples"):
                    samples_dir.mkdir(parents=True, exist_ok=True)
                    pipeline.save_samples(samples_file, samples)
                _prune(samples_dir, keep=samples_file.name)
            with self.writing("the trained model"):
                tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{key}-", dir=self.root))
                try:
                    manifest = pipeline.build_model(icons, hp, tmp, samples=samples, skipped=skipped)
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

    @staticmethod
    def _cached_samples(path: Path):
        if not path.exists():
            return None
        try:
            samples = load_samples(path)
        except Exception as exc:  # noqa: BLE001 - a damaged file is taken again
            log.warning("cached samples %s are damaged (%s); taking them again", path, exc)
            return None
        log.info("reusing %s cached screenshot samples from %s", f"{len(samples[1]):,}", path.name)
        return samples


# What a folder that can't take a write says (errno -> words, and the fix).
UNWRITABLE = {
    errno.ENOSPC: ("no space left on the device", "free some space on that disk"),
    errno.EDQUOT: ("the disk quota is exceeded", "free some space on that disk"),
    errno.EACCES: ("permission denied", "make the folder writable by this user"),
    errno.EPERM: ("operation not permitted", "make the folder writable by this user"),
    errno.EROFS: ("it is on a read-only file system", "build where the folder is writable"),
}


class CacheWriteError(Exception):
    """The cache folder can't take a write: one line with the folder, what, and the fix."""

    def __init__(self, root: Path, what: str, exc: OSError):
        words, fix = UNWRITABLE[exc.errno]
        where = f"cache_dir {root}"
        if exc.filename and not Path(str(exc.filename)).resolve().is_relative_to(Path(root).resolve()):
            where = f"{Path(str(exc.filename)).parent} (not cache_dir {root}: the system's temporary folder?)"
        super().__init__(f"could not write {what} into {where}: {words}. Fix: {fix}, or point the `cache_dir` "
                         "option at another folder; what was already complete is kept for the next build")


def _prune(folder: Path, keep: str, max_entries: int = 3) -> None:
    """Keep the newest few entries, so that switching back and forth stays cheap but bounded."""
    entries = sorted((p for p in folder.iterdir() if p.name != keep and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[max_entries - 1:]:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
