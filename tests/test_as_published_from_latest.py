"""The facts a month publishes are computed once when it is the latest month landed.

``int_indicator_facts_rebuilt`` holds the latest facts of the loaded month's scope; when no later
report month has landed, ``fct_indicator_as_published`` takes them as "as published in M"
instead of computing the facts again as of M. These tests hold the shortcut to the computation
it replaces: a full refresh computes every month as of itself, and the rebuild of an older month
(a later one has landed) still takes the long way.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

from tests.conftest import copy_home
from tests.test_revision_as_published import (
    revised_home as revised_home,  # a fixture, built for this module too
)
from tests.test_revision_as_published import write_inbox

TABLES = ("fct_indicator_as_published", "fct_indicator_monthly", "rpt_indicator_report_month", "fct_revisions")


def snapshot(home: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return {table: con.execute(f"select * from {table} order by all").fetchall() for table in TABLES}


def took_the_latest_facts(home: Path) -> bool:
    """Whether the last build's fct_indicator_as_published selected from int_indicator_facts_rebuilt."""
    results = json.loads((home / "dbt_target" / "run_results.json").read_text(encoding="utf-8"))
    (node,) = [node for node in results["results"] if node["unique_id"].endswith(".fct_indicator_as_published")]
    return re.search(r"\bfrom\s+\S*int_indicator_facts_rebuilt", node["compiled_code"]) is not None


def test_months_built_one_by_one_equal_a_full_recomputation(synth_backfilled_home: Path, synth_inbox: Path,
                                                            run_yuebao, tmp_path: Path) -> None:
    """Each month of the backfill was the latest when it was built (the shortcut); a full refresh
    computes every month's facts as of that month from the landing history."""
    home = copy_home(synth_backfilled_home, tmp_path / "home")
    built = snapshot(home)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        months = con.execute("select count(distinct report_month) from fct_indicator_as_published").fetchone()
    assert months == (3,) and built["fct_indicator_as_published"]
    again = run_yuebao("run", "--month", "2024-03", "--inbox", synth_inbox, "--home", home,
                       "--reference", synth_inbox / "reference", "--full-refresh")
    assert again.returncode == 0, again.stderr[-3000:]
    assert not took_the_latest_facts(home)  # the full computation ran
    assert snapshot(home) == built


def test_an_older_month_rebuilt_after_its_revision_keeps_what_it_published(revised_home: Path, run_yuebao,
                                                                           tmp_path: Path) -> None:
    """2024-10 revised 2024-09's 1-9月 figure (tests/test_revision_as_published.py): rebuilt now,
    2024-09 must still publish its own figure, not the latest one."""
    home = copy_home(revised_home, tmp_path / "home")
    inbox = tmp_path / "inbox"
    write_inbox(inbox)
    built = snapshot(home)
    assert built["fct_revisions"]  # the revision is there to be kept apart
    older = run_yuebao("run", "--month", "2024-09", "--inbox", inbox, "--home", home)
    assert older.returncode == 0, older.stderr[-3000:]
    assert not took_the_latest_facts(home)  # 2024-10 has landed
    assert snapshot(home) == built
    latest = run_yuebao("run", "--month", "2024-10", "--inbox", inbox, "--home", home)
    assert latest.returncode == 0, latest.stderr[-3000:]
    assert took_the_latest_facts(home)  # the latest month: computed once
    assert snapshot(home) == built
    refreshed = run_yuebao("run", "--month", "2024-10", "--inbox", inbox, "--home", home, "--full-refresh")
    assert refreshed.returncode == 0, refreshed.stderr[-3000:]
    assert snapshot(home) == built
