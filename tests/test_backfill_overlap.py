"""A backfill checks and publishes each month while the next one builds (`yuebao.runner.run_months`):
the warehouse it ends with is the one a month-after-month backfill gives, and a month the gate
blocks stops it with nothing after that month published."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb

from tests.conftest import YUEBAO
from tests.test_backfill import MONTHS, backfill_command, completed_months

# Columns that say when something ran, not what was loaded: they differ between any two runs.
RUN_TIME_TYPES = ("TIMESTAMP WITH TIME ZONE", "TIMESTAMP")


def warehouse_contents(home: Path) -> dict[str, list[tuple]]:
    """Every table of the published warehouse, its rows sorted, run-time timestamps left out."""
    contents: dict[str, list[tuple]] = {}
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        tables = con.execute("select schema_name, table_name from duckdb_tables() where not internal"
                             " order by all").fetchall()
        for schema, table in tables:
            columns = [name for name, kind in con.execute(
                "select column_name, data_type from duckdb_columns() where schema_name = ? and table_name = ?"
                " order by column_index", [schema, table]).fetchall() if kind not in RUN_TIME_TYPES]
            listed = ", ".join(f'"{column}"' for column in columns)
            contents[f"{schema}.{table}"] = con.execute(f'select {listed} from "{schema}"."{table}" order by all').fetchall()
    return contents


def test_the_overlapped_backfill_publishes_the_warehouse_of_one_month_after_the_other(
        synth_backfilled_home: Path, synth_inbox: Path, tmp_path: Path, airflow_home: Path) -> None:
    env = os.environ | {"AIRFLOW_HOME": str(airflow_home)}
    one_by_one = tmp_path / "one_by_one"  # in child processes of 2 months each, which are told --no-overlap
    completed = subprocess.run([*backfill_command(synth_inbox, one_by_one), "--no-overlap", "--months-per-process", "2"],
                               env=env, capture_output=True, text=True, timeout=900, check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]

    # The overlap happened: each later month started from the month before's checked build, and
    # the tables that month's gate and publication wrote meanwhile were carried over.
    for month, before in (("2024-02", "2024-01"), ("2024-03", "2024-02")):
        log = (synth_backfilled_home / "build" / month / "run.log").read_text(encoding="utf-8")
        assert f"from {synth_backfilled_home / 'build' / before / 'checked' / 'warehouse.duckdb'}" in log
        log = (one_by_one / "build" / month / "run.log").read_text(encoding="utf-8")
        assert f"from {one_by_one / 'warehouse.duckdb'}" in log

    overlapped, expected = warehouse_contents(synth_backfilled_home), warehouse_contents(one_by_one)
    assert overlapped.keys() == expected.keys()
    differing = [table for table in expected if overlapped[table] != expected[table]]
    assert not differing, differing
    assert [row[0] for row in expected["main.pub_releases"]] == ["2024-01", "2024-02", "2024-03"]
    assert {row[0].isoformat()[:7] for row in expected["main.dq_failure_history"]} <= {"2024-01", "2024-02", "2024-03"}
    assert len({row[0] for row in expected["main.dq_delivery_status"]}) == 3


def test_a_blocked_month_stops_the_overlapped_backfill_with_the_month_built_on_it_unpublished(
        synth_inbox: Path, tmp_path: Path, airflow_home: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(synth_inbox, inbox)
    [workbook] = (inbox / MONTHS[0]).glob("*.xlsx")
    workbook.write_bytes(b"PK\x03\x04 this is not a workbook")  # a blocking failure of 2024-01
    home = tmp_path / "home"
    command = [YUEBAO, "backfill", "--from", "2024-01", "--to", "2024-02", "--inbox", str(inbox),
               "--home", str(home), "--reference", str(inbox / "reference"), "--no-progress"]
    blocked = subprocess.run(command, env=os.environ | {"AIRFLOW_HOME": str(airflow_home)},
                             capture_output=True, text=True, timeout=900, check=False)

    assert blocked.returncode == 3, blocked.stderr[-3000:]
    assert "backfill stopped at 2024-01" in blocked.stderr
    assert completed_months(home) == []
    assert not (home / "warehouse.duckdb").exists()  # neither month went out
    assert (home / "publish" / "2024-01" / "dq" / "index.html").is_file()  # the department learns why
    assert not (home / "publish" / "2024-02").exists()
    # 2024-02 was built on the blocked month's checked build while the gate ran, then dropped.
    log = (home / "build" / "2024-02" / "run.log").read_text(encoding="utf-8")
    assert f"from {home / 'build' / '2024-01' / 'checked' / 'warehouse.duckdb'}" in log
    assert not (home / "build" / "2024-02" / "gate.json").exists()
    gate = json.loads((home / "build" / "2024-01" / "gate.json").read_text(encoding="utf-8"))
    assert gate["blocked"] is True
