"""Where a month run's output goes while it runs: its log file, and the screen too with --verbose.

One function for every process that works for the run: `yuebao run` itself and the warm worker
processes its heavy steps run in (`yuebao.step_workers`). Each appends to the same file, line by
line, so their lines never overwrite or split each other.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _Tee(io.TextIOBase):
    """Writes to every stream it holds (the log file, and the screen with --verbose)."""

    def __init__(self, *streams: TextIO) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()

    def isatty(self) -> bool:
        return False


def _stream_handlers() -> list[logging.StreamHandler[Any]]:
    """Every logger's handlers that write to a stream (not to a file of their own)."""
    loggers = [logging.getLogger(), *(logger for logger in logging.root.manager.loggerDict.values()
                                      if isinstance(logger, logging.Logger))]
    return [handler for logger in loggers for handler in logger.handlers
            if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler)]


@contextlib.contextmanager
def output_to(path: Path, quiet: bool) -> Iterator[None]:
    """This process's logging and printed output appended to ``path`` (and the screen unless quiet).

    A library that configures logging inside the block (Airflow's import does) binds its handlers
    to the redirected output, which closes with the block: they are handed back to the screen
    then, so the next month's run of a backfill does not log into a closed file."""
    root = logging.getLogger()
    level = root.level
    screen_stream = sys.stdout
    with path.open("a", encoding="utf-8", buffering=1) as log_file:  # appended line by line
        sink: TextIO = log_file if quiet else _Tee(log_file, sys.__stdout__ or sys.stdout)
        handler = logging.StreamHandler(sink)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        screen = [existing for existing in root.handlers if isinstance(existing, logging.StreamHandler)
                  and getattr(existing, "stream", None) in (sys.stderr, sys.stdout)]
        for existing in screen:
            root.removeHandler(existing)
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                yield
        finally:
            root.removeHandler(handler)
            for stale in _stream_handlers():
                if stale.stream in (sink, log_file):
                    stale.setStream(screen_stream)
            for existing in screen:
                root.addHandler(existing)
            root.setLevel(level)
