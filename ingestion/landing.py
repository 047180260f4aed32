"""The landing tables in the warehouse database: what was received and read, month by month.

Each ingest replaces one report month's rows, so running a month twice gives the same tables.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

PROVENANCE = {
    "report_month": "date", "file_sha256": "varchar", "source_file": "varchar",
    # False once a newer file of the same name arrived for the month (a resubmission).
    "is_current_file": "boolean",
}
TABLES: dict[str, dict[str, str]] = {
    "landing.files": {
        **PROVENANCE, "department": "varchar", "size_bytes": "bigint", "received_at": "timestamp",
        "archive_path": "varchar", "layout": "varchar", "encoding": "varchar", "status": "varchar",
        "rows_read": "integer", "rows_quarantined": "integer",
    },
    "landing.observations": {
        **PROVENANCE, "source_sheet": "varchar", "source_row": "integer", "received_at": "timestamp",
        "department": "varchar", "department_raw": "varchar", "period_raw": "varchar", "period": "date",
        "period_form": "varchar", "region_raw": "varchar", "indicator_raw": "varchar",
        "value_raw": "varchar", "value": "double", "unit_raw": "varchar", "yoy_pct": "double",
        "rank_province": "integer", "rank_subregion": "integer", "annual_target": "double",
        "note": "varchar", "row_status": "varchar",
    },
    "landing.ingest_issues": {
        **PROVENANCE, "department": "varchar", "source_sheet": "varchar", "source_row": "integer",
        "source_column": "varchar", "raw_value": "varchar", "rule": "varchar", "severity": "varchar",
        "message": "varchar", "hint": "varchar",
    },
}


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists landing")
    for table, columns in TABLES.items():
        body = ", ".join(f"{name} {kind}" for name, kind in columns.items())
        con.execute(f"create table if not exists {table} ({body})")


def replace_month(con: duckdb.DuckDBPyConnection, report_month: date,
                  rows_by_table: dict[str, list[dict[str, object]]]) -> None:
    """Replace one report month's rows in every landing table, in one transaction."""
    ensure_tables(con)
    con.execute("begin transaction")
    try:
        for table, rows in rows_by_table.items():
            columns = list(TABLES[table])
            con.execute(f"delete from {table} where report_month = ?", [report_month])
            if rows:
                frame = pd.DataFrame.from_records(rows, columns=columns)
                con.register("incoming", frame)
                casts = ", ".join(f"cast({name} as {kind})" for name, kind in TABLES[table].items())
                con.execute(f"insert into {table} select {casts} from incoming")
                con.unregister("incoming")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
