"""The PostgreSQL warehouse target: the parts of a month's steps that differ from DuckDB.

The month's DuckDB build file stays the landing history and the place the gate, the reports
and the bulletin read; PostgreSQL is where dbt builds and where analysts query:

1. prepare: ``marts_build`` starts as a copy of the published ``marts``;
2. ingest: the build's landing tables (whole history) replace schema ``landing`` on PostgreSQL;
3. transform: ``dbt build --target postgres`` into ``staging``/``intermediate``/``reference`` and
   ``marts_build``, then every built relation is mirrored into the DuckDB build (``marts_build``
   as ``main``), so validation runs unchanged on exactly what PostgreSQL computed;
4. publish: tables written into the DuckDB build by validation (data-quality history) are copied
   to ``marts_build``, which is swapped in as ``marts`` in one transaction; then the DuckDB
   build replaces ``<home>/warehouse.duckdb`` as on the DuckDB target (it keeps the history).
"""

from __future__ import annotations

import logging

import duckdb

from publication import postgres
from yuebao.month_run import MonthRun
from yuebao.pg_copy import duckdb_to_postgres, postgres_to_duckdb

log = logging.getLogger(__name__)

LANDING_SCHEMA = "landing"
# dbt's custom schemas, built in place on PostgreSQL (only the marts are read by analysts).
MODEL_SCHEMAS = ("reference", "staging", "intermediate")


def dbt_environment() -> dict[str, str]:
    """dbt's ``postgres`` target writes the marts into the build schema (profiles.yml)."""
    return {"YUEBAO_PG_SCHEMA": postgres.BUILD_SCHEMA}


def prepare(run: MonthRun) -> None:
    with postgres.connect() as con:
        postgres.start_build(con)
    log.info("PostgreSQL build schema %s started from %s", postgres.BUILD_SCHEMA, postgres.PUBLISHED_SCHEMA)


def land(run: MonthRun) -> dict[str, int]:
    """Replace PostgreSQL's ``landing`` tables by the build's (all months), in one transaction."""
    copied = {}
    with duckdb.connect(str(run.build_db), read_only=True) as source, postgres.connect() as target:
        names = [row[0] for row in source.execute(
            "select table_name from information_schema.tables where table_schema = ?", [LANDING_SCHEMA]
        ).fetchall()]
        with target.transaction():
            target.execute(f"create schema if not exists {LANDING_SCHEMA}")
            for name in names:
                copied[name] = duckdb_to_postgres(source, f"{LANDING_SCHEMA}.{name}", target, LANDING_SCHEMA, name)
    return copied


def mirror_build(run: MonthRun) -> int:
    """Copy every relation dbt built on PostgreSQL into the DuckDB build; returns how many."""
    placement = {schema: schema for schema in MODEL_SCHEMAS} | {postgres.BUILD_SCHEMA: "main"}
    mirrored = 0
    with postgres.connect() as source, duckdb.connect(str(run.build_db)) as target:
        for pg_schema, duckdb_schema in placement.items():
            target.execute(f"create schema if not exists {duckdb_schema}")
            for name in postgres.tables(source, pg_schema):
                postgres_to_duckdb(source, pg_schema, name, target, f'{duckdb_schema}."{name}"')
                mirrored += 1
    return mirrored


def publish(run: MonthRun) -> None:
    """Add the DuckDB-only tables of the build to ``marts_build``, then swap it in."""
    with duckdb.connect(str(run.build_db), read_only=True) as source, postgres.connect() as target:
        built = set(postgres.tables(target, postgres.BUILD_SCHEMA))
        extra = [row[0] for row in source.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
            " and table_type = 'BASE TABLE'"
        ).fetchall() if row[0] not in built]
        with target.transaction():
            for name in extra:
                duckdb_to_postgres(source, f'main."{name}"', target, postgres.BUILD_SCHEMA, name)
        postgres.swap_in(target)
    log.info("published %s on PostgreSQL schema %s", run.month, postgres.PUBLISHED_SCHEMA)
