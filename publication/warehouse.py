"""Atomic publication of the DuckDB warehouse.

The month is built in a private file; once the gate passes it is checkpointed, closed and moved
onto ``<home>/warehouse.duckdb`` with ``os.replace`` (atomic on one filesystem). Open analyst
sessions keep reading the old month; new ones see the new month; a failed load changes nothing.
"""

from __future__ import annotations

import ctypes
import functools
import os
import shutil
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb

from publication.releases import TABLE as RELEASES


def start_build(published: Path, build_db: Path, build_dir: Path) -> None:
    """Start the month's build from a copy of the published warehouse (it holds the history).

    ``build_db`` lives in a folder of its own; ``build_dir`` holds the month's other artifacts
    (gate result, exports, staged publication). The caller hands both over empty (it alone knows
    which folders it may empty: ``yuebao.home.fresh_build_folder``); this never deletes a folder.
    """
    for folder in (build_db.parent, build_dir):
        folder.mkdir(parents=True, exist_ok=True)
    if build_db.exists() or build_db.with_name(build_db.name + ".wal").exists():
        raise FileExistsError(f"build database {build_db} already exists: the build folder is not fresh")
    if published.exists():
        shutil.copyfile(published, build_db)
        start_writing_out(build_db)


SYNC_FILE_RANGE_WRITE = 2  # <linux/fs.h>: start writing the range's dirty pages out; do not wait for them


def start_writing_out(path: Path) -> threading.Thread | None:
    """Have the disk start writing ``path``'s dirty pages now, in a thread that does not hold up the
    caller; returns it (None where the system call is missing).

    A copy of the warehouse (1.2 GB after ten years of a province) is all dirty in the page cache,
    below the kernel's own threshold for writing it out (10 % of memory), so the build's first
    checkpoint — the ingest's — waited for all of it; started here, the writes overlap the ingest's
    own work (docs/benchmarks.md, eighth part). Only the start is asked for (`sync_file_range`
    with ``SYNC_FILE_RANGE_WRITE``): whether the data is on disk is still the checkpoint's business.
    """
    start_writing = _sync_file_range()
    if start_writing is None:
        return None

    def write_out() -> None:
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except OSError:  # gone already (a build folder emptied): nothing to write
            return
        try:
            start_writing(descriptor, 0, 0, SYNC_FILE_RANGE_WRITE)
        finally:
            os.close(descriptor)

    thread = threading.Thread(target=write_out, name=f"write out {path.name}", daemon=True)
    thread.start()
    return thread


@functools.cache  # looked up once per process, not at every month's prepare
def _sync_file_range() -> Callable[[int, int, int, int], int] | None:
    function = getattr(ctypes.CDLL(None, use_errno=True), "sync_file_range", None)  # Linux's libc
    if function is None:
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def hand_off(build_db: Path, checked_db: Path) -> None:
    """Move the month's build (dbt has closed it) to ``checked_db``, where the gate and publish
    take it while the next month of a backfill starts its own build from a copy of it."""
    checked_db.parent.mkdir(parents=True, exist_ok=True)
    os.replace(build_db, checked_db)
    wal = build_db.with_name(build_db.name + ".wal")
    if wal.exists():
        os.replace(wal, checked_db.with_name(checked_db.name + ".wal"))


def carry_over(published: Path, build_db: Path, tables: tuple[str, ...], month: str,
               config: Mapping[str, object] | None = None) -> None:
    """Replace ``tables`` of ``build_db`` by the published warehouse's, once ``month`` is published.

    A month that built on the handed-off build of ``month`` started before ``month`` was checked
    and published: the tables the gate and publication write (never read by dbt) are taken from
    the warehouse they went out in, so the build holds what a copy of it would have held.
    ``config``: the DuckDB settings of the build's connections.
    """
    with duckdb.connect(str(build_db), config=dict(config or {})) as con:
        con.execute("attach ? as published (read_only)", [str(published)])
        present = {row[0] for row in con.execute(
            "select table_name from duckdb_tables() where database_name = 'published' and schema_name = 'main'"
        ).fetchall()}
        released = RELEASES in present and con.execute(
            f"select count(*) from published.main.{RELEASES} where report_month = ?", [month]).fetchone()[0]
        if not released:
            raise RuntimeError(f"{month} is not in the published warehouse, and this month was built on it")
        con.execute("begin transaction")
        for table in tables:
            con.execute(f'drop table if exists main."{table}"')
            if table in present:
                con.execute(f'create table main."{table}" as select * from published.main."{table}"')
        con.execute("commit")
        con.execute("detach published")


def finalize(build_db: Path, config: Mapping[str, object] | None = None) -> None:
    """Fold the write-ahead log into the file so the single file is the whole database
    (``config``: the DuckDB settings of the build's connections)."""
    with duckdb.connect(str(build_db), config=dict(config or {})) as con:
        con.execute("checkpoint")
    wal = build_db.with_name(build_db.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"write-ahead log still present after checkpoint: {wal}")


def swap_in(build_db: Path, published: Path) -> None:
    """Replace the published warehouse by the built one in one rename."""
    finalize(build_db)
    with open(build_db, "rb") as handle:
        os.fsync(handle.fileno())
    # The build folder lives under home, on the published file's filesystem: the rename is atomic.
    os.replace(build_db, published)
