"""The pretrained backbone shipped in the package: the trunk's and the embedding's weights.

``backbone/backbone.npz`` holds the arrays, ``backbone/backbone.json`` the architecture, how it
was made (icon sets, sample count, validation accuracy) and the arrays' sha256, which is part
of every site's cache key: a new backbone retrains every site.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .network import Arch

BACKBONE_DIR = Path(__file__).resolve().parent / "backbone"


class BackboneError(FileNotFoundError):
    pass


@dataclass
class Backbone:
    arch: Arch
    trunk_weights: list[np.ndarray]
    embedding: list[np.ndarray]  # kernel, bias of the head's first dense layer
    digest: str
    meta: dict


def save(directory: Path, arch: Arch, trunk_weights: list, embedding: list, meta: dict) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    arrays = {f"trunk_{n:03d}": np.asarray(w, np.float32) for n, w in enumerate(trunk_weights)}
    arrays.update({f"embedding_{n}": np.asarray(w, np.float32) for n, w in enumerate(embedding)})
    npz = directory / "backbone.npz"
    tmp = npz.with_name(npz.name + ".tmp")
    with open(tmp, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    os.replace(tmp, npz)
    record = {"arch": arch.to_dict(), "sha256": hashlib.sha256(npz.read_bytes()).hexdigest(), **meta}
    (directory / "backbone.json").write_text(json.dumps(record, indent=1) + "\n")
    return npz


def folder(choice: str) -> Path | None:
    """Where the backbone of a ``training_backbone`` value lies: the shipped one, none, a folder."""
    return None if choice == "none" else BACKBONE_DIR if choice == "builtin" else Path(choice)


def load(directory: Path | None = None) -> Backbone:
    directory = directory or BACKBONE_DIR
    npz, record_file = directory / "backbone.npz", directory / "backbone.json"
    if not npz.exists() or not record_file.exists():
        raise BackboneError(
            f"the pretrained backbone is missing from {directory}: reinstall mkdocs-iconsearch, "
            "or set `training_backbone: none` to train from scratch (slower)")
    record = json.loads(record_file.read_text())
    data = npz.read_bytes()
    if hashlib.sha256(data).hexdigest() != record["sha256"]:
        raise BackboneError(f"the pretrained backbone {npz} is damaged (checksum mismatch): reinstall mkdocs-iconsearch, "
                            "or set `training_backbone: none` to train from scratch (slower)")
    with np.load(npz) as arrays:
        trunk = [arrays[k] for k in sorted(arrays.files) if k.startswith("trunk_")]
        embedding = [arrays[k] for k in sorted(arrays.files) if k.startswith("embedding_")]
    meta = {k: v for k, v in record.items() if k not in ("arch", "sha256")}
    return Backbone(Arch.from_dict(record["arch"]), trunk, embedding, record["sha256"][:16], meta)


def digest(directory: Path | None = None) -> str:
    """The backbone's identity for cache keys, without loading the arrays ("missing" if absent)."""
    record_file = (directory or BACKBONE_DIR) / "backbone.json"
    if not record_file.exists():
        return "missing"
    return json.loads(record_file.read_text())["sha256"][:16]
