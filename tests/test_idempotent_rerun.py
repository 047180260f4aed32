"""Running the same month twice gives the same warehouse rows."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from tests.conftest import SAMPLE_INBOX, copy_home

QUERY = "select * exclude (report_month) from fct_indicator_monthly order by observation_key"


def fact_snapshot(home: Path) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(QUERY).fetchall()


def test_running_a_month_twice_gives_the_same_rows(published_home: Path, run_yuebao, tmp_path: Path) -> None:
    home = copy_home(published_home, tmp_path / "home")  # the sample month, published once
    before = fact_snapshot(home)
    again = run_yuebao("run", "--month", "2024-10", "--inbox", SAMPLE_INBOX, "--home", home)
    assert again.returncode == 0, again.stderr[-2000:]
    assert fact_snapshot(home) == before
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        files = con.execute("select count(*), count(distinct file_sha256) from landing.files").fetchone()
    assert files == (30, 30)  # the archive holds each file once, however often it is ingested
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from fct_narrative").fetchone() == (60,)  # replaced, not appended


def test_a_full_refresh_rebuilds_the_same_facts_from_the_landing_history(published_home: Path, run_yuebao,
                                                                        tmp_path: Path) -> None:
    """--full-refresh rebuilds every incremental model (intermediate tables included) from landing."""
    home = copy_home(published_home, tmp_path / "home")
    tables = ("fct_indicator_monthly", "fct_indicator_as_published", "rpt_indicator_report_month",
              "intermediate.int_observations_resolved_to_catalog", "fct_narrative", "fct_narrative_vintages")

    def snapshot() -> dict[str, list[tuple]]:
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            return {table: con.execute(f"select * from {table} order by all").fetchall() for table in tables}

    before = snapshot()
    assert all(before.values())
    again = run_yuebao("run", "--month", "2024-10", "--inbox", SAMPLE_INBOX, "--home", home, "--full-refresh")
    assert again.returncode == 0, again.stderr[-2000:]
    results = json.loads((home / "dbt_target" / "run_results.json").read_text(encoding="utf-8"))
    assert results["args"].get("full_refresh") is True
    assert snapshot() == before
