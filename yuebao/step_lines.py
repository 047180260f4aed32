"""What `yuebao run` shows while a month loads: one line per step with its duration.

On a terminal, the running step shows its elapsed time (a tqdm line on stderr, ticking twice a
second) until it ends; in a pipe or a log only the finished lines appear. The full log is in the
month's build folder (``MonthRun.log_file``), on screen with ``--verbose``.
"""

from __future__ import annotations

import threading
from typing import Any, TextIO

from yuebao.inprocess import SKIPPED, SUCCESS, UPSTREAM_FAILED, TaskOutcome

NAME_WIDTH = 24


def step_line(outcome: TaskOutcome) -> str:
    """``  dbt_build ........... 6.1 s`` (or ``failed``/``not run``)."""
    name = f"{outcome.task_id} ".ljust(NAME_WIDTH, ".")
    if outcome.state == UPSTREAM_FAILED:
        return f"  {name} not run"
    if outcome.state == SKIPPED:
        return f"  {name} skipped"
    seconds = f"{outcome.seconds:5.1f} s"
    return f"  {name} {seconds}" if outcome.state == SUCCESS else f"  {name} {seconds}  failed"


class StepLines:
    """A `yuebao.runner.StepDisplay` writing step lines to ``out`` and the ticker to ``ticker``."""

    def __init__(self, out: TextIO, ticker: TextIO) -> None:
        self.out = out
        self.ticker = ticker
        self._bar: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def started(self, task_id: str) -> None:
        if not self.ticker.isatty():
            return
        from tqdm import tqdm

        self._bar = tqdm(desc=f"  {task_id}", bar_format="{desc} {elapsed}", file=self.ticker, leave=False)
        self._stop.clear()
        self._thread = threading.Thread(target=self._tick, daemon=True)
        self._thread.start()

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            self._bar.refresh()

    def ended(self, outcome: TaskOutcome) -> None:
        if self._bar is not None:
            self._stop.set()
            if self._thread is not None:
                self._thread.join()
            self._bar.close()
            self._bar = None
        print(step_line(outcome), file=self.out, flush=True)
