"""The stages, as plain functions: icons -> checked icons -> samples -> trained model -> site files.

They know nothing of caching: :class:`model_build.store.ModelStore` calls them, in order, for
what its cache lacks (the screenshots of an interrupted build are kept and trained again
without a browser).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from . import LOGGER_NAME, __version__, compact
from .arrays import read_arrays, write_arrays
from .backbone import folder, load as load_backbone
from .convert import content_hash, export_tfjs
from .hparams import HParams
from .icons import Icon, IconSetError, canonical, family, painted, twin_groups
from .limits import DEFAULT_LIMITS, Limits
from .preprocess import PREPROCESS_VERSION
from .sample_page import sketch_of

log = logging.getLogger(LOGGER_NAME)

def check_icons(icons: list[Icon], limits: Limits = DEFAULT_LIMITS, browser_path: str | None = None):
    """``(kept, skipped)``: icons that draw no visible pixel or too slowly are left out (drawcheck.py)."""
    from .drawcheck import check_icons as check

    kept, skipped = check(icons, limits, browser_path)
    if icons and not kept:
        raise IconSetError("no icon is left to train on: every one was skipped (see the warnings above)")
    return kept, skipped


def capture_samples(icons: list[Icon], hp: HParams, browser_path: str | None = None, subset: bool = False):
    """``(icons, skipped, samples)``: the screenshots. An icon that stalls a sample sheet on its
    own is skipped with a warning (its entry says so: ``stage`` "capture", and its ``digest``),
    and the sheets are drawn again without it. ``subset``: these are a few icons of a bigger set
    (an incremental build), and none left is no error."""
    from .drawcheck import skipped as entry, warning
    from .screenshots import IconsTooCostly, capture

    skipped = []
    while True:
        if not icons:
            if subset:
                return [], skipped, (np.zeros((0, hp.image_size, hp.image_size), np.uint8), np.zeros(0, np.int32))
            raise IconSetError("the icon set is empty: there is nothing to train on")
        try:
            return icons, skipped, capture(icons, hp, browser_path)
        except IconsTooCostly as exc:
            for n in exc.indexes:
                skipped.append({**entry(icons[n], exc.why), "digest": icons[n].digest, "stage": "capture"})
                log.warning("iconsearch: %s", warning(skipped[-1]))
            icons = [icon for n, icon in enumerate(icons) if n not in set(exc.indexes)]


STATE = "state"  # the sub-folder of a model's files that a later build re-fits from (never shipped)
FEATURES = "features.npy"  # in STATE: the trunk's features of the model's samples
MAX_GENERATIONS = 8  # re-fits in a row on one trained trunk, at most; then a build trains in full again


def build_model(icons: list[Icon], hp: HParams, out_dir: Path, samples, skipped: list[dict] = (),
                start: Path | None = None, scratch: Path | None = None, reused: np.ndarray | None = None) -> dict:
    """Train on ``samples`` (x, y) and export into ``out_dir``; returns the manifest (file names,
    sizes, metrics, the icons ``skipped`` before) also written as build.json. ``start``: the
    ``STATE`` folder of an earlier model of these icons, give or take a few, to re-fit
    (``train.Start``); the new model's own goes into ``out_dir/STATE``. ``scratch``: a folder for
    training's disk-backed arrays (``train.features``). ``reused``: the rows of ``start``'s own
    samples that are the first of these (the store's ``_samples_beside``): their features are
    taken from ``start``, not computed again."""
    from .train import train

    backbone = load_backbone(folder(hp.backbone)) if hp.backbone != "none" else None
    x, labels = samples
    groups = class_groups(icons)
    icon_class = np.empty(len(icons), np.int32)
    for c, members in enumerate(groups):
        icon_class[members] = c
    drawn, sketch = sketch_of(labels)
    # A sketch is matched by name (it shows outlines, whichever variant was drawn): its label is
    # its family, for the sketch head; screenshots' labels are classes, for the classifier.
    names = families(icons, groups, icon_class)
    name_of = np.empty(len(groups), np.int32)
    for n, members in enumerate(names):
        name_of[members] = n
    y = np.where(sketch, -1, icon_class[drawn]).astype(np.int32)
    begun, generation = read_state(start, icons, groups, names, reused) if start and backbone else (None, -1)
    result = train(x, y, len(groups), hp, backbone, np.where(sketch, name_of[icon_class[drawn]], -1), len(names),
                   start=begun, scratch=scratch)
    write_state(out_dir / STATE, result.state, icons, groups, names, generation + 1, result.features)
    ink = ("ink", [None, hp.image_size, hp.image_size, 1])
    if result.sketch_model is None:
        files, sketch_files = export_tfjs(result.model, out_dir, ink, ["probabilities"]), {}
    else:
        files = export_tfjs(result.model, out_dir, ink, ["probabilities", "embedding"])
        sketch_files = export_tfjs(result.sketch_model, out_dir, ("embedding", list(result.sketch_model.input_shape)), ["sketch"], "sketch-")
    similar = neighbours(result.prototypes)
    index_name, similar_name, *svg_files = widget_files(icons, groups, hp, out_dir, similar, names,
                                                        sketch_files.get("model"))
    name = [" = ".join(icons[i].id for i in g) for g in groups]
    confused = [{"true": name[t], "predicted": name[p], "count": c} for t, p, c in result.confusions]
    (out_dir / "confusions.json").write_text(json.dumps(confused, indent=1))
    if confused:
        log.info("the %d most confused icon pairs in validation (true -> predicted: count):\n%s", len(confused),
                 "\n".join(f"  {c['true']} -> {c['predicted']}: {c['count']}" for c in confused))
    manifest = {
        "model": files["model"], "weights": files["weights"], "index": index_name, "svgs": svg_files,
        "similar": similar_name, "sketch_model": sketch_files.get("model"), "sketch_weights": sketch_files.get("weights"),
        "model_bytes": files["bytes"], "sketch_model_bytes": sketch_files.get("bytes", 0),
        "icons": len(icons), "samples": result.samples,
        "epochs": result.epochs, "val_accuracy": result.val_accuracy, "val_top5": result.val_top5,
        "val_sketch_accuracy": _number(result.sketch_accuracy), "val_sketch_top5": _number(result.sketch_top5),
        "train_seconds": round(result.seconds, 1), "image_size": hp.image_size, "refit": begun is not None,
        "backbone": backbone.digest if backbone else "none", "skipped": list(skipped),
    }
    (out_dir / "build.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def write_state(folder: Path, state: dict, icons: list[Icon], groups: list[list[int]], names: list[list[int]],
                generation: int, features: np.ndarray | None = None) -> None:
    """What a later build needs to re-fit this model: its weights (state.npy, ``arrays``), what
    its outputs stand for (state.json: icons by id and content, classes, names) and, when
    training computed them, its trunk's features of its samples (features.npy, in their order:
    a re-fit computes only its new samples'). The folder is written whole into the store's
    temporary entry, which is renamed into place only when complete."""
    folder.mkdir()
    layers = [[layer, len(ws)] for layer, ws in state["head"].items()]
    write_arrays(folder / "state.npy", [*state["trunk"], *(w for ws in state["head"].values() for w in ws)])
    if features is not None:
        write_arrays(folder / FEATURES, [features])
    (folder / "state.json").write_text(json.dumps({
        "icons": [[i.id, i.digest] for i in icons], "classes": groups,
        "names": _name_keys(icons, groups, names), "generation": generation,
        "trunk_arrays": len(state["trunk"]), "head_layers": layers,
        "features": None if features is None else len(features)}))


def state_record(folder: Path) -> dict:
    """A ``write_state`` folder's record (state.json): its icons as ``[id, digest]`` pairs, its
    classes and names, its generation, how its arrays split."""
    return json.loads((folder / "state.json").read_text())


def read_state(folder: Path, icons: list[Icon], groups: list[list[int]], names: list[list[int]],
               reused: np.ndarray | None = None):
    """``(train.Start, generation)`` from a ``write_state`` folder, its outputs matched to these
    classes and names: a class by any of its icons (same id, same drawing) that the old one had;
    with ``reused`` (rows of its samples), its features of those rows, when it kept them."""
    from .train import Start

    meta = state_record(folder)
    old_class = {}
    for c, members in enumerate(meta["classes"]):
        for i in members:
            old_class[tuple(meta["icons"][i])] = c
    class_map = np.array([next((old_class[k] for i in g if (k := (icons[i].id, icons[i].digest)) in old_class), -1)
                          for g in groups], np.int64)
    old_name = {name: n for n, name in enumerate(meta["names"])}
    name_map = np.array([old_name.get(key, -1) for key in _name_keys(icons, groups, names)], np.int64)
    arrays = read_arrays(folder / "state.npy", meta["trunk_arrays"] + sum(n for _, n in meta["head_layers"]))
    trunk, at, head = arrays[:meta["trunk_arrays"]], meta["trunk_arrays"], {}
    for layer, n in meta["head_layers"]:
        head[layer], at = arrays[at:at + n], at + n
    log.info("iconsearch: re-fitting the last model (%d of %d classes kept, %d new)", int((class_map >= 0).sum()),
             len(meta["classes"]), int((class_map < 0).sum()))
    known = _features(folder, meta, reused) if reused is not None else None
    return Start(trunk, head, class_map, name_map, known, reused if known is not None else None), meta["generation"]


def _features(folder: Path, meta: dict, rows: np.ndarray) -> np.ndarray | None:
    """A state's features (read from disk as used), or None where it has none that fit ``rows``."""
    count = meta.get("features")
    if count is None or (len(rows) and not 0 <= rows.min() <= rows.max() < count):
        return None
    try:
        (features,) = read_arrays(folder / FEATURES, 1, mmap=True)
    except (OSError, ValueError) as exc:
        log.warning("iconsearch: the last model's features are unreadable (%s); computing them all", exc)
        return None
    return features if features.ndim == 2 and len(features) == count else None


def _name_keys(icons: list[Icon], groups: list[list[int]], names: list[list[int]]) -> list[str]:
    """Each sketch name's family (``icons.family``), what matches it across models."""
    return [family(icons[groups[n[0]][0]].id) for n in names]


def _number(v: float) -> float | None:
    return None if np.isnan(v) else v


def families(icons: list[Icon], groups: list[list[int]], icon_class: np.ndarray) -> list[list[int]]:
    """The classes by name (``icons.family``: antd's outlined/home, filled/home and twotone/home
    are one), in order of first appearance, each family's outlined class first (``icons.canonical``):
    the sketch head's outputs, and the variants the widget weighs against each other."""
    canon = canonical(icons)
    by_name: dict[str, list[int]] = {}
    for c, members in enumerate(groups):
        by_name.setdefault(family(icons[members[0]].id), []).append(c)
    return [sorted(cs, key=lambda c: c != icon_class[canon[groups[c][0]]]) for cs in by_name.values()]


SIMILAR_K = 12  # neighbours kept per class: the widget's "similar" list and the look-alikes report


def neighbours(prototypes: np.ndarray, k: int = SIMILAR_K, block: int = 1024) -> list[list[int]]:
    """Per class, its ``k`` most similar classes by the cosine of their prototypes, best first,
    as ``[class, score in thousandths, class, score, ...]``; a block of rows at a time (14,000
    classes: a full similarity matrix would be 800 MB)."""
    n = len(prototypes)
    k = min(k, n - 1)
    out = []
    for start in range(0, n, block):
        sim = prototypes[start:start + block] @ prototypes.T
        rows = np.arange(len(sim))
        sim[rows, start + rows] = -np.inf  # not itself
        if k <= 0:
            out += [[] for _ in rows]
            continue
        top = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        top = np.take_along_axis(top, np.argsort(-np.take_along_axis(sim, top, 1), axis=1, kind="stable"), 1)
        scores = np.round(1000 * np.take_along_axis(sim, top, 1)).astype(int)
        out += [[v for pair in zip(t.tolist(), s.tolist()) for v in pair] for t, s in zip(top, scores)]
    return out


def class_groups(icons: list[Icon]) -> list[list[int]]:
    """The model's classes: icons that draw the same pixels share one (and are reported)."""
    groups = twin_groups(icons)
    for group in groups:
        if len(group) > 1:
            log.info("iconsearch: %s draw exactly the same icon; a search finds them together",
                     " and ".join(icons[i].id for i in group))
    return groups


SVG_CHUNK = 128  # drawings (and snippets) per file: the grid fetches them as it shows their icons, 120 at a time


def widget_files(icons: list[Icon], groups: list[list[int]], hp: HParams, out_dir: Path,
                 similar: list[list[int]] | None = None, names: list[list[int]] | None = None,
                 sketch_model: str | None = None) -> list[str]:
    """What the widget needs besides the model, written into ``out_dir``: the index
    (``index-<hash>.json``, format 3: the icons' ids, which icons each output of the model stands
    for, in output order, the classes of each name in the sketch head's output order, all written
    small (``compact.py``: the page loads them whole); the classes whose drawing names a paint
    (``icons.painted``: the widget weighs only their names' variants); the input size, the
    drawings' files, the similar classes' file and the sketch head's file), each class's neighbours
    (``similar-<hash>.json``, loaded when a reader asks for similar icons) and the drawings,
    ``SVG_CHUNK`` icons to a ``svgs-<hash>.json`` (a list of SVG strings): a page loads no drawing
    it does not show. Returns the file names: the index, the neighbours, the drawings."""
    chunks = []
    for start in range(0, len(icons), SVG_CHUNK):
        data = json.dumps([i.svg for i in icons[start:start + SVG_CHUNK]], separators=(",", ":")).encode()
        chunks.append((f"svgs-{content_hash(data)}.json", data))
    near = json.dumps({"k": SIMILAR_K, "classes": similar or [[] for _ in groups]}, separators=(",", ":")).encode()
    near_name = f"similar-{content_hash(near)}.json"
    index = json.dumps({
        "format": 3, "generator": f"mkdocs-iconsearch {__version__}",
        "image_size": hp.image_size, "preprocess_version": PREPROCESS_VERSION,
        "ids": compact.front_code([i.id for i in icons]), "twins": compact.twins(groups),
        "kin": compact.kin(names) if names is not None else [],
        "painted": [c for c, members in enumerate(groups) if painted(icons[members[0]].svg)],
        "svgs": {"chunk": SVG_CHUNK, "files": [name for name, _ in chunks]}, "similar": near_name,
        **({"sketch_model": sketch_model} if sketch_model else {}),
    }, separators=(",", ":"), ensure_ascii=False).encode()
    files = [(f"index-{content_hash(index)}.json", index), (near_name, near), *chunks]
    for name, data in files:
        (out_dir / name).write_bytes(data)
    return [name for name, _ in files]


def index_ids(index: dict) -> list[str]:
    """The ids of a written index's icons, in the model's order."""
    return compact.front_decode(index["ids"]) if "ids" in index else [i["id"] for i in index["icons"]]


def read_index(folder: Path, name: str | None = None) -> dict:
    """A written index (``name``, or the folder's only ``index-*.json``) with its lists in full:
    ``icons`` (``{"id", "svg"}`` each, the drawings read from their files), ``classes`` and
    ``families``: for the plugin's look-alikes, benchmarks, tests and tools."""
    path = folder / name if name else next(Path(folder).glob("index-*.json"))
    index = json.loads(path.read_text())
    if index.get("format", 1) >= 3:
        ids = index_ids(index)
        index["icons"] = [{"id": id_} for id_ in ids]
        index["classes"] = compact.classes_of(len(ids), index["twins"])
        index["families"] = compact.families_of(len(index["classes"]), index["kin"])
    svgs = [svg for file in index.get("svgs", {}).get("files", []) for svg in json.loads((folder / file).read_text())]
    for icon, svg in zip(index["icons"], svgs):
        icon["svg"] = svg
    return index
