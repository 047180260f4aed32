"""Files read ahead (a backfill's next month, while dbt builds this one) land what the ingest's
own read lands, and a file changed after it was read ahead is read again."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingestion import load, read_ahead
from ingestion.landing import TABLES
from tests.test_ingestion_corpus import CASES, MONTH, SEEDS, build_inbox


def landed(inbox: Path, home: Path, ready: dict | None = None) -> dict[str, list]:
    with duckdb.connect() as con:
        summary = load.ingest_month(con, inbox, home, MONTH, SEEDS, ready)
        tables = {table: con.execute(f"select * from {table} order by rowid").fetchall() for table in TABLES}
    return tables | {"summary": [summary.as_dict()]}


def fresh_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the ingest reads itself (not handed over ready)."""
    names: list[str] = []
    original = load.read_for_landing

    def counting(entry, **kwargs):  # type: ignore[no-untyped-def]
        names.append(entry.original_name)
        return original(entry, **kwargs)

    monkeypatch.setattr(load, "read_for_landing", counting)
    return names


def test_what_was_read_ahead_lands_as_the_ingest_would_land_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = build_inbox(tmp_path / "inbox", CASES)
    serial = landed(inbox, tmp_path / "home-serial")

    count = read_ahead.read_month_ahead(inbox, MONTH, SEEDS, stop=lambda: False)
    ready = read_ahead.ready_reads(inbox, MONTH)
    assert count == len(ready) > 20
    read_here = fresh_reads(monkeypatch)
    ahead = landed(inbox, tmp_path / "home-ahead", ready)
    assert len(read_here) < len(CASES) - 20  # most files were not read again
    for table, rows in serial.items():
        assert ahead[table] == rows, table
    assert read_ahead.ready_reads(inbox, MONTH) == {}  # handed over once


def test_a_file_replaced_after_it_was_read_ahead_is_read_again(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = build_inbox(tmp_path / "inbox", CASES)
    read_ahead.read_month_ahead(inbox, MONTH, SEEDS, stop=lambda: False)
    ready = read_ahead.ready_reads(inbox, MONTH)
    changed = next(path for path in sorted((inbox / MONTH).glob("*.csv"))
                   if path.read_bytes().decode("utf-8", "replace").count("\n") > 2)
    lines = changed.read_bytes().splitlines(keepends=True)
    changed.write_bytes(b"".join(lines[:-1]))  # the department sent it again without its last row

    read_here = fresh_reads(monkeypatch)
    ahead = landed(inbox, tmp_path / "home-ahead", ready)
    monkeypatch.undo()
    serial = landed(inbox, tmp_path / "home-serial")
    assert any(name.endswith(changed.name) or name == changed.name for name in read_here)
    for table, rows in serial.items():
        assert ahead[table] == rows, table


def test_reading_ahead_stops_when_asked_and_keeps_one_month(tmp_path: Path) -> None:
    inbox = build_inbox(tmp_path / "inbox", CASES)
    assert read_ahead.read_month_ahead(inbox, MONTH, SEEDS, stop=lambda: True) == 0
    calls = iter([False, False, True])
    assert read_ahead.read_month_ahead(inbox, MONTH, SEEDS, stop=lambda: next(calls)) == 2
    assert read_ahead.ready_reads(inbox, "2024-11") == {}  # another month's ingest takes nothing
    assert len(read_ahead.ready_reads(inbox, MONTH)) == 2
