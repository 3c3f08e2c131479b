"""Native libraries' lines to file descriptor 2 stay out of the terminal, unless the log is at debug level."""

import logging
import os

from model_build.quiet import native_output_hidden

log = logging.getLogger("mkdocs.plugins.iconsearch")


def test_native_lines_are_hidden_ours_are_not(capfd, caplog):
    with caplog.at_level(logging.INFO, logger=log.name):
        with native_output_hidden(log):
            os.write(2, b"E0000 00:00 cuda_dnn.cc] Unable to register cuDNN factory\n")
        log.info("ours, after it")
    assert "cuDNN" not in capfd.readouterr().err
    assert [r.getMessage() for r in caplog.records] == ["ours, after it"]
    os.write(2, b"after the block, fd 2 is the terminal again\n")
    assert "terminal again" in capfd.readouterr().err


def test_verbose_hides_nothing(capfd, caplog):
    with caplog.at_level(logging.DEBUG, logger=log.name):
        with native_output_hidden(log):
            os.write(2, b"W0000 computation placer already registered\n")
    assert "computation placer" in capfd.readouterr().err
