"""Executing a DAG's own tasks in this process, in the DAG's order, without Airflow's task runner.

`yuebao run` and `yuebao backfill` load a month through ``dags/yuebao_monthly.py``. ``dag.test()``
runs it with Airflow's whole execution machinery (metadata database, execution API, a task
runner and XCom round trips per task): about 11 s of every month for six small tasks. Here the
same DAG object is walked in ``dag.task_group.topological_sort()`` order and each task's own code
is called with its upstream tasks' return values — the scheduler runs the very same tasks in
production, so the DAG stays the one definition of what a month run does. Semantics kept:

- a task runs when all its upstream tasks succeeded (``all_success``); after a failure it is
  ``upstream_failed``, after a skip (``AirflowSkipException``) skipped; a teardown runs once its
  upstream tasks are done, whatever their state, and does not decide the run's state;
- a failure is final (retries are the scheduler's business) and calls the task's
  ``on_failure_callback`` with the context Airflow would give it (``params``, ``task_instance``,
  ``exception``);
- params are the DAG's and the task's ``Param``s merged with the run's conf and validated, by
  Airflow's own ``process_params``;
- ``get_current_context()`` works inside a task (``params``, ``logical_date``, ``ti.xcom_pull``).

Operators that are not ``@task`` functions run their ``execute(context)``. One that needs the
Airflow API — a human-in-the-loop operator that must really wait for an answer, which reads
``task_instance.id`` first — fails with `NeedsAirflow` naming the task. Asset events (outlets)
are not emitted: nothing schedules on them in a CLI run. Mapped tasks and other trigger rules are
refused up front (`plan`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

SUCCESS = "success"
FAILED = "failed"
UPSTREAM_FAILED = "upstream_failed"
SKIPPED = "skipped"

ALL_SUCCESS = "all_success"
TEARDOWN_RULES = ("all_done", "all_done_setup_success")


class NeedsAirflow(RuntimeError):
    """The task needs Airflow's execution API (a person's answer, mapped tasks …)."""


@dataclass
class TaskOutcome:
    task_id: str
    state: str
    seconds: float = 0.0
    error: BaseException | None = None


@dataclass
class RunResult:
    outcomes: list[TaskOutcome] = field(default_factory=list)
    teardowns: frozenset[str] = frozenset()

    @property
    def succeeded(self) -> bool:
        """As Airflow decides a run's state: every task but the teardowns succeeded or was skipped."""
        return all(outcome.state in (SUCCESS, SKIPPED) for outcome in self.outcomes
                   if outcome.task_id not in self.teardowns)

    @property
    def state(self) -> str:
        return SUCCESS if self.succeeded else FAILED


class InProcessTaskInstance:
    """The little of a TaskInstance the tasks, templates and callbacks use: XCom of this run."""

    def __init__(self, task_id: str, xcoms: dict[str, Any]) -> None:
        self.task_id = task_id
        self.map_index = -1
        self.try_number = 1
        self._xcoms = xcoms

    def xcom_pull(self, task_ids: str | Iterable[str] | None = None, key: str = "return_value", **_: Any) -> Any:
        if key != "return_value":
            return None
        if isinstance(task_ids, str):
            return self._xcoms.get(task_ids)
        return [self._xcoms.get(task_id) for task_id in task_ids or ()]

    def xcom_push(self, key: str, value: Any) -> None:
        if key == "return_value":
            self._xcoms[self.task_id] = value

    @property
    def id(self) -> Any:  # the execution API's identity of a task instance: none in-process
        raise NeedsAirflow(f"{self.task_id} needs Airflow's execution API (it waits for a person's answer); "
                           "run with --airflow or let the scheduler run it")


def plan(dag: Any) -> list[Any]:
    """The DAG's tasks in the order they run; NeedsAirflow for what this runner cannot honour."""
    from airflow.sdk.definitions.taskgroup import TaskGroup

    def flatten(group: TaskGroup) -> Iterable[Any]:
        for node in group.topological_sort():
            yield from flatten(node) if isinstance(node, TaskGroup) else (node,)

    tasks = list(flatten(dag.task_group))
    for task in tasks:
        rule = str(getattr(task.trigger_rule, "value", task.trigger_rule))
        if getattr(task, "is_mapped", False):
            raise NeedsAirflow(f"{task.task_id} is a mapped task")
        if rule != ALL_SUCCESS and not (task.is_teardown and rule in TEARDOWN_RULES):
            raise NeedsAirflow(f"{task.task_id} has trigger rule {rule}")
    return tasks


def resolved(value: Any, context: Mapping[str, Any]) -> Any:
    """``value`` with every XComArg in it replaced by the upstream task's return value."""
    from airflow.sdk.definitions.xcom_arg import XComArg

    if isinstance(value, XComArg):
        return value.resolve(context)
    if isinstance(value, (list, tuple)):
        return type(value)(resolved(item, context) for item in value)
    if isinstance(value, dict):
        return {key: resolved(item, context) for key, item in value.items()}
    return value


def execute(task: Any, context: dict[str, Any]) -> Any:
    """Run one task's own code: a ``@task`` function with its resolved arguments, or ``execute``."""
    from airflow.sdk.bases.decorator import KeywordParameters
    from airflow.sdk.execution_time.context import set_current_context

    with set_current_context(context):  # type: ignore[arg-type]
        callable_ = getattr(task, "python_callable", None)
        if callable_ is None:
            task.render_template_fields(context)
            return task.execute(context)
        args = resolved(list(task.op_args), context)
        kwargs = resolved(dict(task.op_kwargs), context)
        return callable_(*args, **KeywordParameters.determine(callable_, args, {**context, **kwargs}).unpacking())


def _callbacks(task: Any) -> list[Callable[[dict[str, Any]], None]]:
    callbacks = task.on_failure_callback
    return [] if not callbacks else list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]


class InProcessDagRun:
    """One run of ``dag`` for ``conf`` (its params): its tasks in order, all at once or up to a task
    first and the rest later (a backfill checks a month while the next one builds)."""

    def __init__(self, dag: Any, conf: Mapping[str, Any], logical_date: Any,
                 on_start: Callable[[str], None] = lambda task_id: None,
                 on_end: Callable[[TaskOutcome], None] = lambda outcome: None) -> None:
        from airflow.sdk.definitions.param import process_params

        self.dag, self.logical_date = dag, logical_date
        self.on_start, self.on_end = on_start, on_end
        self.tasks = plan(dag)
        # Each task's params, validated now: a param the conf gets wrong stops the run before any task, as in Airflow.
        self._params = {task.task_id: process_params(dag, task, dict(conf), suppress_exception=False)
                        for task in self.tasks}
        self.result = RunResult(teardowns=frozenset(task.task_id for task in self.tasks if task.is_teardown))
        self._xcoms: dict[str, Any] = {}
        self._states: dict[str, str] = {}
        self._next = 0

    @property
    def done(self) -> bool:
        return self._next == len(self.tasks)

    def run_through(self, last: str | None = None) -> RunResult:
        """Run the tasks not run yet, up to and including ``last`` (None: all); never raises for a task."""
        if last is not None and last not in {task.task_id for task in self.tasks[self._next:]}:
            raise ValueError(f"{last} is not a task still to run in {self.dag.dag_id}")
        while not self.done:
            task = self.tasks[self._next]
            self._next += 1
            upstream = {self._states[task_id] for task_id in task.upstream_task_ids}
            if not task.is_teardown and upstream - {SUCCESS, SKIPPED}:
                outcome = TaskOutcome(task.task_id, UPSTREAM_FAILED)
            elif not task.is_teardown and SKIPPED in upstream:
                outcome = TaskOutcome(task.task_id, SKIPPED)
            else:
                outcome = _run_task(task, self.dag, self._params[task.task_id], self.logical_date, self._xcoms,
                                    self.on_start)
            self._states[task.task_id] = outcome.state
            self.result.outcomes.append(outcome)
            self.on_end(outcome)
            if task.task_id == last:
                break
        return self.result


def run_dag(dag: Any, conf: Mapping[str, Any], logical_date: Any,
            on_start: Callable[[str], None] = lambda task_id: None,
            on_end: Callable[[TaskOutcome], None] = lambda outcome: None) -> RunResult:
    """Run every task of ``dag`` once for ``conf`` (its params), in order; never raises for a task."""
    return InProcessDagRun(dag, conf, logical_date, on_start, on_end).run_through()


def _run_task(task: Any, dag: Any, params: dict[str, Any], logical_date: Any, xcoms: dict[str, Any],
              on_start: Callable[[str], None]) -> TaskOutcome:
    ti = InProcessTaskInstance(task.task_id, xcoms)
    context: dict[str, Any] = {"dag": dag, "task": task, "params": params, "logical_date": logical_date,
                               "ti": ti, "task_instance": ti, "run_id": f"yuebao_inprocess__{logical_date}"}
    on_start(task.task_id)
    began = time.perf_counter()
    from airflow.sdk.exceptions import AirflowSkipException

    try:
        xcoms[task.task_id] = execute(task, context)
    except AirflowSkipException as skip:  # e.g. a rejected approval: what follows is skipped, the run succeeds
        log.info("task %s skipped: %s", task.task_id, skip)
        return TaskOutcome(task.task_id, SKIPPED, time.perf_counter() - began)
    except Exception as error:  # a task's failure is its outcome, as in Airflow
        log.exception("task %s failed", task.task_id)  # the traceback goes to the run's log
        for callback in _callbacks(task):
            try:
                callback({**context, "exception": error})
            except Exception:  # as in Airflow: a failing callback is logged, the task stays failed
                log.exception("on_failure_callback of %s failed", task.task_id)
        return TaskOutcome(task.task_id, FAILED, time.perf_counter() - began, error)
    return TaskOutcome(task.task_id, SUCCESS, time.perf_counter() - began)
