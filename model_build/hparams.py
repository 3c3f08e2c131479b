"""One record of every option that changes the model, with defaults (part of the cache key)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class HParams:
    image_size: int = 32  # the model's input: S x S ink map
    samples_per_icon: int = 80
    epochs: int = 8
    batch_size: int = 128
    learning_rate: float = 3e-3
    label_smoothing: float = 0.1
    validation_fraction: float = 0.1
    grid: int = 16  # cells per side of one screenshot
    cell_px: int = 64
    seed: int = 0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "HParams":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known and v is not None})
