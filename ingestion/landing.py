"""The landing tables in the warehouse database: what was received and read, month by month.

Each ingest replaces one report month's rows, so running a month twice gives the same tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import partial

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
    # Narrative files (ingestion/narrative): one row per placed paragraph, one per figure in it.
    "landing.narrative_paragraphs": {
        **PROVENANCE, "received_at": "timestamp", "submitter": "varchar", "submitter_kind": "varchar",
        "submitter_order": "integer", "section": "varchar", "action": "varchar", "source_paragraph": "integer",
        "text": "varchar",
    },
    "landing.narrative_figures": {
        **PROVENANCE, "submitter": "varchar", "submitter_kind": "varchar", "section": "varchar",
        "action": "varchar", "source_paragraph": "integer", "figure_seq": "integer", "sentence": "varchar",
        "clause": "varchar", "subject": "varchar", "figure_text": "varchar", "value": "double",
        "decimals": "integer", "unit_raw": "varchar", "period": "date", "period_form": "varchar", "period_ambiguous": "boolean",
    },
}


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists landing")
    for table, columns in TABLES.items():
        body = ", ".join(f"{name} {kind}" for name, kind in columns.items())
        con.execute(f"create table if not exists {table} ({body})")


def rows_frame(table: str, rows: list[dict[str, object]], constant_names: Iterable[str] = ()) -> pd.DataFrame:
    """The rows of a landing table as a frame of its columns but the constant ones (see ``append_rows``)."""
    constant = set(constant_names)
    return pd.DataFrame.from_records(rows, columns=[name for name in TABLES[table] if name not in constant])


def append_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame,
                 constants: dict[str, object]) -> None:
    """Insert a ``rows_frame`` into a landing table, filling the ``constants`` columns."""
    columns = TABLES[table]
    select = ", ".join(f"cast(? as {kind})" if name in constants else f"cast({name} as {kind})"
                       for name, kind in columns.items())
    con.register("incoming", frame)
    try:
        con.execute(f"insert into {table} select {select} from incoming", [constants[name] for name in columns
                                                                            if name in constants])
    finally:
        con.unregister("incoming")


def append_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, object]] | pd.DataFrame,
                constants: dict[str, object] | None = None) -> None:
    """Insert ``rows`` into a landing table; ``constants`` fills columns that are the same on every row
    (a file's provenance) without copying them into each row. ``rows`` may come as a ``rows_frame``
    already (built where the file was read: a worker process)."""
    if len(rows) == 0:
        return
    constants = constants or {}
    frame = rows if isinstance(rows, pd.DataFrame) else rows_frame(table, rows, constants)
    append_frame(con, table, frame, constants)


Append = Callable[..., None]  # append(table, rows, constants=None)


@contextmanager
def replacing_month(con: duckdb.DuckDBPyConnection, report_month: date) -> Iterator[Append]:
    """One transaction that empties a report month in every landing table, then takes rows table by
    table and file by file (``append(table, rows, constants)``): a large month is never held whole."""
    ensure_tables(con)
    con.execute("begin transaction")
    try:
        for table in TABLES:
            con.execute(f"delete from {table} where report_month = ?", [report_month])
        yield partial(append_rows, con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise

