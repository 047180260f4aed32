"""Reading a month's files in worker processes lands exactly what a serial read lands.

Large months are parsed by a process pool (``ingestion.file_pool``) and landed in archive order.
The whole bad-input corpus beside the sample month is ingested both ways, the pool forced on, and
every landing table must match row for row, in the same order.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingestion import file_pool, load
from ingestion.file_pool import read_in_order, reading_workers
from ingestion.landing import TABLES
from tests.test_ingestion_corpus import CASES, MONTH, SEEDS, build_inbox


def landed_tables(inbox: Path, home: Path, workers: int, monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    monkeypatch.setattr(load, "reading_workers", lambda total_bytes: workers)
    with duckdb.connect() as con:
        ingest_summary = load.ingest_month(con, inbox, home, MONTH, SEEDS)
        tables = {table: con.execute(f"select * from {table} order by rowid").fetchall() for table in TABLES}
    return tables | {"summary": [ingest_summary.as_dict()]}


def test_a_pool_of_readers_lands_what_one_reader_lands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = build_inbox(tmp_path / "inbox", CASES)
    serial = landed_tables(inbox, tmp_path / "home-serial", 0, monkeypatch)
    pooled = landed_tables(inbox, tmp_path / "home-pool", 2, monkeypatch)
    assert len(serial["landing.observations"]) > 100 and len(serial["landing.ingest_issues"]) > 30
    for table, rows in serial.items():
        assert pooled[table] == rows, table


def test_results_come_back_in_the_order_given() -> None:
    items = list(range(9))
    assert list(read_in_order(abs, items, 2)) == items  # more items than the workers' window
    assert list(read_in_order(abs, items, 0)) == items


def test_only_large_months_start_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_pool.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert reading_workers(file_pool.PARALLEL_MIN_BYTES - 1) == 0
    assert reading_workers(file_pool.PARALLEL_MIN_BYTES) == 2
    monkeypatch.setattr(file_pool.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert reading_workers(10 * file_pool.PARALLEL_MIN_BYTES) == 0


def _exit_on_three(item: int) -> int:
    if item == 3:
        import os

        os._exit(1)  # a worker killed mid-read, as the kernel's OOM killer would
    return item


def test_a_dead_worker_leaves_the_rest_to_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    read = []
    monkeypatch.setattr(file_pool, "map", lambda function, items: (read.append(item) or item for item in items),
                        raising=False)
    assert list(read_in_order(_exit_on_three, list(range(7)), 2)) == list(range(7))
    assert 3 in read  # the item whose worker died was read here
