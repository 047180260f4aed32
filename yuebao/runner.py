"""Running the yuebao_monthly DAG for one month from the command line.

This is the same DAG the scheduler runs. By default its tasks run in this process in the DAG's
order (``yuebao.inprocess``: no metadata database, no execution API); with ``airflow=True``
(`yuebao run --airflow`) through ``dag.test()`` on a local SQLite metadata database under
``<home>/airflow`` (created on first use). Either way the run's full log goes to
``MonthRun.log_file`` (and to the screen as well when not ``quiet``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Protocol

from yuebao import DAGS_DIR
from yuebao.cli_status import failure_file
from yuebao.home import BUILD_MARKER
from yuebao.inprocess import InProcessDagRun, TaskOutcome
from yuebao.month_run import MonthRun
from yuebao.run_log import output_to
from yuebao.settings import Settings, scoped_environ

EXIT_PUBLISHED = 0
EXIT_ERROR = 1
EXIT_BLOCKED = 3

BUILD_TASK = "dbt_build"  # a backfill's month is handed to the next one after this task (`run_months`)


@dataclass(frozen=True)
class RunOutcome:
    exit_code: int
    message: str


def airflow_environment(home: Path) -> dict[str, str]:
    """Settings for a local, single-process Airflow; an operator's own AIRFLOW_HOME wins.

    Airflow reads them from the environment only; `run_month` sets them for its length. Tasks are
    not retried: `yuebao run` reports a failure at once (the DAG's retries are for the scheduler).
    """
    airflow_home = Path(os.environ.get("AIRFLOW_HOME") or home / "airflow")
    return {
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "YUEBAO_TASK_RETRIES": "0",
    }


def ensure_metadata_db(airflow_home: Path) -> None:
    """Create the SQLite metadata database once (`airflow db migrate`)."""
    marker = airflow_home / ".yuebao-db-ready"
    if marker.exists():
        return
    airflow_home.mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        env=os.environ.copy(), capture_output=True, text=True, check=False,
    )
    if completed.returncode != 0:
        tail = (completed.stderr or completed.stdout).strip().splitlines()[-1:]
        raise RuntimeError(f"airflow db migrate failed: {' '.join(tail)}")
    marker.touch()


def load_dag():  # -> airflow.sdk.DAG
    """The DAG object of dags/yuebao_monthly.py, imported as the scheduler would."""
    spec = importlib.util.spec_from_file_location("yuebao_monthly_dag", DAGS_DIR / "yuebao_monthly.py")
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot import {DAGS_DIR / 'yuebao_monthly.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.monthly_dag


class StepDisplay(Protocol):
    """Told when each task starts and ends (`yuebao run` shows one line per step)."""

    def started(self, task_id: str) -> None: ...

    def ended(self, outcome: TaskOutcome) -> None: ...


class _Silent:
    def started(self, task_id: str) -> None:
        pass

    def ended(self, outcome: TaskOutcome) -> None:
        pass


def run_month(run: MonthRun, quiet: bool = True, airflow: bool = False,
              display: StepDisplay | None = None, read_ahead: MonthRun | None = None) -> RunOutcome:
    """Run the DAG for one month and map its end state to the contract's exit codes.

    With release approval required (``Settings.approval_required``) the run goes through
    ``dag.test()`` whatever ``airflow`` says: only Airflow can wait for a reviewer's answer (the
    in-process runner would fail the approval task with `yuebao.inprocess.NeedsAirflow`).
    ``read_ahead`` (a backfill's next month) has its files read while dbt builds this month
    (`ingestion.read_ahead`; in-process runner only).
    """
    settings = Settings.from_environ()
    airflow = airflow or settings.approval_required
    with _month_started(run, quiet) as airflow_home:
        if airflow:
            state = _run_with_dag_test(run, airflow_home)
        else:
            state = _run_in_process(run, settings, quiet, display or _Silent(), read_ahead)
    return _outcome(run, state)


@contextlib.contextmanager
def _month_started(run: MonthRun, quiet: bool) -> Iterator[Path]:
    """For the block: the run's Airflow settings and log (`run_log`), an earlier run's failure line
    and gate result gone. Yields AIRFLOW_HOME."""
    environment = airflow_environment(run.home)
    with scoped_environ(environment), run_log(run, quiet):
        failure_file(run.home, run.month).unlink(missing_ok=True)
        run.gate_file.unlink(missing_ok=True)
        yield Path(environment["AIRFLOW_HOME"])


def _reading_ahead(following: MonthRun | None) -> Callable[[Callable[[], bool]], object] | None:
    """``following``'s files read until a ``stop()`` says the worker is done (`ingestion.read_ahead`)."""
    if following is None:
        return None
    from ingestion.read_ahead import read_month_ahead

    return partial(read_month_ahead, following.inbox, following.month, following.seeds_dir / "departments.csv")


def _run_in_process(run: MonthRun, settings: Settings, quiet: bool, display: StepDisplay,
                    read_ahead: MonthRun | None = None) -> str:
    """The DAG's tasks in this process, the dbt build in a warm worker started first (`yuebao.step_workers`)."""
    from yuebao.step_workers import serving

    with serving(run, settings, quiet, _reading_ahead(read_ahead)):  # the worker warms up while Airflow is imported
        import pendulum

        from yuebao.inprocess import run_dag

        return run_dag(load_dag(), run.as_dict(), pendulum.now("UTC"), on_start=display.started,
                       on_end=display.ended).state


def run_months(runs: Sequence[MonthRun], quiet: bool = True) -> Iterator[tuple[MonthRun, RunOutcome]]:
    """Run the DAG for each month in order; yields each month's outcome as it ends.

    A month's tasks after dbt (quality gate, reports, publication) run while the next month
    builds: the next month starts from this month's checked build (``MonthRun.hand_off`` and
    ``builds_on``), its dbt build runs in the warm worker, and this process checks and publishes
    the month before meanwhile (`yuebao.step_workers.serving`'s ``while_waiting``), then reads the
    month after's files. Each month still runs the DAG's tasks in the DAG's order, and a month's
    outcome is yielded before the next month publishes. The caller stops at the first month that
    is not published; the month built on it is dropped unpublished. With approval required or on
    PostgreSQL, months run one after the other (`run_month`).
    """
    settings = Settings.from_environ()
    following_runs = [*runs[1:], None]
    if settings.approval_required or any(run.target != "duckdb" for run in runs):
        for run, following in zip(runs, following_runs, strict=True):
            yield run, run_month(run, quiet, read_ahead=following)
        return
    checking: _Checking | None = None
    for run, following in zip(runs, following_runs, strict=True):
        building = _build_month(replace(run, hand_off=True, builds_on=checking.run.month if checking else None),
                                settings, quiet, checking, following)
        if checking is not None:
            yield checking.run, checking.finish()
        checking = building
        if not building.dag_run.result.succeeded:  # it failed before its checks: they are skipped
            break
    if checking is not None:
        yield checking.run, checking.finish()


@dataclass
class _Checking:
    """A month whose tasks after dbt are still to run."""

    run: MonthRun
    dag_run: InProcessDagRun
    quiet: bool
    outcome: RunOutcome | None = None

    def finish(self) -> RunOutcome:
        """The month's remaining tasks, logged to its log (once; a later call returns the outcome)."""
        if self.outcome is None:
            try:
                with scoped_environ(airflow_environment(self.run.home)), output_to(log_of(self.run), self.quiet):
                    state = self.dag_run.run_through().state
                self.outcome = _outcome(self.run, state)
            except Exception as error:  # never lost in the wait it may run in (`step_workers.in_worker`)
                self.outcome = RunOutcome(EXIT_ERROR, f"{self.run.month}: {type(error).__name__}: {error}")
        return self.outcome


def _build_month(run: MonthRun, settings: Settings, quiet: bool, checking: _Checking | None,
                 following: MonthRun | None) -> _Checking:
    """``run``'s tasks through dbt; meanwhile ``checking`` is finished, then ``following`` read ahead."""
    from yuebao.step_workers import serving

    read_ahead = _reading_ahead(following)

    def while_building(stop: Callable[[], bool]) -> None:
        if checking is not None:
            checking.finish()
        if read_ahead is not None:
            read_ahead(stop)

    with _month_started(run, quiet), serving(run, settings, quiet, while_building):
        import pendulum

        dag_run = InProcessDagRun(load_dag(), run.as_dict(), pendulum.now("UTC"))
        dag_run.run_through(BUILD_TASK)
    return _Checking(run, dag_run, quiet)


def _run_with_dag_test(run: MonthRun, airflow_home: Path) -> str:
    import pendulum

    ensure_metadata_db(airflow_home)
    dag_run = load_dag().test(logical_date=pendulum.now("UTC"), run_conf=run.as_dict())
    return str(getattr(dag_run, "state", "failed"))


@contextlib.contextmanager
def run_log(run: MonthRun, quiet: bool) -> Iterator[Path]:
    """Send the run's logging and printed output to ``run.log_file`` (and the screen unless quiet).

    Written to ``run.log_staging_file`` while prepare empties the build folder, moved in at the end
    if prepare made the folder (`log_of` says where it is). The warm workers of the run's heavy
    steps append to the same file (`yuebao.step_workers`).
    """
    staging = run.log_staging_file
    staging.parent.mkdir(parents=True, exist_ok=True)
    staging.write_text("", encoding="utf-8")
    with output_to(staging, quiet):
        yield run.log_file
    if (run.build_dir / BUILD_MARKER).is_file():  # never into a folder this run did not make
        shutil.move(staging, run.log_file)


def log_of(run: MonthRun) -> Path:
    """Where the run's log ended: the build folder, or beside it when the run stopped before it."""
    return run.log_file if run.log_file.exists() else run.log_staging_file


def _outcome(run: MonthRun, state: str) -> RunOutcome:
    failure = failure_file(run.home, run.month)
    if state.endswith("success"):
        if not run.published_file.exists():  # publish skipped: the release was rejected
            return RunOutcome(EXIT_ERROR, f"{run.month} was not published: the release approval was rejected")
        return RunOutcome(EXIT_PUBLISHED, f"published {run.month}: {run.published_db}")
    if run.gate_file.exists():
        from expectations.gate import GateResult

        gate = GateResult.read(run.gate_file)
        if gate.blocked:
            return RunOutcome(EXIT_BLOCKED, gate.reason())
    reason = failure.read_text(encoding="utf-8").strip() if failure.exists() else f"DAG run ended {state}"
    return RunOutcome(EXIT_ERROR, reason)
