"""A run's output goes to its own log, month after month in one process (a backfill)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from yuebao.run_log import output_to


@pytest.fixture
def library_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("yuebao_test_library")
    yield logger
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    for handler in list(logging.getLogger().handlers):
        if getattr(handler, "yuebao_test", False):
            logging.getLogger().removeHandler(handler)


def _configure_like_airflow(logger: logging.Logger) -> None:
    """What a library's dictConfig does at import: handlers on the stdout of the moment."""
    for target in (logging.getLogger(), logger):
        handler = logging.StreamHandler(sys.stdout)
        handler.yuebao_test = True  # type: ignore[attr-defined]
        target.addHandler(handler)


def test_handlers_made_inside_a_run_do_not_write_to_its_closed_log(
        tmp_path: Path, library_logger: logging.Logger, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / "2015-01.log", tmp_path / "2015-02.log"
    with output_to(first, quiet=True):
        _configure_like_airflow(library_logger)  # imported during the first month
        library_logger.warning("first month")
    with output_to(second, quiet=True):
        logging.getLogger("yuebao.steps").warning("second month, root")
        library_logger.warning("second month, library")
    library_logger.warning("after the runs")

    captured = capsys.readouterr()
    assert "Logging error" not in captured.err + captured.out
    assert "first month" in first.read_text(encoding="utf-8")
    second_log = second.read_text(encoding="utf-8")
    assert "Logging error" not in second_log
    assert "second month, root" in second_log and "second month, library" in second_log
    assert "after the runs" in captured.out  # the library's handler is back on the screen
