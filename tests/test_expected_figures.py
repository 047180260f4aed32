"""The sample month loads to exactly the figures of samples/expected-2024-10.csv."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import duckdb
import pytest

from tests.conftest import EXPECTED_2024_10

MEASURES = ["value", "yoy_pct", "rank_province", "rank_subregion", "annual_target", "completion_pct"]


def expected_rows() -> list[dict[str, str]]:
    with EXPECTED_2024_10.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def fact_rows(published_home: Path) -> dict[tuple[str, str, str], dict[str, object]]:
    with duckdb.connect(str(published_home / "warehouse.duckdb"), read_only=True) as con:
        cursor = con.execute(
            "select region_name, indicator_name, strftime(period, '%Y-%m') as period, unit, "
            + ", ".join(MEASURES) + " from fct_indicator_monthly"
        )
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {(row["region_name"], row["indicator_name"], row["period"]): row for row in rows}


def test_every_expected_fact_is_in_fct_indicator_monthly(fact_rows) -> None:
    problems = []
    for expected in expected_rows():
        key = (expected["region_name"], expected["indicator_name"], expected["period"])
        actual = fact_rows.get(key)
        if actual is None:
            problems.append(f"missing {key}")
            continue
        if actual["unit"] != expected["unit"]:
            problems.append(f"{key} unit {actual['unit']} != {expected['unit']}")
        for measure in MEASURES:
            want, got = expected[measure], actual[measure]
            if want == "":
                if got is not None and not (isinstance(got, float) and math.isnan(got)):
                    problems.append(f"{key} {measure}: expected NULL, got {got}")
            elif got is None or abs(float(want) - float(got)) > 0.01:
                problems.append(f"{key} {measure}: expected {want}, got {got}")
    assert not problems, "\n".join(problems)
    assert len(expected_rows()) == 120


def test_value_month_of_accidents_is_the_october_count(published_home: Path) -> None:
    """The seed: 10月份，共发生生产安全事故4起，死亡7人 (YTD 50/56 minus 1-9月 46/49)."""
    with duckdb.connect(str(published_home / "warehouse.duckdb"), read_only=True) as con:
        rows = dict(con.execute(
            "select indicator_code, value_month from fct_indicator_monthly "
            "where region_code = '430500' and period = date '2024-10-01' "
            "and indicator_code in ('accidents', 'accident_deaths')"
        ).fetchall())
    assert rows == {"accidents": 4, "accident_deaths": 7}


def test_every_value_is_traceable_to_its_file_and_row(published_home: Path) -> None:
    with duckdb.connect(str(published_home / "warehouse.duckdb"), read_only=True) as con:
        untraced = con.execute(
            "select count(*) from fct_indicator_monthly where source_file is null or source_row is null"
        ).fetchone()[0]
        converted = con.execute(
            "select value, source_file, source_row from fct_indicator_monthly "
            "where indicator_code = 'ivcl_amount'"
        ).fetchone()
    assert untraced == 0
    assert converted == (pytest.approx(4.63), "市科技局_创新提升指标.xlsx", 9)  # sent as 46300 万元
