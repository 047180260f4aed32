"""Settings are read once at the edge and passed down; dbt's variables live only as long as its build."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import run_dbt
from yuebao import steps
from yuebao.month_run import MonthRun
from yuebao.settings import Settings, scoped_environ


def test_settings_come_from_the_environment_given_with_defaults() -> None:
    assert Settings.from_environ({}) == Settings()
    settings = Settings.from_environ({"YUEBAO_TASK_RETRIES": "0", "YUEBAO_CITY_CODE": "430100",
                                      "YUEBAO_TARGET": "postgres", "YUEBAO_REFERENCE": "/catalog"})
    assert (settings.task_retries, settings.city_code, settings.target) == (0, "430100", "postgres")
    assert settings.reference == Path("/catalog")
    with pytest.raises(ValueError, match="YUEBAO_TARGET"):
        Settings.from_environ({"YUEBAO_TARGET": "sqlite"})


def test_a_scoped_variable_is_put_back_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUEBAO_DUCKDB_PATH", "before.duckdb")
    monkeypatch.delenv("YUEBAO_REPORT_MONTH", raising=False)
    with pytest.raises(RuntimeError), scoped_environ({"YUEBAO_DUCKDB_PATH": "x", "YUEBAO_REPORT_MONTH": "2024-10-01"}):
        raise RuntimeError("a failed build restores the environment too")
    assert os.environ["YUEBAO_DUCKDB_PATH"] == "before.duckdb" and "YUEBAO_REPORT_MONTH" not in os.environ


def test_two_months_in_one_process_leave_the_environment_as_it_was(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """An in-process backfill's transform steps: dbt sees each month's variables, nothing outlives them."""
    seen: list[tuple[str, str | None, str | None]] = []

    class RecordingDbt:  # dbtRunner's interface; the real build is covered by the month-load tests
        def __init__(self, manifest: object = None) -> None:
            pass

        def invoke(self, args: list[str]) -> SimpleNamespace:
            seen.append((args[0], os.environ.get("YUEBAO_REPORT_MONTH"), os.environ.get("YUEBAO_DUCKDB_PATH")))
            return SimpleNamespace(success=True, result=SimpleNamespace(results=[], nodes={}), exception=None)

    monkeypatch.setattr("dbt.cli.main.dbtRunner", RecordingDbt)
    monkeypatch.delenv("YUEBAO_REPORT_MONTH", raising=False)
    before = dict(os.environ)
    for month in ("2024-09", "2024-10"):
        run = MonthRun(month, tmp_path / "inbox", tmp_path / "home")
        steps.transform(run, Settings())
    build_db = str(MonthRun("2024-10", tmp_path / "inbox", tmp_path / "home").build_db)
    # parsed once for the process (transform.parsed_manifest), built per month
    assert seen == [("parse", "2024-09-01", build_db), ("build", "2024-09-01", build_db),
                    ("build", "2024-10-01", build_db)]
    assert dict(os.environ) == before


def test_a_build_without_a_report_month_is_an_error_in_dbt(tmp_path: Path) -> None:
    """Not a silent guess at the latest landed month."""
    completed = run_dbt("compile", "--select", "int_observations_resolved_to_catalog", database=tmp_path / "empty.duckdb",
                        workdir=tmp_path, month=None)
    assert completed.returncode != 0
    assert "no report month" in completed.stdout + completed.stderr
