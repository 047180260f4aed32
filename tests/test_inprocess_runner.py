"""`yuebao run` calls the DAG's own tasks in this process: same tasks, same order, same params as
Airflow's ``dag.test()``, the teardown, the failure line and the exit codes kept.

The steps are replaced by recorders (no month is loaded): what is compared is what the DAG hands
each step, through either path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from expectations.gate import Failure, GateResult
from tests.conftest import ROOT, SAMPLE_INBOX
from yuebao import steps
from yuebao.month_run import MonthRun
from yuebao.runner import EXIT_BLOCKED, EXIT_ERROR, EXIT_PUBLISHED, load_dag, run_month

# The steps each task of the DAG calls (a task without steps, e.g. the approval wait, calls none).
STEPS_OF_TASK = {"prepare": ["prepare"], "ingest": ["ingest"], "dbt_build": ["transform"],
                 "validate": ["validate"], "render_draft": ["render_draft"],
                 "publish": ["record_release_approval", "publish"], "deliver_reports": ["deliver_month_reports"]}
STEPS = ["prepare", "ingest", "transform", "validate", "render_draft", "record_release_approval", "publish"]


def steps_of(task_ids: list[str]) -> list[str]:
    return [name for task_id in task_ids for name in STEPS_OF_TASK.get(task_id, [])
            if name == "deliver_month_reports" or hasattr(steps, name)]


class Recorder:
    """Stands in for the steps; remembers which ran, in which order, for which MonthRun."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, block_gate: bool = False) -> None:
        self.calls: list[tuple[str, MonthRun]] = []
        for name in STEPS:
            if hasattr(steps, name):
                monkeypatch.setattr(steps, name, self._step(name, block_gate and name == "validate"))
        monkeypatch.setattr("yuebao.delivery.deliver_month_reports", self._step("deliver_month_reports", False))

    def _step(self, name: str, blocks: bool):
        def step(run: MonthRun, *settings_and_more: object) -> dict[str, str]:
            self.calls.append((name, run))
            if name == "prepare":
                from yuebao.home import fresh_build_folder

                fresh_build_folder(run.build_dir)
            if name == "publish":
                run.published_file.write_text("{}", encoding="utf-8")
            if blocks:
                blocking = Failure("observations", "expect_x", "value", "blocking", "test", 1)
                GateResult(run.month, 1, [blocking]).write(run.gate_file)
                raise steps.GateBlocked("1 blocking failure(s): test")
            return {}
        return step

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


def run_log_lines(tmp_path: Path) -> list[str]:
    return month_run(tmp_path).log_file.read_text(encoding="utf-8").splitlines()


def month_run(tmp_path: Path) -> MonthRun:
    (tmp_path / "inbox" / "2024-10").mkdir(parents=True, exist_ok=True)
    return MonthRun("2024-10", tmp_path / "inbox", tmp_path / "home", documents=False)


def dag_order() -> list[str]:
    from yuebao.inprocess import plan

    return [task.task_id for task in plan(load_dag())]


def test_the_cli_runs_every_task_of_the_dag_in_its_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder(monkeypatch)
    run = month_run(tmp_path)
    seen: list[str] = []

    class Display:
        def started(self, task_id: str) -> None:
            seen.append(task_id)

        def ended(self, outcome: object) -> None:
            pass

    outcome = run_month(run, display=Display())
    assert outcome.exit_code == EXIT_PUBLISHED, outcome.message
    dag = load_dag()
    assert seen == dag_order() and set(seen) == set(dag.task_ids)  # nothing left out, nothing added
    assert recorder.names == steps_of(seen)
    assert {received for _, received in recorder.calls} == {run}  # every step got the CLI's params
    assert run.log_file.exists()


def test_the_gate_blocks_publication_but_departments_still_get_their_reports(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder(monkeypatch, block_gate=True)
    outcome = run_month(month_run(tmp_path))
    assert outcome.exit_code == EXIT_BLOCKED
    assert outcome.message.startswith("quality gate blocked publication")
    assert "publish" not in recorder.names
    assert recorder.names[-1] == "deliver_month_reports"  # the teardown ran


def test_a_failing_task_gives_its_one_line_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder(monkeypatch)

    def broken(run: MonthRun, settings: object) -> None:
        recorder.calls.append(("ingest", run))
        raise ValueError("inbox\nunreadable")

    monkeypatch.setattr(steps, "ingest", broken)
    outcome = run_month(month_run(tmp_path))
    assert outcome.exit_code == EXIT_ERROR
    assert outcome.message == "ingest: ValueError: inbox unreadable"
    assert recorder.names == ["prepare", "ingest", "deliver_month_reports"]  # tried once: no retries
    assert [line for line in run_log_lines(tmp_path) if "ValueError" in line]  # the traceback is in the log


RECORD_BOTH_PATHS = """
import json, sys
from pathlib import Path
import pytest
from tests.test_inprocess_runner import Recorder, month_run
from yuebao.runner import run_month

with pytest.MonkeyPatch.context() as monkeypatch:
    recorder = Recorder(monkeypatch)
    outcome = run_month(month_run(Path(sys.argv[1])), airflow=sys.argv[2] == "airflow")
print(json.dumps({"exit": outcome.exit_code, "message": outcome.message,
                  "calls": [[name, run.as_dict()] for name, run in recorder.calls]}))
"""


def record(path: str, tmp_path: Path, airflow_home: Path) -> dict:
    """One month through ``path`` in a fresh process (Airflow's settings are per process)."""
    (tmp_path / path).mkdir()
    env = os.environ | {"AIRFLOW_HOME": str(airflow_home)}
    completed = subprocess.run([sys.executable, "-c", RECORD_BOTH_PATHS, str(tmp_path / path), path], cwd=ROOT,
                               env=env, capture_output=True, text=True, timeout=600, check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_dag_test_runs_the_same_tasks_in_the_same_order_with_the_same_params(
        tmp_path: Path, airflow_home: Path) -> None:
    """The real ``dag.test()`` path (`yuebao run --airflow`) against the in-process one."""
    in_process = record("in_process", tmp_path, airflow_home)
    through_airflow = record("airflow", tmp_path, airflow_home)
    assert through_airflow["exit"] == in_process["exit"] == EXIT_PUBLISHED, through_airflow["message"]
    steps_seen = [[name, {**run, "inbox": "…", "home": "…"}] for name, run in through_airflow["calls"]]
    assert steps_seen == [[name, {**run, "inbox": "…", "home": "…"}] for name, run in in_process["calls"]]
    assert [name for name, _ in in_process["calls"]] == steps_of(dag_order())


def test_an_operator_that_waits_for_a_person_fails_clearly_in_process() -> None:
    import pendulum
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.providers.standard.operators.hitl import ApprovalOperator
    from airflow.sdk import DAG

    from yuebao.inprocess import FAILED, SUCCESS, UPSTREAM_FAILED, run_dag

    with DAG("approval_in_process", schedule=None) as dag:
        EmptyOperator(task_id="start") >> ApprovalOperator(task_id="approve", subject="ok?") \
            >> EmptyOperator(task_id="after")
    result = run_dag(dag, {}, pendulum.now("UTC"))
    states = {outcome.task_id: outcome.state for outcome in result.outcomes}
    assert states == {"start": SUCCESS, "approve": FAILED, "after": UPSTREAM_FAILED}
    error = next(outcome.error for outcome in result.outcomes if outcome.task_id == "approve")
    assert "--airflow" in str(error) and "approve" in str(error)


def test_a_month_that_does_not_match_the_dag_param_is_refused() -> None:
    import pendulum
    from airflow.sdk.exceptions import ParamValidationError

    from yuebao.inprocess import run_dag

    with pytest.raises(ParamValidationError):
        run_dag(load_dag(), {"month": "2024-13"}, pendulum.now("UTC"))


def test_a_skipped_task_skips_what_follows_and_the_run_still_succeeds() -> None:
    import pendulum
    from airflow.sdk import DAG, task
    from airflow.sdk.exceptions import AirflowSkipException

    from yuebao.inprocess import SKIPPED, SUCCESS, run_dag

    with DAG("skip_in_process", schedule=None) as dag:
        @task
        def rejected() -> None:
            raise AirflowSkipException("the release was rejected")

        @task
        def publish() -> None:
            raise AssertionError("never runs")

        @task
        def tell() -> str:
            return "told"

        rejected() >> publish() >> tell().as_teardown()
    result = run_dag(dag, {}, pendulum.now("UTC"))
    assert [(outcome.task_id, outcome.state) for outcome in result.outcomes] == [
        ("rejected", SKIPPED), ("publish", SKIPPED), ("tell", SUCCESS)]
    assert result.succeeded


def test_a_run_goes_up_to_a_task_and_later_on_with_its_upstream_values() -> None:
    """A backfill runs a month through dbt_build, and the rest while the next month builds."""
    import pendulum
    from airflow.sdk import DAG, task

    from yuebao.inprocess import SUCCESS, InProcessDagRun
    from yuebao.runner import BUILD_TASK

    with DAG("split_in_process", schedule=None) as dag:
        @task
        def build() -> int:
            return 41

        @task
        def check(value: int) -> int:
            return value + 1

        check(build())
    run = InProcessDagRun(dag, {}, pendulum.now("UTC"))
    assert [outcome.task_id for outcome in run.run_through("build").outcomes] == ["build"]
    assert not run.done
    with pytest.raises(ValueError, match="build is not a task still to run"):
        run.run_through("build")
    assert [(outcome.task_id, outcome.state) for outcome in run.run_through().outcomes] == [
        ("build", SUCCESS), ("check", SUCCESS)]
    assert run.done and run._xcoms["check"] == 42
    assert BUILD_TASK in {monthly.task_id for monthly in load_dag().tasks}  # where a backfill splits a month


def test_a_warm_process_runs_a_month_in_a_forked_child(tmp_path: Path) -> None:
    """The portal's way: a forkserver with the frameworks imported forks one child per month."""
    from yuebao.warm import WarmRunner

    run = month_run(tmp_path)  # one department's file: a small month that publishes
    shutil.copy(SAMPLE_INBOX / "2024-10" / "市住建局_2024年10月.csv", run.inbox / "2024-10")
    outcome = WarmRunner().run_month(run)
    assert outcome.exit_code == EXIT_PUBLISHED, outcome.message
    assert outcome.message == f"published 2024-10: {run.published_db}"
    assert run.log_file.exists()


def test_a_run_stopped_before_its_build_folder_leaves_the_log_beside_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The log never goes into a folder the run did not make: the next run may still empty it."""
    from yuebao.home import check_build_folders
    from yuebao.runner import log_of

    Recorder(monkeypatch)

    def refused(run: MonthRun, settings: object) -> None:
        raise RuntimeError("not ours")

    monkeypatch.setattr(steps, "prepare", refused)
    run = month_run(tmp_path)
    assert run_month(run).exit_code == EXIT_ERROR
    assert log_of(run) == run.log_staging_file and not run.log_file.exists()
    check_build_folders(run.build_dir)  # holds only the failure's reason: still ours to empty
