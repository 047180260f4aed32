"""Publication on the PostgreSQL warehouse: build in ``marts_build``, swap it in as ``marts`` at once.

A month is built in schema ``marts_build``, started as a copy of the published ``marts`` (the
incremental facts keep their history there). Publication renames the schemas and drops the old
one in ONE transaction, and re-grants the readers of the old schema on the new one inside it:
an analyst's query sees the whole old month or the whole new one, never a mix, never an error.
Connections use the libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) with
the defaults of dbt_project/profiles.yml.
"""

from __future__ import annotations

import os

import psycopg
from psycopg import sql

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
