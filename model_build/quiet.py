"""TensorFlow's own lines kept out of the user's terminal.

TensorFlow, absl, XLA and the CUDA probes write from C++ straight to file descriptor 2, past
Python's logging and TF_CPP_MIN_LOG_LEVEL (``E0000 … Unable to register cuDNN factory``,
``W0000 … computation placer already registered``), and a reader takes "E" lines for errors.
Only their noisy moments are wrapped (importing TensorFlow, converting to TF.js), so our progress
lines, written between them, pass. At debug level (``mkdocs build --verbose``) nothing is hidden.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys


@contextlib.contextmanager
def native_output_hidden(log: logging.Logger):
    if log.isEnabledFor(logging.DEBUG):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
