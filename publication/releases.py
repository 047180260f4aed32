"""The release log: when each report month was published (table ``pub_releases``).

Written into the month's build just before it is swapped in, so the row is published with the
month it describes (PostgreSQL receives it with the build's other DuckDB-side tables). The data
API reads it for release info and for ``updated_after`` (facts a release recomputed are "updated"
at its ``published_at``). Publishing a month again replaces its row: the month was re-published.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from pathlib import Path

import duckdb

TABLE = "pub_releases"


def record_release(build_db: Path, month: str, published_at: datetime.datetime | None = None, *,
                   config: Mapping[str, object] | None = None) -> None:
    """Record that report month ``month`` (YYYY-MM) is published at ``published_at`` (default: now, UTC);
    ``config``: the DuckDB settings of the build's connections."""
    moment = published_at or datetime.datetime.now(datetime.UTC)
    with duckdb.connect(str(build_db), config=dict(config or {})) as con:
        con.execute("set timezone = 'UTC'")
        con.execute(f"create table if not exists main.{TABLE} (report_month varchar, published_at timestamptz)")
        con.execute(f"delete from main.{TABLE} where report_month = ?", [month])
        con.execute(f"insert into main.{TABLE} values (?, ?)", [month, moment])
