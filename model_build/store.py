"""The model store: icons in, a site's model files out. The one module that knows the cache.

    store = ModelStore(cache_dir)
    model = store.model(icons, hp, limits, browser_path)   # -> StoredModel(folder, manifest, key, built)
    x, y = store.samples(icons, hp, browser_path)          # the screenshots alone (pretraining)

``model`` loads what is cached and runs only the stages that are missing: check the icons
(drawcheck), take the screenshots (screenshots), train and export (pipeline.build_model).

Layout of the cache folder::

    models/<key>/              the site's files and manifest.json, written last with each file's
                               sha256: no manifest or a mismatching file means no entry
    samples/<key>.samples      screenshots, kept apart so that a build interrupted while training
                               does not take them again
    samples/<key>.refit.samples  a re-fit's: the last model's screenshots and the new icons'
    models/<key>/state/        what a later build re-fits from (weights, the classes' icons);
                               checked by the manifest's "state" checksums, never shipped; and
                               the trunk's features of the model's samples (features.npy,
                               checked by "state_features"), kept by the newest model only
    .lock                      one build at a time

Keys are digests of one record, :func:`ingredients`: the icons' ids and contents, the
hyper-parameters, the limits, the backbone's digest, the libraries' versions, the preprocessing
(Python's and the widget's sources) and the *code* of every stage: the source of each module a
stage runs, found by following its imports, and the sample page's templates. Any edit that can
change the samples or the model changes the key; nothing is bumped by hand.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import numpy as np

from . import LOGGER_NAME, __version__
from .hparams import HParams
from .arrays import read_arrays, write_arrays
from .icons import Icon
from .limits import DEFAULT_LIMITS, Limits
from .preprocess import PREPROCESS_VERSION
from .resources import assets_dir

log = logging.getLogger(LOGGER_NAME)

PACKAGE_DIR = Path(__file__).resolve().parent
# The stages, by the modules they start from (their imports are followed).
SAMPLES_CODE = ("drawcheck", "screenshots")  # which icons are kept, and their screenshots
MODEL_CODE = ("pipeline", "train", "convert", "backbone")  # training and export, given the samples
TEMPLATES = "*.j2"  # the sample page (assets/)
WIDGET_PREPROCESS = "widget/src/preprocess.js"  # the reader's half of preprocessing (assets/)
LIBRARIES = ("tensorflow", "tf-keras", "tensorflowjs")
# What draws and cuts the screenshots (the browser itself is not in the key: a warm build must
# not need one; Playwright's version stands for it).
SAMPLING_LIBRARIES = ("playwright", "pillow", "numpy", "jinja2")
SAMPLING_FIELDS = ("image_size", "samples_per_icon", "sketches_per_icon", "grid", "cell_px", "hidpi_cell_px", "seed")
SAMPLES_SUFFIX = ".samples"  # x, y, the icons skipped: .npy arrays back to back (arrays.py)
SAMPLES_FORMAT = 2  # 1: x and y only
REFIT_SHARE = 0.1  # icons added or changed, at most, for a build to re-fit a cached model (incremental)
REFIT_SUFFIX = ".refit.samples"  # a re-fit's screenshots: the last model's and the new icons'


# ---------------------------------------------------------------------------- the key

# from .x import a, b / from .x import (a,\n b) / from . import x as y, z / from .x import *
_RELATIVE_IMPORT = re.compile(r"^[ \t]*from \.(\w*) import\s*(\([^)]*\)|[^\n#]*)", re.M)


def relative_imports(source: str) -> list[str]:
    """The package's modules that a module's source imports (``from .x import …``, ``from . import
    x``). A regular expression, not ``ast``: it runs on every build, and parsing was 40 ms of it."""
    found = []
    for module, names in _RELATIVE_IMPORT.findall(source):
        names = [n.split(" as ")[0].strip() for n in names.strip("() \n").split(",")]
        found += ([module] if module else [n for n in names if n and n != "*"]) + ["__init__"]
    return found


def stage_modules(starts: tuple[str, ...], package_dir: Path = PACKAGE_DIR,
                  imports: Callable[[str], list[str]] = relative_imports) -> list[str]:
    """The package's modules that ``starts`` import, directly or not (lazy imports included)."""
    seen, todo = set(), list(starts)
    while todo:
        name = todo.pop()
        if name in seen or not (package_dir / f"{name}.py").exists():
            continue
        seen.add(name)
        todo += imports((package_dir / f"{name}.py").read_text())
    return sorted(seen)


def code_digest(starts: tuple[str, ...], package_dir: Path = PACKAGE_DIR, assets: Path | None = None,
                extra: tuple[str, ...] = ()) -> str:
    """sha256 of the sources of ``starts`` and their imports, and of the ``extra`` asset globs."""
    h = hashlib.sha256()
    for name in stage_modules(starts, package_dir):
        h.update(f"{name}\0".encode() + (package_dir / f"{name}.py").read_bytes())
    assets = assets or assets_dir()
    for pattern in extra:
        for file in sorted(assets.glob(pattern)):
            h.update(f"{file.relative_to(assets).as_posix()}\0".encode() + file.read_bytes())
    return h.hexdigest()[:16]


@functools.cache
def _code() -> dict:
    """The stages' code digests, read once per process (the sources do not change under it)."""
    return {"samples": code_digest(SAMPLES_CODE, extra=(TEMPLATES,)),
            "model": code_digest(MODEL_CODE, extra=(WIDGET_PREPROCESS,))}


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "missing"


def versions() -> dict:
    return {"mkdocs-iconsearch": __version__, "preprocess": PREPROCESS_VERSION,
            **{d: _version(d) for d in LIBRARIES}}


def samples_record(icons: list[Icon], hp: HParams) -> dict:
    """What the screenshots depend on (training options and TensorFlow upgrades keep them)."""
    hparams = hp.to_dict()
    return {"icons": [[i.id, i.digest] for i in icons], "sampling": {k: hparams[k] for k in SAMPLING_FIELDS},
            "code": _code()["samples"], "package": __version__, "preprocess": PREPROCESS_VERSION,
            "libraries": {d: _version(d) for d in SAMPLING_LIBRARIES}, "format": SAMPLES_FORMAT}


def ingredients(icons: list[Icon], hp: HParams, limits: Limits = DEFAULT_LIMITS) -> dict:
    """Everything a model depends on, as one record, the screenshots' record among it."""
    from .backbone import digest as backbone_digest, folder

    return {"samples": samples_record(icons, hp), "hparams": hp.to_dict(), "limits": limits.to_dict(),
            "code": _code()["model"], "backbone": backbone_digest(folder(hp.backbone)) if hp.backbone != "none" else "none",
            "versions": versions()}


def digest(record) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()[:16]


def model_key(icons: list[Icon], hp: HParams, limits: Limits = DEFAULT_LIMITS) -> str:
    return digest(ingredients(icons, hp, limits))


def refit_key(hp: HParams, limits: Limits = DEFAULT_LIMITS) -> str:
    """Everything but the icons: models that share it can be re-fitted from one another."""
    return digest(ingredients([], hp, limits))


def samples_key(icons: list[Icon], hp: HParams) -> str:
    return digest(samples_record(icons, hp))


# ---------------------------------------------------------------------------- the store

@dataclasses.dataclass(frozen=True)
class StoredModel:
    folder: Path  # the entry: the site's files, manifest.json, confusions.json
    manifest: dict
    key: str
    built: bool  # False: found in the cache

    @property
    def skipped(self) -> list[dict]:
        return self.manifest.get("skipped", [])


class ModelStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def entry(self, key: str) -> Path:
        return self.root / "models" / key

    def model(self, icons: list[Icon], hp: HParams, limits: Limits = DEFAULT_LIMITS,
              browser_path: str | None = None, incremental: bool = True) -> StoredModel:
        """The model for ``icons``: from the cache, or built (and cached) by the stages missing.
        ``incremental``: when a cached model's icons differ from these by a few (``refit_base``),
        only the icons it lacks are drawn and its head is re-fitted (seconds); the result then
        depends on that model, not only on these icons: False trains in full."""
        key = model_key(icons, hp, limits)
        manifest = self.get(key)
        if manifest is not None and not incremental and manifest.get("refit_from"):
            log.info("iconsearch: the cached model was re-fitted from an earlier one; training in full (incremental: false)")
            manifest = None
        if manifest is None:
            log.info("iconsearch: training an icon model for %d icons (cache key %s)", len(icons), key)
            with self.lock():
                manifest = self.get(key)  # built by another process while we waited
                if manifest is None or (not incremental and manifest.get("refit_from")):
                    built = self._build(key, icons, hp, limits, browser_path, incremental)
                    return StoredModel(self.entry(key), built, key, True)
        with contextlib.suppress(OSError):  # the newest entries are kept (_prune); a read-only cache is fine
            os.utime(self.entry(key))
        model = StoredModel(self.entry(key), manifest, key, False)
        _name_skipped(model.skipped)  # found when it was built: named on every build
        log.info("iconsearch: using the cached model for %d icons (cache key %s)", len(icons) - len(model.skipped), key)
        return model

    def samples(self, icons: list[Icon], hp: HParams, browser_path: str | None = None):
        """``(x, y)``, the screenshots of ``icons`` (already checked): cached, or taken and cached.
        (A sheet that stalls on one icon raises here: pretraining's sets are clean.)"""
        from .screenshots import capture

        with self.lock():
            path = self._samples_path(icons, hp)
            cached = self._cached_samples(path)
            if cached is not None:
                return cached[:2]
            return self._save_samples(path, capture(icons, hp, browser_path))

    def get(self, key: str, quiet: bool = False) -> dict | None:
        """The manifest of a complete, undamaged entry, or None (a damaged one is logged, unless
        ``quiet``: looking for an entry to re-fit, where it is only passed over)."""
        entry = self.entry(key)
        try:
            manifest = json.loads((entry / "manifest.json").read_text())
            for name, sha in manifest["files"].items():
                if file_sha256(entry / name) != sha:
                    raise ValueError(f"{name} does not match its checksum")
        except FileNotFoundError:
            if entry.exists() and not quiet:
                log.warning("iconsearch cache entry %s is incomplete or damaged; rebuilding it", entry)
            return None
        except (ValueError, KeyError, TypeError) as exc:
            if not quiet:
                log.warning("iconsearch cache entry %s is damaged (%s); rebuilding it", entry, exc)
            return None
        return manifest

    def _build(self, key: str, icons: list[Icon], hp: HParams, limits: Limits, browser_path: str | None,
               incremental: bool = True) -> dict:
        """Checks the icons, takes (or reuses) their screenshots, trains, and stores the entry;
        the manifest lists the icons skipped on the way. Called with the lock held."""
        from . import pipeline

        for stale in [*self.root.glob(".tmp-*"), *self.root.glob("samples/.*.tmp")]:  # a killed build's
            shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
        icons, skipped = pipeline.check_icons(icons, limits, browser_path)
        base = self.refit_base(icons, hp, limits) if incremental and hp.backbone != "none" else None
        # Keyed by the icons that went in: an icon the capture had to skip (its sheet stalled) is
        # recorded in the file, so that a later build reuses the screenshots and skips it again.
        path = self._samples_path(icons, hp)
        cached = self._cached_samples(path)
        if cached is not None:
            x, y, worse = cached
            samples, gone, reused = (x, y), {entry["id"] for entry in worse}, None
            icons = [icon for icon in icons if icon.id not in gone]
            _name_skipped(worse)
        else:
            if base:
                try:
                    icons, worse, samples, reused = self._samples_beside(base, icons, hp, browser_path)
                    # Not under the screenshots' own key: a full build must never take these for its own.
                    path = path.with_name(path.name.removesuffix(SAMPLES_SUFFIX) + REFIT_SUFFIX)
                except (ValueError, EOFError) as exc:  # the base's screenshots are damaged: draw them all
                    log.warning("iconsearch: the last model's screenshots are damaged (%s); training in full", exc)
                    base = None
            if not base:
                (icons, worse, samples), reused = pipeline.capture_samples(icons, hp, browser_path), None
            samples = self._save_samples(path, samples, worse)
        skipped += worse
        with self.writing("the trained model"):
            tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{key}-", dir=self.root))
            try:
                manifest = pipeline.build_model(icons, hp, tmp, samples=samples, skipped=skipped, scratch=self.root,
                                                start=base.folder / pipeline.STATE if base else None,
                                                reused=reused)
                manifest.update(key=key, versions=versions(), refit_key=refit_key(hp, limits), samples_file=path.name,
                                refit_from=base.key if base else None)
                manifest["files"] = {p.name: file_sha256(p) for p in sorted(tmp.iterdir()) if p.is_file()}
                state = tmp / pipeline.STATE  # (not among the files a site gets)
                # The features are checked apart: they go when a newer model is built (_drop_features).
                manifest["state"] = {p.name: file_sha256(p) for p in sorted(state.iterdir())
                                     if p.name != pipeline.FEATURES} if state.is_dir() else {}
                if (state / pipeline.FEATURES).is_file():
                    manifest["state_features"] = file_sha256(state / pipeline.FEATURES)
                (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
                final = self.entry(key)
                final.parent.mkdir(parents=True, exist_ok=True)
                if final.exists():
                    shutil.rmtree(final)
                os.replace(tmp, final)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        _prune(self.root / "models", keep=key)
        _drop_features(self.root / "models", keep=key)
        return manifest

    def refit_base(self, icons: list[Icon], hp: HParams, limits: Limits) -> StoredModel | None:
        """The cached model to re-fit for ``icons``: built with the same options, code and
        backbone, whose icons differ from these by at most ``REFIT_SHARE`` of them (at least
        one: an icon added, edited or removed), with its state and screenshots still here,
        fewer than ``MAX_GENERATIONS`` re-fits from a full build; or None. Of several, the one
        with the fewest icons to draw, then one that kept its features (``_drop_features``: the
        trunk runs on the new samples only), then the fewest removed. Icons removed do not count
        towards the limit: a re-fit only drops their columns."""
        from .pipeline import FEATURES, MAX_GENERATIONS, STATE, state_record

        want, now = refit_key(hp, limits), {(i.id, i.digest) for i in icons}
        best, best_rank = None, None
        for folder in sorted((self.root / "models").glob("[!.]*")):
            manifest = self.get(folder.name, quiet=True)
            if not manifest or manifest.get("refit_key") != want or not manifest.get("state"):
                continue
            try:
                if any(file_sha256(folder / STATE / n) != sha for n, sha in manifest["state"].items()):
                    continue
                meta = state_record(folder / STATE)
            except (OSError, ValueError):
                continue
            before = {tuple(pair) for pair in meta["icons"]} | _capture_skipped(manifest)
            kept = bool(manifest.get("state_features")) and (folder / STATE / FEATURES).is_file()
            rank = (len(now - before), not kept, len(before - now))
            if (meta["generation"] >= MAX_GENERATIONS or not now & before
                    or len(now - before) > max(1, REFIT_SHARE * len(now))
                    or not (self.root / "samples" / manifest.get("samples_file", "")).is_file()):
                continue
            if best_rank is None or rank < best_rank:
                best, best_rank = StoredModel(folder, manifest, folder.name, False), rank
        return best

    def _samples_beside(self, base: StoredModel, icons: list[Icon], hp: HParams, browser_path: str | None):
        """``(icons, skipped, samples, reused)`` like ``pipeline.capture_samples``, drawing only the
        icons ``base`` lacks: the others' screenshots are ``base``'s, relabelled, and come first;
        ``reused`` are their rows in ``base``'s samples (whose features ``base`` kept), or None
        where ``base`` kept none of as many samples."""
        from . import pipeline
        from .sample_page import sketch_of

        x0, y0, _ = load_samples(self.root / "samples" / base.manifest["samples_file"])
        meta = pipeline.state_record(base.folder / pipeline.STATE)
        before = [tuple(pair) for pair in meta["icons"]]
        known, stalled = set(before), _capture_skipped(base.manifest)
        # An icon whose sheets stalled last time is skipped again, not drawn again (a minute's hang).
        worse = [e for e in base.manifest["skipped"] if (e["id"], e.get("digest")) in stalled
                 and any((i.id, i.digest) == (e["id"], e["digest"]) for i in icons)]
        new = [i for i in icons if (i.id, i.digest) not in known | stalled]
        log.info("iconsearch: %d icons are new or changed since the last model: drawing only those", len(new))
        drawn, more, (x1, y1) = pipeline.capture_samples(new, hp, browser_path, subset=True)
        worse += more
        gone = {e["id"] for e in worse}
        icons = [i for i in icons if i.id not in gone]
        index = {(i.id, i.digest): n for n, i in enumerate(icons)}

        def relabel(labels, pairs):
            where = np.array([index.get(p, -1) for p in pairs], np.int64)  # -1: an icon not kept
            icon, sketch = sketch_of(labels)
            got = where[icon]
            return np.where(sketch, -1 - got, got).astype(np.int32), got >= 0

        y0, keep0 = relabel(y0, before)
        y1, keep1 = relabel(y1, [(i.id, i.digest) for i in drawn])
        kept = int(keep0.sum())
        x = np.empty((kept + int(keep1.sum()), *x0.shape[1:]), x0.dtype)  # (one copy of the set, not three)
        np.compress(keep0, x0, axis=0, out=x[:kept])
        np.compress(keep1, x1, axis=0, out=x[kept:])
        reused = np.flatnonzero(keep0) if meta.get("features") == len(x0) and _features_intact(base) else None
        return icons, worse, (x, np.concatenate([y0[keep0], y1[keep1]])), reused

    def _samples_path(self, icons: list[Icon], hp: HParams) -> Path:
        return self.root / "samples" / f"{samples_key(icons, hp)}{SAMPLES_SUFFIX}"

    def _save_samples(self, path: Path, samples, skipped: list[dict] = ()):
        """Writes ``(x, y)`` and returns them read back from the file (``load_samples``: views of
        it), so that training holds no copy of the capture's."""
        with self.writing("the screenshot samples"):
            path.parent.mkdir(parents=True, exist_ok=True)
            save_samples(path, samples, skipped)
        _prune(path.parent, keep=path.name)
        return load_samples(path)[:2]

    @staticmethod
    def _cached_samples(path: Path):
        """``(x, y, skipped)`` from the cache, or None."""
        if not path.exists():
            return None
        try:
            samples = load_samples(path)
        except Exception as exc:  # noqa: BLE001 - a damaged file is taken again
            log.warning("cached samples %s are damaged (%s); taking them again", path, exc)
            return None
        log.info("reusing %s cached screenshot samples from %s", f"{len(samples[1]):,}", path.name)
        return samples

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


def save_samples(path: Path, samples, skipped: list[dict] = ()) -> None:
    """``(x, y)`` and the icons the capture skipped (JSON), three .npy arrays in one file
    (``arrays.write_arrays``: atomic, no zip)."""
    x, y = samples
    write_arrays(path, [x, y, np.frombuffer(json.dumps(list(skipped)).encode(), np.uint8)])


def load_samples(path: Path, mmap: bool = True):
    """``(x, y, skipped)``; ``ValueError`` when the file is damaged (truncated, mismatched).
    ``mmap``: x and y are read-only views of the file, read from disk as training uses them
    (``arrays.read_arrays``): however many screenshots a set has, they are not held in memory."""
    x, y, notes = read_arrays(path, 3, mmap)
    skipped = json.loads(notes.tobytes())
    if len(x) != len(y) or not isinstance(skipped, list):
        raise ValueError("its arrays do not match")
    return x, y, skipped


def _capture_skipped(manifest: dict) -> set[tuple]:
    """(id, digest) of the icons a model's screenshots had to skip (their sheets stalled)."""
    return {(e["id"], e["digest"]) for e in manifest.get("skipped", []) if e.get("stage") == "capture"}


def _name_skipped(entries: list[dict]) -> None:
    """A warning for each icon skipped when the entry or the screenshots were made (the build
    that made them warned already; later builds that reuse them say it again)."""
    from .drawcheck import warning

    for entry in entries:
        log.warning("iconsearch: %s", warning(entry))


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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


def _features_intact(model: StoredModel) -> bool:
    """Whether ``model`` still has its state's features, as written (a damaged file is logged)."""
    from .pipeline import FEATURES, STATE

    sha, path = model.manifest.get("state_features"), model.folder / STATE / FEATURES
    if not sha or not path.is_file():
        return False
    if file_sha256(path) != sha:
        log.warning("iconsearch: the last model's features are damaged; computing them all")
        return False
    return True


def _drop_features(folder: Path, keep: str) -> None:
    """The state features of every model but ``keep`` (the newest): a next build re-fits from
    the model closest to its icons, nearly always the last one, and each file is ~2 KB a
    sample (192 MB for example_site, 1.2 GB for all four Material sets). Those models stay
    whole otherwise: cached, and a re-fit from them computes its features."""
    from .pipeline import FEATURES, STATE

    for entry in folder.glob(f"[!.]*/{STATE}/{FEATURES}"):
        if entry.parent.parent.name != keep:
            entry.unlink(missing_ok=True)


def _prune(folder: Path, keep: str, max_entries: int = 3) -> None:
    """Keep the newest few entries, so that switching back and forth stays cheap but bounded."""
    entries = sorted((p for p in folder.iterdir() if p.name != keep and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[max_entries - 1:]:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
