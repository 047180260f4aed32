"""The benchmark's hand-written baseline computes the same fct_indicator_monthly as yuebao.

Otherwise the yuebao / baseline ratios in docs/benchmarks.md would compare different work.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT

MEASURES = ("value", "value_month", "yoy_pct", "completion_pct", "schedule_pct")
KEY = ("indicator_code", "region_code", "period")


def by_key(rows: list[tuple], columns: list[str]) -> dict[tuple, dict[str, object]]:
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    return {tuple(record[name] for name in KEY): record for record in records}


def read_fct(database: Path) -> dict[tuple, dict[str, object]]:
    query = f"select {', '.join(KEY + MEASURES)} from fct_indicator_monthly"
    with duckdb.connect(str(database), read_only=True) as con:
        return by_key(con.execute(query).fetchall(), [*KEY, *MEASURES])


def same(left: object, right: object) -> bool:
    if left is None or right is None:
        return left is None and right is None
    return math.isclose(float(left), float(right), rel_tol=0, abs_tol=1e-6)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory, run_yuebao) -> tuple[Path, Path]:
    """A small synthetic city inbox (two months) and a home where yuebao loaded both."""
    inbox, home = tmp_path_factory.mktemp("city-inbox"), tmp_path_factory.mktemp("city-home")
    made = run_yuebao("synth", "--regions", "13", "--indicators", "25", "--months", "2", "--start", "2024-06",
                      "--out", inbox, "--seed", "5")
    assert made.returncode == 0, made.stderr
    loaded = run_yuebao("backfill", "--from", "2024-06", "--to", "2024-07", "--inbox", inbox, "--home", home,
                        "--reference", inbox / "reference", "--no-progress")
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    return inbox, home


def test_baseline_fct_equals_yuebao_fct(city: tuple[Path, Path], tmp_path: Path) -> None:
    inbox, home = city
    out = tmp_path / "baseline.parquet"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "baseline.py"), "--inbox", str(inbox), "--month", "2024-07",
         "--reference", str(inbox / "reference"), "--out", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    baseline = by_key(duckdb.sql(f"select {', '.join(KEY + MEASURES)} from '{out}'").fetchall(), [*KEY, *MEASURES])
    yuebao = read_fct(home / "warehouse.duckdb")

    assert len(yuebao) > 300
    assert baseline.keys() == yuebao.keys()
    differing = [(key, name, baseline[key][name], yuebao[key][name])
                 for key in yuebao for name in MEASURES if not same(baseline[key][name], yuebao[key][name])]
    assert differing == []
    # the comparison covers derived measures, not only copied values
    assert sum(row["value_month"] is not None for row in yuebao.values()) > 100
    assert sum(row["yoy_pct"] is not None for row in yuebao.values()) > 100
