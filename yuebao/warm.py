"""Month runs for a long-running process (the portal) that should not pay the frameworks' imports.

A run imports Airflow's SDK, dbt and Great Expectations (≈ 7 s of CPU, docs/benchmarks.md) and
changes process-wide state while it runs (stdout and logging into the run's log, dbt's adapter
connections, DuckDB's open files). `WarmRunner` keeps both out of the caller: a forkserver started
once with those modules imported forks one child per month run, which starts with everything
imported and exits when the month is done (its dbt worker, `yuebao.step_workers`, with it). The
child holds the home's lock like `yuebao run` (waiting for it rather than refusing: a rebuild
queues behind the work in progress).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from yuebao.month_run import MonthRun
from yuebao.runner import RunOutcome

PRELOAD = ("yuebao.runner", "yuebao.inprocess", "airflow.sdk", "dbt.cli.main", "great_expectations",
           "matplotlib.pyplot", "pandas", "duckdb")


def _run_in_child(run: dict[str, str | bool]) -> tuple[int, str]:
    from yuebao import step_workers
    from yuebao.home import home_lock
    from yuebao.runner import run_month

    month_run = MonthRun.from_dict(run)
    try:
        with home_lock(month_run.home, f"run {month_run.month}", wait=True):  # queue behind other work
            outcome = run_month(month_run)
    finally:
        step_workers.stop()  # the child ends with its month: its dbt worker ends in order first
    return outcome.exit_code, outcome.message


class WarmRunner:
    """`run_month` in a child forked from a server that imported ``preload`` once."""

    def __init__(self, preload: Sequence[str] = PRELOAD) -> None:
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(list(preload))

    def run_month(self, run: MonthRun) -> RunOutcome:
        # concurrent.futures, not multiprocessing.Pool: a Pool's children are daemons, which may not
        # start the month's dbt worker (yuebao.step_workers)
        with ProcessPoolExecutor(1, mp_context=self._context) as pool:
            exit_code, message = pool.submit(_run_in_child, run.as_dict()).result()
        return RunOutcome(exit_code, message)
