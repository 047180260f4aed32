"""The sample month's facts are exactly what they were before the issue-16 restructure.

``tests/fixtures/fct_indicator_monthly_2024-10.csv`` was exported from the code as it stood
before (commit 98f8429): every contract column, every row, sorted. A change meant to move code
around, not to change figures, must leave it identical; a deliberate change of a figure updates
the file in the same commit, where a reviewer sees it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

GOLDEN = Path(__file__).parent / "fixtures" / "fct_indicator_monthly_2024-10.csv"
CONTRACT_COLUMNS = ("period, region_code, region_name, indicator_code, indicator_name, action, department, unit, "
                    "basis, value, value_month, yoy_pct, rank_province, rank_subregion, annual_target, "
                    "completion_pct, schedule_pct, source_file, source_row")


def test_sample_month_facts_match_the_golden_file(published_home: Path, tmp_path: Path) -> None:
    exported = tmp_path / "fct_indicator_monthly.csv"
    with duckdb.connect(str(published_home / "warehouse.duckdb"), read_only=True) as con:
        con.execute(f"copy (select {CONTRACT_COLUMNS} from fct_indicator_monthly order by all) "
                    f"to '{exported}' (header)")
    now, before = exported.read_text(encoding="utf-8"), GOLDEN.read_text(encoding="utf-8")
    assert now.count("\n") == before.count("\n") > 100
    assert now == before
