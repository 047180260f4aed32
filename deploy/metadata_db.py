"""The Airflow metadata database on PostgreSQL: created when missing, dropped by tests."""

from __future__ import annotations

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


def _server_connection(url: str) -> tuple[psycopg.Connection, str]:
    """An autocommit connection to the server's maintenance database, and the database's name."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql") or not parsed.database:
        raise ValueError(f"the metadata database must be a PostgreSQL database URL, got {parsed!r}")
    connection = psycopg.connect(
        host=parsed.host or "127.0.0.1", port=parsed.port or 5432, user=parsed.username,
        password=parsed.password, dbname="postgres", autocommit=True,
    )
    return connection, parsed.database


def ensure_database(url: str) -> bool:
    """Create the database of ``url`` unless it exists; True when it was created."""
    connection, name = _server_connection(url)
    with connection:
        if connection.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            return False
        connection.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        return True


def drop_database(url: str) -> None:
    """Drop the database of ``url``, disconnecting its sessions first."""
    connection, name = _server_connection(url)
    with connection:
        connection.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
