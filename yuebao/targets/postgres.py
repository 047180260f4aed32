"""The PostgreSQL target: dbt builds on a server analysts share; a month swaps in as one transaction.

The month's DuckDB build file stays the landing history and the place the gate, the reports
and the bulletin read; PostgreSQL is where dbt builds and where analysts query:

1. prepare: ``marts_build`` starts as a copy of the published ``marts`` (the incremental facts
   keep their history there);
2. land: the build's landing tables (whole history) replace schema ``landing`` on PostgreSQL;
3. dbt builds ``staging``/``intermediate``/``reference`` and ``marts_build`` (``--target
   postgres``); after_build mirrors every built relation into the DuckDB build (``marts_build``
   as ``main``), so validation runs unchanged on exactly what PostgreSQL computed;
4. publish: tables written into the DuckDB build by validation (data-quality history) are copied
   to ``marts_build``, which replaces ``marts`` in ONE transaction that renames the schemas, drops
   the old one and re-grants the old schema's readers: an analyst's query sees the whole old month
   or the whole new one, never a mix, never an error. Then the DuckDB build replaces
   ``<home>/warehouse.duckdb`` as on the DuckDB target (it keeps the history).

Connections use the libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) with the
defaults of dbt_project/profiles.yml: they are libpq's settings, shared with dbt and psql.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

import duckdb
import psycopg
from psycopg import sql

from yuebao.targets.duckdb import DuckDbTarget
from yuebao.targets.pg_copy import duckdb_to_postgres, postgres_to_duckdb

if TYPE_CHECKING:
    from yuebao.month_run import MonthRun

log = logging.getLogger(__name__)

LANDING_SCHEMA = "landing"
# dbt's custom schemas, built in place on PostgreSQL (only the marts are read by analysts).
MODEL_SCHEMAS = ("reference", "staging", "intermediate")
PUBLISHED_SCHEMA = "marts"
BUILD_SCHEMA = "marts_build"
RETIRED_SCHEMA = "marts_old"
# A forgotten analyst transaction holding the old tables must not hang the load forever.
SWAP_LOCK_TIMEOUT = "5min"


def connect(autocommit: bool = True) -> psycopg.Connection:
    """A connection from the libpq environment, defaulting like dbt's ``postgres`` target; autocommit,
    so each ``with con.transaction()`` block is one real transaction."""
    return psycopg.connect(
        host=os.environ.get("PGHOST", "127.0.0.1"), port=os.environ.get("PGPORT", "5432"),
        user=os.environ.get("PGUSER", "postgres"), dbname=os.environ.get("PGDATABASE", "postgres"),
        autocommit=autocommit,
    )


def schema_exists(con: psycopg.Connection, schema: str) -> bool:
    return con.execute("select 1 from pg_namespace where nspname = %s", [schema]).fetchone() is not None


def tables(con: psycopg.Connection, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = %s order by table_name", [schema]
    ).fetchall()
    return [row[0] for row in rows]


def start_build(con: psycopg.Connection) -> None:
    """(Re)create ``marts_build`` as a copy of the published ``marts`` (empty on the first month)."""
    with con.transaction():
        con.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(BUILD_SCHEMA)))
        con.execute(sql.SQL("create schema {}").format(sql.Identifier(BUILD_SCHEMA)))
        if not schema_exists(con, PUBLISHED_SCHEMA):
            return
        for table in tables(con, PUBLISHED_SCHEMA):
            build, published = sql.Identifier(BUILD_SCHEMA, table), sql.Identifier(PUBLISHED_SCHEMA, table)
            con.execute(sql.SQL("create table {} (like {} including all)").format(build, published))
            con.execute(sql.SQL("insert into {} select * from {}").format(build, published))


def readers(con: psycopg.Connection, schema: str) -> list[str]:
    """Roles (other than the owner) granted USAGE on ``schema``."""
    rows = con.execute(
        "select distinct role.rolname from pg_namespace as namespace"
        " cross join lateral aclexplode(namespace.nspacl) as acl"
        " inner join pg_roles as role on role.oid = acl.grantee"
        " where namespace.nspname = %s and acl.privilege_type = 'USAGE' and acl.grantee <> namespace.nspowner",
        [schema],
    ).fetchall()
    return [row[0] for row in rows]


def grant_read(con: psycopg.Connection, role: str, schema: str = PUBLISHED_SCHEMA) -> None:
    """USAGE on the schema and SELECT on its tables: read-only access to the published month."""
    con.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(schema), sql.Identifier(role)))
    con.execute(sql.SQL("grant select on all tables in schema {} to {}").format(
        sql.Identifier(schema), sql.Identifier(role)))


def swap_in(con: psycopg.Connection) -> None:
    """Publish ``marts_build`` as ``marts`` in one transaction, keeping the readers' grants."""
    with con.transaction():
        con.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(SWAP_LOCK_TIMEOUT)))
        keep = readers(con, PUBLISHED_SCHEMA) if schema_exists(con, PUBLISHED_SCHEMA) else []
        con.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(RETIRED_SCHEMA)))
        if schema_exists(con, PUBLISHED_SCHEMA):
            con.execute(sql.SQL("alter schema {} rename to {}").format(
                sql.Identifier(PUBLISHED_SCHEMA), sql.Identifier(RETIRED_SCHEMA)))
        con.execute(sql.SQL("alter schema {} rename to {}").format(
            sql.Identifier(BUILD_SCHEMA), sql.Identifier(PUBLISHED_SCHEMA)))
        for role in keep:
            grant_read(con, role)
        con.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(RETIRED_SCHEMA)))


def create_analyst_role(con: psycopg.Connection, role: str) -> None:
    """A NOLOGIN group role that may only read the published schema; give it to people with
    ``GRANT <role> TO alice``. Later swaps keep the grant (see ``swap_in``)."""
    with con.transaction():
        if con.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone() is None:
            con.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
        if not schema_exists(con, PUBLISHED_SCHEMA):
            con.execute(sql.SQL("create schema {}").format(sql.Identifier(PUBLISHED_SCHEMA)))
        grant_read(con, role)


class PostgresTarget:
    name = "postgres"

    def __init__(self) -> None:
        self.build_file = DuckDbTarget()  # the DuckDB build every target keeps

    def prepare(self, run: MonthRun) -> None:
        self.build_file.prepare(run)
        with connect() as con:
            start_build(con)
        log.info("PostgreSQL build schema %s started from %s", BUILD_SCHEMA, PUBLISHED_SCHEMA)

    def land(self, run: MonthRun) -> None:
        """Replace PostgreSQL's ``landing`` tables by the build's (all months), in one transaction."""
        with duckdb.connect(str(run.build_db), read_only=True) as source, connect() as target:
            names = [row[0] for row in source.execute(
                "select table_name from information_schema.tables where table_schema = ?", [LANDING_SCHEMA]
            ).fetchall()]
            with target.transaction():
                target.execute(f"create schema if not exists {LANDING_SCHEMA}")
                for name in names:
                    duckdb_to_postgres(source, f"{LANDING_SCHEMA}.{name}", target, LANDING_SCHEMA, name)

    def profile_environment(self, run: MonthRun) -> dict[str, str]:
        """dbt's ``postgres`` target writes the marts into the build schema (profiles.yml)."""
        return {"YUEBAO_PG_SCHEMA": BUILD_SCHEMA}

    def built_from(self, run: MonthRun) -> dict[str, str]:
        """None: the build schema is rebuilt from the published one each month, catalog included."""
        return {}

    def record_built(self, run: MonthRun, digests: dict[str, str]) -> None:
        """Nothing is skipped on PostgreSQL (`built_from`), so nothing to remember."""

    def after_build(self, run: MonthRun) -> None:
        """Copy every relation dbt built on PostgreSQL into the DuckDB build."""
        placement = {schema: schema for schema in MODEL_SCHEMAS} | {BUILD_SCHEMA: "main"}
        with connect() as source, duckdb.connect(str(run.build_db)) as target:
            for pg_schema, duckdb_schema in placement.items():
                target.execute(f"create schema if not exists {duckdb_schema}")
                for name in tables(source, pg_schema):
                    postgres_to_duckdb(source, pg_schema, name, target, f'{duckdb_schema}."{name}"')

    def publish(self, run: MonthRun) -> None:
        """Add the DuckDB-only tables of the build to ``marts_build``, swap it in, then the DuckDB file."""
        with duckdb.connect(str(run.checked_db), read_only=True) as source, connect() as target:
            built = set(tables(target, BUILD_SCHEMA))
            extra = [row[0] for row in source.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
                " and table_type = 'BASE TABLE'"
            ).fetchall() if row[0] not in built]
            with target.transaction():
                for name in extra:
                    duckdb_to_postgres(source, f'main."{name}"', target, BUILD_SCHEMA, name)
            swap_in(target)
        log.info("published %s on PostgreSQL schema %s", run.month, PUBLISHED_SCHEMA)
        self.build_file.publish(run)  # one transaction on PostgreSQL, before the DuckDB file moves
