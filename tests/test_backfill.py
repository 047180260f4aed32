"""`yuebao backfill` resumes after being killed and ends with the warehouse of an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import YUEBAO
from yuebao.backfill import STATE_FILE, BackfillState, month_range

MONTHS = ("2024-01", "2024-03")


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory, run_yuebao) -> Path:
    out = tmp_path_factory.mktemp("synth")
    completed = run_yuebao("synth", "--regions", "13", "--indicators", "6", "--months", "3",
                           "--out", out, "--seed", "11")
    assert completed.returncode == 0, completed.stderr
    return out


def backfill_command(inbox: Path, home: Path) -> list[str]:
    return [YUEBAO, "backfill", "--from", MONTHS[0], "--to", MONTHS[1], "--inbox", str(inbox),
            "--home", str(home), "--reference", str(inbox / "reference"), "--no-progress"]


def fct_rows(home: Path) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("select * from fct_indicator_monthly order by all").fetchall()


def completed_months(home: Path) -> list[str]:
    state = home / STATE_FILE
    return sorted(json.loads(state.read_text())["completed"]) if state.exists() else []


def test_month_range_crosses_years() -> None:
    assert month_range("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]


def test_resume_skips_only_months_verified_by_the_warehouse_hash(tmp_path: Path) -> None:
    state = BackfillState(tmp_path / STATE_FILE, {})
    state.record("2024-01", "hash-after-jan")
    state.record("2024-02", "hash-after-feb")
    months = ["2024-01", "2024-02", "2024-03"]
    assert BackfillState.load(tmp_path).resume_index(months, "hash-after-feb") == 2
    # the warehouse changed since (e.g. published, not yet recorded): redo from the last match
    assert BackfillState.load(tmp_path).resume_index(months, "hash-after-jan") == 1
    assert BackfillState.load(tmp_path).resume_index(months, "someone-else's") == 0


def test_killed_backfill_resumes_to_the_same_warehouse(inbox: Path, tmp_path: Path, airflow_home: Path) -> None:
    env = os.environ | {"AIRFLOW_HOME": str(airflow_home)}
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    completed = subprocess.run(backfill_command(inbox, straight), env=env, capture_output=True, text=True,
                               timeout=900, check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed_months(straight) == ["2024-01", "2024-02", "2024-03"]

    first = subprocess.Popen(backfill_command(inbox, resumed), env=env, stdout=subprocess.DEVNULL,
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

    second = subprocess.run(backfill_command(inbox, resumed), env=env, capture_output=True, text=True,
                            timeout=900, check=False)
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"{len(interrupted_at)} already done" in second.stdout
    assert completed_months(resumed) == ["2024-01", "2024-02", "2024-03"]
    assert fct_rows(resumed) == fct_rows(straight)
    assert len(fct_rows(resumed)) > 0
