"""One parsed dbt manifest serves every month of a process (yuebao/transform.py).

Two months built in one process from one manifest give the warehouse two fresh builds (a new
parse before each month, as separate processes do) give; the month is not part of what dbt
parses; the manifest is parsed again when a project file changes, never because the month did.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from ingestion.load import ingest_month
from yuebao import transform
from yuebao.month_run import MonthRun
from yuebao.settings import Settings

MONTHS = ("2024-01", "2024-02")
TABLES = ("fct_indicator_monthly", "fct_indicator_as_published", "rpt_indicator_report_month", "fct_revisions",
          "fct_observation_vintages", "fct_data_quality_issues", "dim_region", "dim_indicator",
          "intermediate.int_observations_resolved_to_catalog")


def build_months(inbox: Path, home: Path, one_manifest: bool) -> dict[str, list[tuple]]:
    """Ingest and build MONTHS into one build database, as `yuebao backfill` does in one process."""
    settings = Settings()
    manifests = []
    for month in MONTHS:
        run = MonthRun(month, inbox, home, reference=inbox / "reference")
        run.build_db.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(run.build_db)) as con:
            ingest_month(con, run.inbox, run.home, run.month, run.seeds_dir / "departments.csv")
        if not one_manifest:
            transform._parsed.clear()  # what a new process starts with
        project = transform.run_project_dir(run)
        transform.build(run, settings, project_dir=project)
        manifests.append(transform.parsed_manifest(run, settings, project))
    if one_manifest:
        assert manifests[0] is manifests[1], "the second month parsed the project again"
    with duckdb.connect(str(run.build_db), read_only=True) as con:
        return {table: con.execute(f"select * from {table} order by all").fetchall() for table in TABLES}


def test_two_months_from_one_manifest_build_what_fresh_parses_build(synth_inbox: Path, tmp_path: Path) -> None:
    fresh = build_months(synth_inbox, tmp_path / "fresh", one_manifest=False)
    reused = build_months(synth_inbox, tmp_path / "reused", one_manifest=True)
    assert all(fresh[table] for table in ("fct_indicator_monthly", "fct_indicator_as_published"))
    for table in TABLES:
        assert reused[table] == fresh[table], table


def test_the_report_month_is_not_read_while_parsing(synth_inbox: Path, tmp_path: Path) -> None:
    """Read at parse time, dbt would record it and re-parse the models using it every month."""
    run = MonthRun(MONTHS[0], synth_inbox, tmp_path / "home")
    transform._parsed.clear()
    manifest = transform.parsed_manifest(run, Settings())
    assert "YUEBAO_REPORT_MONTH" not in manifest.env_vars
    next_month = MonthRun(MONTHS[1], synth_inbox, tmp_path / "home")
    assert transform.parsed_manifest(next_month, Settings()) is manifest


def test_a_changed_project_file_or_target_is_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    shutil.copytree(transform.DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    settings = Settings()
    month = MonthRun(MONTHS[0], tmp_path, tmp_path / "home")
    key = transform._manifest_key(month, settings, project)
    assert transform._manifest_key(MonthRun(MONTHS[1], tmp_path, tmp_path / "home"), settings, project) == key
    model = project / "models" / "marts" / "dim_month.sql"
    stat = model.stat()
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert transform._manifest_key(month, settings, project) != key
    changed = transform._manifest_key(month, settings, project)
    assert transform._manifest_key(MonthRun(MONTHS[0], tmp_path, tmp_path / "other"), settings, project) != changed
    monkeypatch.setenv("PGHOST", "elsewhere.example")  # read by profiles.yml
    assert transform._manifest_key(month, settings, project) != changed
