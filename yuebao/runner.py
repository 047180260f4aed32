"""Running the yuebao_monthly DAG for one month from the command line, with ``dag.test()``.

This is the same DAG the scheduler runs, executed in this process on a local SQLite metadata
database under ``<home>/airflow`` (created on first use), so `yuebao run` and Airflow never diverge.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from yuebao import DAGS_DIR
from yuebao.cli_status import failure_file
from yuebao.month_run import MonthRun
from yuebao.settings import scoped_environ

EXIT_PUBLISHED = 0
EXIT_ERROR = 1
EXIT_BLOCKED = 3


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


def run_month(run: MonthRun, quiet: bool = True) -> RunOutcome:
    """Run the DAG for one month and map its end state to the contract's exit codes."""
    environment = airflow_environment(run.home)
    with scoped_environ(environment):
        return _run_month(run, Path(environment["AIRFLOW_HOME"]), quiet)


def _run_month(run: MonthRun, airflow_home: Path, quiet: bool) -> RunOutcome:
    ensure_metadata_db(airflow_home)
    failure = failure_file(run.home, run.month)
    failure.unlink(missing_ok=True)
    run.gate_file.unlink(missing_ok=True)

    import pendulum

    dag = load_dag()
    log_sink = io.StringIO()
    redirect = contextlib.redirect_stdout(log_sink) if quiet else contextlib.nullcontext()
    if quiet:
        logging.getLogger().setLevel(logging.WARNING)
    with redirect:
        dag_run = dag.test(
            logical_date=pendulum.now("UTC"),
            run_conf=run.as_dict(),
        )
    state = str(getattr(dag_run, "state", "failed"))
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
