"""Atomic publication of the DuckDB warehouse.

The month is built in a private file; once the gate passes it is checkpointed, closed and moved
onto ``<home>/warehouse.duckdb`` with ``os.replace`` (atomic on one filesystem). Open analyst
sessions keep reading the old month; new ones see the new month; a failed load changes nothing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb


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


def finalize(build_db: Path) -> None:
    """Fold the write-ahead log into the file so the single file is the whole database."""
    with duckdb.connect(str(build_db)) as con:
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
