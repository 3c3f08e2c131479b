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


def read_arrays(path: Path, count: int, mmap: bool = False) -> list[np.ndarray]:
    """The ``count`` arrays of a ``write_arrays`` file; ``ValueError`` when it holds more or fewer.
    ``mmap``: read-only views of the file (``np.memmap``), read from disk as they are used: a
    cache entry's samples stay out of the process's own memory. (The file may be replaced or
    deleted meanwhile: the views keep the old one.)"""
    if not mmap:
        with open(path, "rb") as fh:
            arrays = [np.lib.format.read_array(fh, allow_pickle=False) for _ in range(count)]
            if fh.read(1):
                raise ValueError("it holds more arrays than expected")
        return arrays
    arrays, size = [], Path(path).stat().st_size
    with open(path, "rb") as fh:
        for _ in range(count):
            header = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
            version = np.lib.format.read_magic(fh)
            if version not in header:
                raise ValueError(f"it has an array of .npy format {version}")
            shape, fortran, dtype = header[version](fh)
            if dtype.hasobject:
                raise ValueError("it holds objects")
            start = fh.tell()
            nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            if start + nbytes > size:
                raise ValueError("it is shorter than its arrays")
            arrays.append(np.memmap(path, dtype, "r", start, shape, "F" if fortran else "C") if nbytes
                          else np.empty(shape, dtype))
            fh.seek(start + nbytes)
        if fh.read(1):
            raise ValueError("it holds more arrays than expected")
    return arrays
