"""Running the dbt project on a month's build database: one in-process ``dbt build``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from yuebao import DBT_PROJECT_DIR
from yuebao.month_run import MonthRun


class DbtBuildFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class DbtOutcome:
    models: int
    tests: int
    failures: list[str]


def dbt_environment(run: MonthRun) -> dict[str, str]:
    """Variables the dbt profile reads (see dbt_project/profiles.yml)."""
    env = {"YUEBAO_DBT_TARGET": run.target, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "YUEBAO_REPORT_MONTH": f"{run.month}-01"}
    if run.target == "duckdb":
        env["YUEBAO_DUCKDB_PATH"] = str(run.build_db)
    return env


def release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open for the process's lifetime.

    Later steps of an in-process run (``dag.test()``) open the same file read-only, which DuckDB
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


def build(run: MonthRun, project_dir: Path = DBT_PROJECT_DIR) -> DbtOutcome:
    """``dbt build`` (seeds, models, data tests) in this process; raises DbtBuildFailed on any error.

    Unit tests check the SQL, not the month's data: they run in `make test`
    (tests/test_dbt_unit_tests.py), not in every monthly load, where they cost about 2.5 s.
    """
    from dbt.cli.main import dbtRunner

    os.environ.update(dbt_environment(run))
    args = [
        "build",
        "--project-dir", str(project_dir),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target", run.target,
        "--target-path", str(run.dbt_target_dir),
        "--log-path", str(run.build_dir / "dbt_logs"),
        "--exclude-resource-type", "unit_test",
        *(["--full-refresh"] if run.full_refresh else []),
    ]
    try:
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
