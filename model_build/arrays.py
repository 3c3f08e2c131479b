"""Numpy arrays back to back in one file (plain .npy records), written atomically.

Not numpy's zip (``np.savez``): on a full disk its writer left an unclosable file behind that
printed a second traceback at exit. Not ``ndarray.tofile`` either: its short write on a full
disk raises an OSError without an errno, and ENOSPC is what names the fix.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


class _Writer:
    """Only ``write``: numpy then writes through it, not with ``ndarray.tofile``."""

    def __init__(self, fh):
        self.write = fh.write


def write_arrays(path: Path, arrays) -> None:
    """``arrays`` into ``path`` through a temporary file beside it, renamed at the end: a reader
    finds the whole file or none. The temporary file is removed on any failure."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as fh:
            out = _Writer(fh)
            for array in arrays:
                np.lib.format.write_array(out, np.ascontiguousarray(array), allow_pickle=False)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_arrays(path: Path, count: int) -> list[np.ndarray]:
    """The ``count`` arrays of a ``write_arrays`` file; ``ValueError`` when it holds more or fewer."""
    with open(path, "rb") as fh:
        arrays = [np.lib.format.read_array(fh, allow_pickle=False) for _ in range(count)]
        if fh.read(1):
            raise ValueError("it holds more arrays than expected")
    return arrays
