"""Running the dbt project on a month's build database: one in-process ``dbt build``.

dbt receives the month and the profile's values as environment variables, set only for the
length of the call (``dbt_scope``) and restored after: an in-process backfill's next month, or
anything else in the process, never sees them. Environment variables rather than ``--vars``
because a changed ``--vars`` makes dbt re-parse the whole project (seconds every month), which
the build avoids by keeping everything dbt's partial parse is keyed on the same from month to
month (docs/design.md). Which ones and why:

- ``YUEBAO_REPORT_MONTH`` (``macros/build_report_months.sql``): the month the build loads; unset
  is an error in dbt, never a guess;
- ``YUEBAO_DUCKDB_PATH`` / ``YUEBAO_PG_SCHEMA`` (profiles.yml, from the run's target): where dbt
  builds; ``YUEBAO_DUCKDB_MEMORY_LIMIT`` (profiles.yml, from ``Settings``).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from yuebao import DBT_PROJECT_DIR
from yuebao.month_run import MonthRun
from yuebao.settings import Settings, scoped_environ
from yuebao.targets import target_for


class DbtBuildFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class DbtOutcome:
    models: int
    tests: int
    failures: list[str]


def dbt_environment(run: MonthRun, settings: Settings) -> dict[str, str]:
    """Variables the project's macros and profiles.yml read for this run (see the module's doc)."""
    return {"YUEBAO_REPORT_MONTH": f"{run.month}-01", "YUEBAO_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit,
            **target_for(run).profile_environment(run)}


def dbt_scope(run: MonthRun, settings: Settings) -> AbstractContextManager[None]:
    """The block in which dbt runs for ``run``: its environment, restored afterwards."""
    return scoped_environ(dbt_environment(run, settings))


def release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open for the process's lifetime.

    Later steps of an in-process run (`yuebao run`) open the same file read-only, which DuckDB
    refuses while another configuration holds it; the scheduler's per-task processes don't need it.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:
        return
    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def build(run: MonthRun, settings: Settings, project_dir: Path = DBT_PROJECT_DIR) -> DbtOutcome:
    """``dbt build`` (seeds, models, data tests) in this process; raises DbtBuildFailed on any error.

    Unit tests check the SQL, not the month's data: they run in `make test`
    (tests/test_dbt_unit_tests.py), not in every monthly load, where they cost about 2.5 s.
    """
    from dbt.cli.main import dbtRunner

    args = [
        "build",
        "--project-dir", str(project_dir),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target", run.target,
        "--target-path", str(run.dbt_target_dir),
        "--log-path", str(run.dbt_log_dir),
        "--exclude-resource-type", "unit_test",
        *(["--full-refresh"] if run.full_refresh else []),
    ]
    try:
        with dbt_scope(run, settings):
            result = dbtRunner().invoke(args)
    finally:
        release_duckdb()
    failures: list[str] = []
    models = tests = 0
    for node_result in getattr(result.result, "results", None) or []:
        resource = node_result.node.resource_type
        models += resource == "model"
        tests += resource == "test"
        if str(node_result.status) in ("error", "fail"):
            failures.append(f"{node_result.node.name}: {node_result.message}")
    if not result.success:
        reason = "; ".join(failures[:3]) or str(result.exception)
        raise DbtBuildFailed(f"dbt build failed ({len(failures)} node(s)): {reason}")
    return DbtOutcome(models, tests, failures)
