"""`yuebao backfill` resumes after being killed and ends with the warehouse of an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb

from tests.conftest import YUEBAO
from yuebao.backfill import STATE_FILE, BackfillState, file_version, month_range

MONTHS = ("2024-01", "2024-03")


def backfill_command(inbox: Path, home: Path) -> list[str]:
    return [YUEBAO, "backfill", "--from", MONTHS[0], "--to", MONTHS[1], "--inbox", str(inbox),
            "--home", str(home), "--reference", str(inbox / "reference"), "--no-progress"]


def fct_rows(home: Path) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("select * from fct_indicator_monthly order by all").fetchall()


def completed_months(home: Path) -> list[str]:
    state = home / STATE_FILE
    return sorted(json.loads(state.read_text())["completed"]) if state.exists() else []


def assert_documents_for_the_last_month_only(home: Path) -> None:
    """Every month has its data and department reports; only the last its bulletin and Data Docs."""
    for month in ("2024-01", "2024-02", "2024-03"):
        published = home / "publish" / month
        assert (published / "dq" / "index.html").is_file() and any((published / "parquet").iterdir()), month
        last = month == "2024-03"
        assert (published / "bulletin.html").is_file() == last, month
        assert (published / "dq" / "data_docs" / "index.html").is_file() == last, month
        assert ("data_docs/index.html" in (published / "dq" / "index.html").read_text(encoding="utf-8")) == last
    mailed = {path.parent.name for path in (home / "outbox").rglob("*.eml")}
    assert mailed == {"2024-03"}, mailed



def assert_parquet_folders_partition_the_history(home: Path) -> None:
    """Each month's Parquet holds its own report month's rows; together they are the whole table."""
    files = sorted(str(path) for path in (home / "publish").glob("*/parquet/fct_indicator_as_published.parquet"))
    assert len(files) == 3
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        months = con.execute("select distinct strftime(report_month, '%Y-%m') from read_parquet(?)", [files[1]]).fetchall()
        assert months == [("2024-02",)]
        union = con.execute("select * from read_parquet(?) order by all", [files]).fetchall()
        assert union == con.execute("select * from fct_indicator_as_published order by all").fetchall()
        assert len(union) > 0


def test_a_published_file_replacing_the_warehouse_is_a_new_version(tmp_path: Path) -> None:
    warehouse, built = tmp_path / "warehouse.duckdb", tmp_path / "built.duckdb"
    assert file_version(warehouse) is None
    warehouse.write_bytes(b"month 1")
    first = file_version(warehouse)
    built.write_bytes(b"month 2")  # same size, as a month's warehouse can be
    os.replace(built, warehouse)  # what publication does
    assert file_version(warehouse) not in (None, first)


def test_month_range_crosses_years() -> None:
    assert month_range("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]


def test_resume_skips_only_months_verified_by_the_warehouse_version(tmp_path: Path) -> None:
    state = BackfillState(tmp_path / STATE_FILE, {})
    state.record("2024-01", "version-after-jan")
    state.record("2024-02", "version-after-feb")
    months = ["2024-01", "2024-02", "2024-03"]
    assert BackfillState.load(tmp_path).resume_index(months, "version-after-feb") == 2
    # the warehouse changed since (e.g. published, not yet recorded): redo from the last match
    assert BackfillState.load(tmp_path).resume_index(months, "version-after-jan") == 1
    assert BackfillState.load(tmp_path).resume_index(months, "someone-else's") == 0


def assert_later_months_read_ahead(home: Path) -> None:
    """A month's files were read while dbt built the month before, and its ingest took them;
    no month's log shows a logging error (handlers bound to an earlier month's closed log)."""
    logs = {month: (home / "build" / month / "run.log").read_text(encoding="utf-8")
            for month in ("2024-01", "2024-02", "2024-03")}
    for before, month in (("2024-01", "2024-02"), ("2024-02", "2024-03")):
        assert f"file(s) of {month} ahead" in logs[before], before
        assert f"file(s) of {month} were read ahead" in logs[month], month
    assert not any("Logging error" in text for text in logs.values())


def test_killed_backfill_resumes_to_the_same_warehouse(synth_inbox: Path, synth_backfilled_home: Path,
                                                       tmp_path: Path, airflow_home: Path) -> None:
    env = os.environ | {"AIRFLOW_HOME": str(airflow_home)}
    straight, resumed = synth_backfilled_home, tmp_path / "resumed"
    assert completed_months(straight) == ["2024-01", "2024-02", "2024-03"]
    assert_documents_for_the_last_month_only(straight)
    assert_parquet_folders_partition_the_history(straight)
    assert_later_months_read_ahead(straight)

    first = subprocess.Popen(backfill_command(synth_inbox, resumed), env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while not completed_months(resumed) and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    interrupted_at = completed_months(resumed)
    assert interrupted_at and len(interrupted_at) < 3, "the kill must land mid-way"

    second = subprocess.run(backfill_command(synth_inbox, resumed), env=env, capture_output=True, text=True,
                            timeout=900, check=False)
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"{len(interrupted_at)} already done" in second.stdout
    assert completed_months(resumed) == ["2024-01", "2024-02", "2024-03"]
    assert fct_rows(resumed) == fct_rows(straight)
    assert len(fct_rows(resumed)) > 0
