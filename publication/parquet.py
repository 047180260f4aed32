"""The month's partition of the marts as Parquet, under ``publish/<month>/parquet/<table>.parquet``.

Each fact table's file holds the rows month M wrote, those whose ``report_month`` is M; the
dimensions are written whole. So a month's folder costs the same in month 2 and month 121, and
the folders together are the history:
``read_parquet('publish/*/parquet/rpt_indicator_report_month.parquet')`` is every bulletin's
figures. ``fct_indicator_monthly``'s rows are those month M's files set; later months may
supersede them (the warehouse holds the current state).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.report_month import ReportMonth

MARTS_SCHEMA = "main"
PREFIXES = ("fct_", "dim_", "rpt_")
MONTH_COLUMN = "report_month"


def mart_tables(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """Mart tables, each with its report-month column, or None for a table written whole."""
    rows = con.execute(
        "select table_name, list(column_name) from information_schema.columns"
        " join information_schema.tables using (table_catalog, table_schema, table_name)"
        " where table_schema = ? and table_type = 'BASE TABLE' group by table_name order by table_name",
        [MARTS_SCHEMA],
    ).fetchall()
    return {name: MONTH_COLUMN if MONTH_COLUMN in columns else None
            for name, columns in rows if name.startswith(PREFIXES)}


def write_parquet(build_db: Path, month: str, staged_dir: Path) -> list[Path]:
    """Write one Parquet file per mart table, the month's rows of it, into ``<staged_dir>/parquet/``."""
    folder = staged_dir / "parquet"
    folder.mkdir(parents=True, exist_ok=True)
    month_start = ReportMonth.parse(month).first_day
    written: list[Path] = []
    with duckdb.connect(str(build_db), read_only=True) as con:
        for table, month_column in mart_tables(con).items():
            target = folder / f"{table}.parquet"
            # a date (first of the month) in most marts, the text YYYY-MM in fct_narrative*
            where = f"where left(cast({month_column} as varchar), 7) = $month" if month_column else ""
            con.execute(f"copy (select * from {MARTS_SCHEMA}.{table} {where}) to '{target}' (format parquet)",
                        {"month": month_start.isoformat()[:7]} if month_column else None)
            written.append(target)
    return written
