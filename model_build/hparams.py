"""One record of every option that changes the model, with defaults (part of the cache key)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path

BACKBONES = ("builtin", "none")  # or a folder that `iconsearch-model pretrain --out` wrote
MIN_CELL_PX = 24


@dataclass(frozen=True)
class HParams:
    image_size: int = 32  # the model's input: S x S ink map
    samples_per_icon: int = 80
    sketches_per_icon: int = 10  # hand-drawn-looking samples too (search by sketch); 0: none
    # "builtin": train only a head on the pretrained backbone shipped in the package (fast);
    # "none": train the whole network from scratch on this icon set (slow, no pretraining);
    # else a folder holding another pretrained backbone (backbone.json and backbone.npz).
    backbone: str = "builtin"
    epochs: int | None = None  # None: 4 for a head on the backbone, 8 from scratch
    finetune_epochs: int = 8  # then the whole network (trunk included), with the backbone
    settle_epochs: int = 16  # then the head alone again, on the fine-tuned trunk (0: none)
    finetune_learning_rate: float = 2e-3
    batch_size: int = 128
    learning_rate: float = 3e-3
    label_smoothing: float = 0.1
    validation_fraction: float = 0.1
    grid: int = 16  # cells per side of one screenshot
    cell_px: int = 64  # a cell's side in CSS pixels on 1x sheets
    hidpi_cell_px: int = 48  # and on 2x sheets (30 % of them)
    seed: int = 0

    def __post_init__(self):
        """Each value in its range, or a ValueError that names the option (the plugin's
        ``training_<name>``; the same words serve ``iconsearch-model build --<name>``)."""
        if self.backbone not in BACKBONES and not (Path(self.backbone) / "backbone.json").is_file():
            raise ValueError(f"training_backbone must be builtin, none, or a folder holding a pretrained backbone "
                             f"(backbone.json and backbone.npz, as `iconsearch-model pretrain --out` writes), "
                             f"not {self.backbone!r}")
        least = {"image_size": 8, "samples_per_icon": 2, "sketches_per_icon": 0, "epochs": 1, "finetune_epochs": 0, "settle_epochs": 0, "batch_size": 1,
                 "grid": 1, "cell_px": MIN_CELL_PX, "hidpi_cell_px": MIN_CELL_PX}  # cells: a 12 px icon and margins
        for name, low in least.items():
            value = getattr(self, name)
            if value is not None and not value >= low:
                raise ValueError(f"training_{name} must be at least {low}, not {value!r}")
        for name, ok, bounds in (("learning_rate", lambda v: v > 0, "above 0"),
                                 ("finetune_learning_rate", lambda v: v > 0, "above 0"),
                                 ("label_smoothing", lambda v: 0 <= v < 1, "between 0 and 1"),
                                 ("validation_fraction", lambda v: 0 < v < 1, "between 0 and 1")):
            if not ok(getattr(self, name)):
                raise ValueError(f"training_{name} must be {bounds}, not {getattr(self, name)!r}")

    @property
    def train_epochs(self) -> int:
        if self.epochs is not None:
            return self.epochs
        return 4 if self.backbone != "none" else 8

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "HParams":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known and v is not None})
