"""The month's Parquet folder holds the month's rows of each fact table and the whole dimensions."""

from __future__ import annotations

from pathlib import Path

import duckdb


def test_parquet_holds_the_months_rows_of_each_mart(published_home: Path) -> None:
    folder = published_home / "publish" / "2024-10" / "parquet"
    with duckdb.connect(str(published_home / "warehouse.duckdb"), read_only=True) as con:
        tables = [name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
            " and table_type = 'BASE TABLE' and regexp_matches(table_name, '^(fct|dim|rpt)_')").fetchall()]
        assert {path.stem for path in folder.glob("*.parquet")} == set(tables)
        for table in tables:
            has_month = con.execute("select count(*) from information_schema.columns where table_name = ?"
                                    " and column_name = 'report_month'", [table]).fetchone()[0]
            where = "where left(cast(report_month as varchar), 7) = '2024-10'" if has_month else ""  # fct_narrative: text
            expected = con.execute(f"select * from {table} {where} order by all").fetchall()
            written = con.execute(f"select * from read_parquet('{folder / table}.parquet') order by all").fetchall()
            assert written == expected, table
        # the sample month is a real one: the facts are there, not an empty file that matches
        assert con.execute(f"select count(*) from read_parquet('{folder}/fct_indicator_monthly.parquet')"
                           ).fetchone()[0] > 100
