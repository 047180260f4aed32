"""A backfill's months build without compacting, but December's; every other build compacts.

DuckDB's checkpoint vacuum merges the row groups a month appended, and the rows it deleted, with
their neighbours: at 120 months of a province the largest part of closing a month's build
(docs/benchmarks.md). ``MonthRun.compacts`` says which builds skip it; the layout of the tables
shows whether every connection that wrote the build did: the ingest's (landing), dbt's (facts),
the gate's and publication's (they would compact what the others left).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import copy_home
from yuebao import steps
from yuebao.month_run import MonthRun
from yuebao.settings import Settings

TABLES = ("landing.observations", "main.fct_indicator_as_published")


def row_groups(database: Path) -> dict[str, int]:
    with duckdb.connect(str(database), read_only=True) as con:
        return {table: con.execute(f"select count(distinct row_group_id) from pragma_storage_info('{table}')"
                                   ).fetchone()[0] for table in TABLES}


@pytest.mark.parametrize(("hand_off", "groups"), [(True, 3), (False, 1)])
def test_the_months_rows_stay_in_a_row_group_of_their_own_when_the_build_does_not_compact(
        synth_backfilled_home: Path, synth_inbox: Path, tmp_path: Path, hand_off: bool, groups: int) -> None:
    home = copy_home(synth_backfilled_home, tmp_path / "home")
    assert row_groups(home / "warehouse.duckdb") == dict.fromkeys(TABLES, 3)  # 2024-01 … 03, not compacted
    run = MonthRun("2024-03", synth_inbox, home, reference=synth_inbox / "reference", documents=False,
                   hand_off=hand_off)
    assert run.compacts is not hand_off
    settings = Settings.from_environ()
    for step in (steps.prepare, steps.ingest, steps.transform, steps.validate, steps.publish):  # no warm worker
        step(run, settings)
    # 2024-03 loaded again: its old row group emptied and dropped, the new rows in one of their
    # own; compacted, one row group holds the three months
    assert row_groups(home / "warehouse.duckdb") == dict.fromkeys(TABLES, groups)
