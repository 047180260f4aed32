"""Copying tables between a DuckDB database and PostgreSQL, with their column types.

Used by the PostgreSQL target (``yuebao.targets.postgres``): landing tables go from the month's DuckDB
build to PostgreSQL (COPY), and the relations dbt built on PostgreSQL come back into the DuckDB
build, so the gate, the reports and the bulletin read the month exactly as PostgreSQL computed it.
"""

from __future__ import annotations

import re

import duckdb
import psycopg
import pyarrow as pa
from psycopg import sql

BATCH_ROWS = 50_000

# DuckDB type (without parameters) → PostgreSQL type; anything else travels as text.
_PG_TYPES = {
    "VARCHAR": "text", "BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz", "TINYINT": "smallint", "SMALLINT": "smallint",
    "INTEGER": "integer", "BIGINT": "bigint", "HUGEINT": "numeric", "FLOAT": "real", "DOUBLE": "double precision",
}
# PostgreSQL type → (DuckDB type, Arrow type); numerics travel as double precision.
_DUCKDB_TYPES: dict[str, tuple[str, pa.DataType]] = {
    "text": ("VARCHAR", pa.string()), "character varying": ("VARCHAR", pa.string()),
    "character": ("VARCHAR", pa.string()), "boolean": ("BOOLEAN", pa.bool_()), "date": ("DATE", pa.date32()),
    "timestamp without time zone": ("TIMESTAMP", pa.timestamp("us")),
    "timestamp with time zone": ("TIMESTAMPTZ", pa.timestamp("us", tz="UTC")),
    "smallint": ("SMALLINT", pa.int16()), "integer": ("INTEGER", pa.int32()), "bigint": ("BIGINT", pa.int64()),
    "real": ("DOUBLE", pa.float64()), "double precision": ("DOUBLE", pa.float64()),
    "numeric": ("DOUBLE", pa.float64()),
}


def pg_type(duckdb_type: str) -> str:
    decimal = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", duckdb_type)
    return f"numeric({decimal[1]},{decimal[2]})" if decimal else _PG_TYPES.get(duckdb_type, "text")


def duckdb_to_postgres(source: duckdb.DuckDBPyConnection, relation: str,
                       target: psycopg.Connection, schema: str, table: str) -> int:
    """Replace ``schema.table`` on PostgreSQL by the rows of a DuckDB relation; returns the row count."""
    columns = [(row[0], row[1]) for row in source.execute(f"describe {relation}").fetchall()]
    qualified = sql.Identifier(schema, table)
    definition = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(pg_type(kind))) for name, kind in columns
    )
    # dbt recreates the views built on it in the same run
    target.execute(sql.SQL("drop table if exists {} cascade").format(qualified))
    target.execute(sql.SQL("create table {} ({})").format(qualified, definition))
    names = sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
    cursor = source.execute(f"select * from {relation}")
    copied = 0
    with target.cursor().copy(sql.SQL("copy {} ({}) from stdin").format(qualified, names)) as copy:
        while rows := cursor.fetchmany(BATCH_ROWS):
            for row in rows:
                copy.write_row(row)
            copied += len(rows)
    return copied


def postgres_to_duckdb(source: psycopg.Connection, schema: str, table: str,
                       target: duckdb.DuckDBPyConnection, relation: str) -> int:
    """Replace a DuckDB table by the rows of a PostgreSQL table or view; returns the row count."""
    columns = source.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = %s and table_name = %s order by ordinal_position", [schema, table],
    ).fetchall()
    if not columns:
        raise LookupError(f"no relation {schema}.{table} on PostgreSQL")
    types = [_DUCKDB_TYPES.get(kind, ("VARCHAR", pa.string())) for _, kind in columns]
    selected = sql.SQL(", ").join(
        sql.SQL("{}::{}").format(sql.Identifier(name), sql.SQL(_select_cast(kind))) for name, kind in columns
    )
    rows = source.execute(sql.SQL("select {} from {}").format(selected, sql.Identifier(schema, table))).fetchall()
    arrow = pa.table(
        [pa.array([row[index] for row in rows], type=arrow_type) for index, (_, arrow_type) in enumerate(types)],
        names=[name for name, _ in columns],
    )
    definition = ", ".join(f'"{name}" {duckdb_type}' for (name, _), (duckdb_type, _) in zip(columns, types, strict=True))
    target.execute(f"drop view if exists {relation}")
    target.execute(f"drop table if exists {relation}")
    target.execute(f"create table {relation} ({definition})")
    target.register("_yuebao_rows", arrow)
    try:
        target.execute(f"insert into {relation} select * from _yuebao_rows")
    finally:
        target.unregister("_yuebao_rows")
    return len(rows)


def _select_cast(pg_data_type: str) -> str:
    """How a column is selected: numerics as double precision, unknown types as text."""
    duckdb_type = _DUCKDB_TYPES.get(pg_data_type, ("VARCHAR", None))[0]
    return {"VARCHAR": "text", "DOUBLE": "double precision"}.get(duckdb_type, pg_data_type)
