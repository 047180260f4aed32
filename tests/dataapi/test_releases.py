"""Publication records when each month went out (pub_releases), which release info and
updated_after are built on."""

from __future__ import annotations

import datetime
from pathlib import Path

import duckdb

from publication.releases import record_release


def test_yuebao_run_records_the_months_publication(published_home: Path) -> None:
    with duckdb.connect(str(published_home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("select report_month, published_at from pub_releases").fetchall()
    assert [month for month, _ in rows] == ["2024-10"]
    published_at = rows[0][1]
    assert published_at.tzinfo is not None
    assert datetime.timedelta(0) <= datetime.datetime.now(datetime.UTC) - published_at < datetime.timedelta(days=1)


def test_publishing_a_month_again_replaces_its_row(tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    first = datetime.datetime(2024, 11, 5, 2, 0, tzinfo=datetime.UTC)
    again = datetime.datetime(2024, 11, 6, 3, 0, tzinfo=datetime.UTC)
    record_release(database, "2024-10", first)
    record_release(database, "2024-11", again)
    record_release(database, "2024-10", again)
    with duckdb.connect(str(database), read_only=True) as con:
        con.execute("set timezone = 'UTC'")
        rows = con.execute("select report_month, published_at from pub_releases order by 1").fetchall()
    assert [(month, stamp.astimezone(datetime.UTC)) for month, stamp in rows] == [("2024-10", again), ("2024-11", again)]
