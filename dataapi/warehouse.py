"""The query layer: one published version of the warehouse per response, on DuckDB or PostgreSQL.

Every response reads one *snapshot*: a fixed version of the published warehouse, so a load that
publishes a new month during a request never mixes months in it.

- DuckDB: ``<home>/warehouse.duckdb`` is replaced by ``os.replace`` when a month is published.
  A snapshot is the file as it was when attached read-only into a private in-memory DuckDB
  (``duckdb.connect(path)`` would reuse a process-wide instance of the *old* file while one is
  open). Attached files are cached by the file's identity (inode, mtime, size): a swap is seen by
  the next request; requests still running keep their version. No read-write connection, ever.
- PostgreSQL: schema ``marts``, swapped in one transaction by publication. A snapshot is a
  REPEATABLE READ, READ ONLY transaction that first takes ACCESS SHARE locks on the tables it
  reads (NOWAIT, retried): once held, the swap cannot commit until the response is read, and
  never deadlocks with it (the reader gives way).

SQL is written once, with ``?`` placeholders and ``{table}`` names resolved by ``Snapshot.table``.
"""

from __future__ import annotations

import csv
import io
import os
import queue
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import duckdb

# Relations the API reads; the first group is always published, the rest may be absent.
REQUIRED_TABLES = ("fct_indicator_monthly", "fct_indicator_as_published", "dim_indicator", "dim_region",
                   "dim_action", "dim_department")
OPTIONAL_TABLES = ("fct_revisions", "pub_releases", "pub_release_approvals")
# Up to this many rows a CSV answer is written in Python; beyond, DuckDB writes it (write_csv).
SMALL_CSV_ROWS = 5_000


class WarehouseUnavailable(RuntimeError):
    """Nothing is published yet, or the warehouse cannot be reached."""


class Snapshot(Protocol):
    """One published version, read-only, for the length of one response."""

    version: str

    def has(self, table: str) -> bool: ...

    def table(self, name: str) -> str: ...

    def fetch(self, sql: str, params: Sequence[object] = ()) -> tuple[list[str], list[tuple]]: ...

    def csv(self, sql: str, params: Sequence[object] = ()) -> bytes:
        """The query's rows as CSV with a header, written by the database."""
        ...

    def month(self, column: str) -> str:
        """SQL turning a DATE column into its ``YYYY-MM`` text."""
        ...


class Warehouse(Protocol):
    def version(self) -> str:
        """The published version's identity, cheaply (for ETag revalidation)."""
        ...

    def snapshot(self) -> AbstractContextManager[Snapshot]:
        """The published version as it is now, until the context ends."""
        ...


# --- DuckDB ---------------------------------------------------------------------------------------

def file_identity(path: Path) -> tuple[int, int, int]:
    """(inode, mtime in ns, size): changes with every ``os.replace`` of the published file."""
    try:
        stat = os.stat(path)
    except FileNotFoundError as missing:
        raise WarehouseUnavailable(f"no published warehouse at {path}") from missing
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def _identity_text(identity: tuple[int, int, int]) -> str:
    return "d-" + "-".join(f"{part:x}" for part in identity)


@dataclass
class _Attached:
    """A private in-memory DuckDB with one version of the published file attached read-only."""

    identity: tuple[int, int, int]
    con: duckdb.DuckDBPyConnection
    tables: frozenset[str]
    users: int = 0
    retired: bool = False

    @property
    def version(self) -> str:
        return _identity_text(self.identity)


@dataclass
class DuckDBSnapshot:
    cursor: duckdb.DuckDBPyConnection
    version: str
    tables: frozenset[str]

    def has(self, table: str) -> bool:
        return table in self.tables

    def table(self, name: str) -> str:
        return f'wh.main."{name}"'

    def fetch(self, sql: str, params: Sequence[object] = ()) -> tuple[list[str], list[tuple]]:
        result = self.cursor.execute(sql, list(params))
        return [column[0] for column in result.description], result.fetchall()

    def csv(self, sql: str, params: Sequence[object] = ()) -> bytes:
        with self.cursor.cursor() as probe:  # a connection of its own, dropped with its unread rows
            result = probe.execute(sql, list(params))
            first = result.fetchmany(SMALL_CSV_ROWS + 1)
            if len(first) <= SMALL_CSV_ROWS:  # small answers: writing them here beats a temporary file
                buffer = io.StringIO()
                writer = csv.writer(buffer, lineterminator="\n")
                writer.writerow([column[0] for column in result.description])
                writer.writerows(first)
                return buffer.getvalue().encode("utf-8")
        with tempfile.TemporaryDirectory(prefix="yuebao-csv-") as folder:
            target = Path(folder) / "data.csv"
            self.cursor.sql(sql, params=list(params)).write_csv(str(target), header=True)
            return target.read_bytes()

    def month(self, column: str) -> str:
        return f"strftime({column}, '%Y-%m')"


class DuckDBWarehouse:
    """Reads ``path`` (the published ``warehouse.duckdb``), one attached version per file identity."""

    def __init__(self, path: Path, attach_attempts: int = 20) -> None:
        self.path = Path(path)
        self._attempts = attach_attempts
        self._lock = threading.Lock()
        self._current: _Attached | None = None

    def version(self) -> str:
        return _identity_text(file_identity(self.path))

    def _attach(self) -> _Attached:
        """Attach the file as it is now: its identity before and after attaching must agree (no
        swap in between), else try again — publication swaps months apart, so once is the rule."""
        for attempt in range(self._attempts):
            before = file_identity(self.path)
            con = duckdb.connect(":memory:")
            quoted = str(self.path.resolve()).replace("'", "''")
            try:
                con.execute(f"attach '{quoted}' as wh (read_only)")
            except duckdb.IOException:  # replaced between the stat and the open: try again
                con.close()
                continue
            if file_identity(self.path) == before:
                tables = frozenset(row[0] for row in con.execute(
                    "select table_name from information_schema.tables where table_catalog = 'wh'"
                    " and table_schema = 'main'").fetchall())
                return _Attached(before, con, tables)
            con.close()
            time.sleep(0.005 * (attempt + 1))
        raise WarehouseUnavailable(f"the warehouse at {self.path} keeps changing; try again")

    def _acquire(self) -> _Attached:
        with self._lock:
            identity = file_identity(self.path)
            current = self._current
            if current is None or current.identity != identity:
                fresh = self._attach()
                if current is not None:
                    current.retired = True
                    if current.users == 0:
                        current.con.close()
                self._current = current = fresh
            current.users += 1
            return current

    def _release(self, attached: _Attached) -> None:
        with self._lock:
            attached.users -= 1
            if attached.retired and attached.users == 0:
                attached.con.close()

    @contextmanager
    def snapshot(self) -> Iterator[DuckDBSnapshot]:
        attached = self._acquire()
        try:
            cursor = attached.con.cursor()  # one connection per request on the shared instance
            try:
                yield DuckDBSnapshot(cursor, attached.version, attached.tables)
            finally:
                cursor.close()
        finally:
            self._release(attached)

    def close(self) -> None:
        with self._lock:
            if self._current is not None:
                self._current.retired = True
                if self._current.users == 0:
                    self._current.con.close()
                self._current = None


# --- PostgreSQL -----------------------------------------------------------------------------------

@dataclass
class PostgresSnapshot:
    con: object  # psycopg.Connection
    schema: str
    version: str
    tables: frozenset[str] = field(default_factory=frozenset)

    def has(self, table: str) -> bool:
        return table in self.tables

    def table(self, name: str) -> str:
        return f'"{self.schema}"."{name}"'

    def fetch(self, sql: str, params: Sequence[object] = ()) -> tuple[list[str], list[tuple]]:
        cursor = self.con.execute(sql.replace("?", "%s"), list(params))
        names = [column.name for column in cursor.description] if cursor.description else []
        return names, cursor.fetchall()

    def csv(self, sql: str, params: Sequence[object] = ()) -> bytes:
        chunks = []
        statement = f"copy ({sql.replace('?', '%s')}) to stdout with (format csv, header)"
        with self.con.cursor() as cursor, cursor.copy(statement, list(params)) as copy:
            for chunk in copy:
                chunks.append(bytes(chunk))
        return b"".join(chunks)

    def month(self, column: str) -> str:
        return f"to_char({column}, 'YYYY-MM')"


class PostgresWarehouse:
    """Reads schema ``marts`` of the database the libpq variables (or ``conninfo``) name."""

    def __init__(self, conninfo: str = "", schema: str = "marts", pool_size: int = 8,
                 lock_patience_seconds: float = 10.0) -> None:
        self.conninfo = conninfo
        self.schema = schema
        self._idle: queue.LifoQueue = queue.LifoQueue(maxsize=pool_size)
        self._patience = lock_patience_seconds
        self._known_tables: frozenset[str] | None = None

    def _connect(self):
        import psycopg

        try:
            idle = self._idle.get_nowait()
            if not idle.closed:
                return idle
        except queue.Empty:
            pass
        from yuebao.targets import postgres  # the libpq environment with the load's own defaults

        try:
            con = psycopg.connect(self.conninfo) if self.conninfo else postgres.connect(autocommit=False)
        except psycopg.OperationalError as error:
            raise WarehouseUnavailable(f"PostgreSQL warehouse unreachable: {error}") from error
        con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        con.read_only = True
        return con

    def _give_back(self, con) -> None:
        try:
            self._idle.put_nowait(con)
        except queue.Full:
            con.close()

    def _present(self, con) -> frozenset[str]:
        wanted = list(REQUIRED_TABLES + OPTIONAL_TABLES)
        rows = con.execute("select table_name from information_schema.tables where table_schema = %s"
                           " and table_name = any(%s)", [self.schema, wanted]).fetchall()
        return frozenset(row[0] for row in rows)

    def _tables(self, con) -> frozenset[str]:
        tables = self._present(con)
        con.rollback()
        return tables

    def version(self) -> str:
        with self.snapshot() as snapshot:
            return snapshot.version

    @contextmanager
    def snapshot(self) -> Iterator[PostgresSnapshot]:
        import psycopg
        from psycopg import sql

        con = self._connect()
        try:
            deadline = time.monotonic() + self._patience
            while True:
                tables = self._known_tables if self._known_tables is not None else self._tables(con)
                if not set(REQUIRED_TABLES) <= tables:
                    raise WarehouseUnavailable(f"no published warehouse in schema {self.schema}")
                try:
                    # The first statement of the transaction: the snapshot starts after the locks.
                    con.execute(sql.SQL("lock table {} in access share mode nowait").format(
                        sql.SQL(", ").join(sql.Identifier(self.schema, name) for name in sorted(tables))))
                    (oid,) = con.execute("select oid from pg_namespace where nspname = %s", [self.schema]).fetchone()
                    break
                except (psycopg.errors.LockNotAvailable, psycopg.errors.UndefinedTable):
                    con.rollback()  # a swap is in progress: give way, then read the new version
                    self._known_tables = None
                    if time.monotonic() > deadline:
                        raise WarehouseUnavailable("the warehouse is being published; try again") from None
                    time.sleep(0.02)
            if added := self._present(con) - tables:  # e.g. pub_release_approvals created since
                try:
                    con.execute("savepoint optional_tables")
                    con.execute(sql.SQL("lock table {} in access share mode nowait").format(
                        sql.SQL(", ").join(sql.Identifier(self.schema, name) for name in sorted(added))))
                    tables = tables | added
                except psycopg.errors.LockNotAvailable:
                    con.execute("rollback to savepoint optional_tables")  # read without them this time
            self._known_tables = tables
            # the schema is replaced by every publication; the release tables may change in place
            marks = [str(oid)]
            for table, column in (("pub_releases", "published_at"), ("pub_release_approvals", "approved_at")):
                if table in tables:
                    count, stamp = con.execute(sql.SQL("select count(*), max({}) from {}").format(
                        sql.Identifier(column), sql.Identifier(self.schema, table))).fetchone()
                    marks.append(f"{count}.{stamp.timestamp():.0f}" if stamp else str(count))
            yield PostgresSnapshot(con, self.schema, "p-" + "-".join(marks), tables)
            con.rollback()
            self._give_back(con)
        except BaseException:
            con.close()
            raise

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


def open_warehouse(home: Path, target: str = "duckdb") -> DuckDBWarehouse | PostgresWarehouse:
    """The published warehouse of a deployment: ``<home>/warehouse.duckdb`` or PostgreSQL ``marts``."""
    if target == "postgres":
        return PostgresWarehouse()
    return DuckDBWarehouse(Path(home) / "warehouse.duckdb")
