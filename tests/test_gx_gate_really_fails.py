"""Great Expectations runs on exported Parquet: prove a failing expectation really fails."""

from __future__ import annotations

from pathlib import Path

import duckdb

from expectations.gate import run_checkpoint
from expectations.suites import Check, Suite


def test_failing_expectation_is_reported_with_its_row(tmp_path: Path) -> None:
    with duckdb.connect() as con:
        con.execute(
            f"copy (select * from (values ('市商务局', 'a.csv', null, 2, 5), ('市商务局', 'a.csv', null, 3, 15))"
            f" as t(submitted_by, source_file, source_sheet, source_row, rank_province))"
            f" to '{tmp_path / 'ranks.parquet'}' (format parquet)"
        )
    suite = Suite("ranks", "ranks", [
        Check("ExpectColumnValuesToBeBetween", {"column": "rank_province", "min_value": 1, "max_value": 14},
              "blocking", "全省排名超出 1–14"),
    ])
    result = run_checkpoint(tmp_path, [suite], "2024-10")
    assert result.blocked
    [failure] = result.failures
    assert failure.unexpected_count == 1
    assert failure.rows == [{"submitted_by": "市商务局", "source_file": "a.csv", "source_sheet": None,
                             "source_row": 3, "rank_province": 15}]


def test_passing_data_passes(tmp_path: Path) -> None:
    with duckdb.connect() as con:
        con.execute(
            f"copy (select '市商务局' as submitted_by, 'a.csv' as source_file, null as source_sheet,"
            f" 2 as source_row, 5 as rank_province) to '{tmp_path / 'ranks.parquet'}' (format parquet)"
        )
    suite = Suite("ranks", "ranks", [
        Check("ExpectColumnValuesToBeBetween", {"column": "rank_province", "min_value": 1, "max_value": 14},
              "blocking", ""),
    ])
    result = run_checkpoint(tmp_path, [suite], "2024-10")
    assert not result.blocked and result.evaluated == 1
