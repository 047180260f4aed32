"""Parquet copies of the marts, published under ``publish/<month>/parquet/<model>.parquet``.

Every table of the marts schema (facts, vintages, revisions, the report-month view, dimensions)
is written whole, so the folder is the warehouse as published in that month, readable by any
Parquet tool (pandas, Arrow, Excel Power Query) without DuckDB.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

MARTS_SCHEMA = "main"
PREFIXES = ("fct_", "dim_", "rpt_")


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables"
        " where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
        [MARTS_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows if name.startswith(PREFIXES)]


def write_parquet(build_db: Path, month: str, staged_dir: Path) -> list[Path]:
    """Write one Parquet file per mart table into ``<staged_dir>/parquet/``."""
    folder = staged_dir / "parquet"
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with duckdb.connect(str(build_db), read_only=True) as con:
        for table in mart_tables(con):
            target = folder / f"{table}.parquet"
            con.execute(f"copy (select * from {MARTS_SCHEMA}.{table}) to '{target}' (format parquet)")
            written.append(target)
    return written
