"""One record of every option that changes the model, with defaults (part of the cache key)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path

BACKBONES = ("builtin", "none")  # or a folder that `iconsearch-model pretrain --out` wrote
PRECISIONS = ("auto", "float32", "bfloat16")
MIN_CELL_PX = 24
# Automatic head epochs x classes. On the cosine backbone, example_site's real-world exact
# top-1 (831 icons): 85.7 % after 4 epochs, 87.2 % after 12, 87.4 % after 24.
HEAD_PASSES = 12_000
# Automatic fine-tuning: one epoch of the whole network for sets of up to FINETUNE_CLASSES
# classes, none above (its cost grows with the samples). example_site: 87.7 -> 89.7 % exact top-1
# (TwoTone 70.3 -> 76.0 %) for ~2 more minutes of a cold build.
FINETUNE_CLASSES = 2_000
# The head's epochs before fine-tuning, unless set: its cosine classifier starts at the class
# means, right before its first step, so the trunk can train under it at once. example_site: 12
# epochs there read 91.54 / 98.87 % real-world exact top-1 / top-5, one 91.56 / 98.94 % (training
# 368 -> 200 s), none 93.26 / 99.39 % as one did (training seed 1: 93.20 against 93.04 %), the
# class means then from a few screenshots each (``train.START_SHOTS``): 6.6 s less of 45.
WARMUP_EPOCHS = 0
# Automatic screenshots: 80 per icon up to 1,000 icons, then SAMPLE_BUDGET in all, at least
# MIN_SAMPLES per icon (a frozen backbone's head needs a class's look, not thousands of views).
SAMPLE_BUDGET, MAX_SAMPLES, MIN_SAMPLES = 80_000, 80, 24


@dataclass(frozen=True)
class HParams:
    image_size: int = 32  # the model's input: S x S ink map
    samples_per_icon: int | None = None  # labelled screenshots per icon; None: automatic (``shots``)
    sketches_per_icon: int = 10  # hand-drawn-looking samples too (search by sketch); 0: none
    # "builtin": train only a head on the pretrained backbone shipped in the package (fast);
    # "none": train the whole network from scratch on this icon set (slow, no pretraining);
    # else a folder holding another pretrained backbone (backbone.json and backbone.npz).
    backbone: str = "builtin"
    epochs: int | None = None  # the head's, or from scratch; None: automatic (``schedule``)
    finetune_epochs: int | None = None  # then the whole network (trunk included), with the backbone; None: automatic
    settle_epochs: int | None = None  # then the head alone again, on the fine-tuned trunk; None: automatic
    # Samples a step and the rate, of the head (on the backbone's features), then of fine-tuning
    # (and training from scratch: ``first_steps``). The head's batch 256 at 4.2e-3 read
    # example_site's real-world top-1 91.63 %, 1024 at twice the rate (sqrt(4)) 91.87 and
    # 91.54 % in two builds, its epochs ~1.5x as fast (a step of 4x the samples: 13 vs 5.8 ms).
    batch_size: int = 1024
    learning_rate: float = 8.4e-3
    finetune_batch_size: int = 256
    finetune_learning_rate: float = 2.8e-3
    label_smoothing: float = 0.1
    validation_fraction: float = 0.1
    grid: int = 16  # cells per side of one screenshot
    cell_px: int = 64  # a cell's side in CSS pixels on 1x sheets
    hidpi_cell_px: int = 48  # and on 2x sheets (30 % of them)
    seed: int = 0
    # The trunk's arithmetic in a site's training and features passes (its weights stay float32):
    # "bfloat16" runs them ~1.3-2x as fast on CPUs with bfloat16 instructions, and emulated, slower
    # than float32 on others; "auto": bfloat16 where the CPU has them (``train.trunk_dtype``).
    precision: str = "auto"

    def __post_init__(self):
        """Each value in its range, or a ValueError that names the option (the plugin's
        ``training_<name>``; the same words serve ``iconsearch-model build --<name>``)."""
        if self.precision not in PRECISIONS:
            raise ValueError(f"training_precision must be one of {', '.join(PRECISIONS)}, not {self.precision!r}")
        if self.backbone not in BACKBONES and not (Path(self.backbone) / "backbone.json").is_file():
            raise ValueError(f"training_backbone must be builtin, none, or a folder holding a pretrained backbone "
                             f"(backbone.json and backbone.npz, as `iconsearch-model pretrain --out` writes), "
                             f"not {self.backbone!r}")
        least = {"image_size": 8, "samples_per_icon": 2, "sketches_per_icon": 0, "epochs": 1, "finetune_epochs": 0, "settle_epochs": 0,
                 "batch_size": 1, "finetune_batch_size": 1, "grid": 1, "cell_px": MIN_CELL_PX, "hidpi_cell_px": MIN_CELL_PX}  # cells: a 12 px icon and margins
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

    def shots(self, icons: int) -> int:
        """Labelled screenshots per icon for a set of ``icons``."""
        if self.samples_per_icon is not None:
            return self.samples_per_icon
        return max(MIN_SAMPLES, min(MAX_SAMPLES, round(SAMPLE_BUDGET / max(1, icons))))

    def schedule(self, classes: int, refit: bool = False) -> tuple[int, int, int]:
        """Epochs ``(head or from scratch, fine-tuning, settle)`` for ``classes`` classes. On a
        backbone, automatically: the head alone, ``HEAD_PASSES / classes`` epochs (12 for up
        to 1,000 icons, 4 for 3,000, 1 from 12,000: an epoch's cost grows with samples x
        classes), a third of that to ``refit`` a head that was trained already (a re-fit never
        fine-tunes); one epoch of fine-tuning up to ``FINETUNE_CLASSES`` classes, and then the
        head's epochs come after it (settle), with ``WARMUP_EPOCHS`` before it. Set ``epochs``
        come before fine-tuning, and as many after it unless ``settle_epochs`` is set."""
        if self.backbone == "none":
            return (8 if self.epochs is None else self.epochs), 0, 0
        head = self.epochs if self.epochs is not None else \
            max(1, round(min(12, HEAD_PASSES / max(1, classes)) / (3 if refit else 1)))
        finetune = self.finetune_epochs if self.finetune_epochs is not None else int(classes <= FINETUNE_CLASSES)
        if not finetune or refit:
            return head, 0, 0
        settle = self.settle_epochs if self.settle_epochs is not None else head
        return (WARMUP_EPOCHS if self.epochs is None else head), finetune, settle

    def first_steps(self) -> tuple[int, float]:
        """``(batch, rate)`` of the first phase: the head's on a backbone; from scratch, the whole
        network steps like fine-tuning, ``finetune_batch_size`` samples at ``learning_rate``
        scaled by the square root of the batches' ratio (example_site from scratch, real-world
        exact top-1: 89.24 % at 256 and 4.2e-3, 86.19 % at the head's 1,024 and 8.4e-3, the
        epochs no faster: its convolutions fill the cores at 256 already)."""
        if self.backbone != "none":
            return self.batch_size, self.learning_rate
        return self.finetune_batch_size, self.learning_rate * (self.finetune_batch_size / self.batch_size) ** 0.5

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "HParams":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known and v is not None})
