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
from typing import TextIO

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


@contextlib.contextmanager
def output_to(path: Path, quiet: bool) -> Iterator[None]:
    """This process's logging and printed output appended to ``path`` (and the screen unless quiet)."""
    root = logging.getLogger()
    level = root.level
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
            for existing in screen:
                root.addHandler(existing)
            root.setLevel(level)
