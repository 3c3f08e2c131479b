"""What one icon may cost before it is skipped: an icon folder is untrusted input.

Real icon sets are far below every limit (Material for MkDocs' 14,342 icons and Ant Design's 831:
at most 53 KB, 11 elements, 5 levels deep, 13,000 path coordinates). Each limit is a plugin
option (``limit_<field>``) and a flag of ``iconsearch-model build`` (``--limit-<field>``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class Limits:
    bytes: int = 1_000_000  # the file's size
    elements: int = 5_000  # XML elements in the file
    depth: int = 64  # elements nested in one another
    coordinates: int = 50_000  # numbers in all the paths' `d` and `points`
    draw_seconds: float = 1.0  # drawing the icon once in Chromium (checked before the sample sheets)

    def __post_init__(self):
        for f in fields(self):
            if not getattr(self, f.name) > 0:
                raise ValueError(f"limit_{f.name} must be a positive number, not {getattr(self, f.name)!r}")

    @staticmethod
    def option(name: str) -> str:
        """How a user raises the limit: the plugin option's name."""
        return f"`limit_{name}`"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Limits":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known and v is not None})


DEFAULT_LIMITS = Limits()
