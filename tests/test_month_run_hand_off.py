"""The paths a backfill's overlap hands a month's build along, and the runs it refuses."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from publication.releases import record_release
from publication.warehouse import carry_over, hand_off
from yuebao.month_run import MonthRun


def test_a_handed_off_month_is_checked_in_its_own_folder_and_the_next_builds_on_it(tmp_path: Path) -> None:
    plain = MonthRun("2024-02", tmp_path / "inbox", tmp_path / "home")
    assert plain.checked_db == plain.build_db and plain.base_db == plain.published_db
    before = MonthRun("2024-01", tmp_path / "inbox", tmp_path / "home", hand_off=True)
    after = MonthRun("2024-02", tmp_path / "inbox", tmp_path / "home", hand_off=True, builds_on="2024-01")
    assert before.checked_db == tmp_path / "home" / "build" / "2024-01" / "checked" / "warehouse.duckdb"
    assert after.base_db == before.checked_db
    assert after.build_db == before.build_db  # dbt always builds the same path (its partial parse)
    assert MonthRun.from_dict(after.as_dict()) == after  # through the DAG's params and back


@pytest.mark.parametrize(("month", "builds_on", "target", "error"), [
    ("2024-02", "2024-02", "duckdb", "not before it"),
    ("2024-02", "2024-03", "duckdb", "not before it"),
    ("2024-02", "2024-01", "postgres", "only the duckdb target"),
])
def test_a_run_that_cannot_build_on_that_month_is_refused(tmp_path: Path, month: str, builds_on: str,
                                                          target: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        MonthRun(month, tmp_path, tmp_path, target, builds_on=builds_on)


def test_carry_over_waits_for_the_month_it_built_on_to_be_published(tmp_path: Path) -> None:
    published, build = tmp_path / "warehouse.duckdb", tmp_path / "build" / "warehouse.duckdb"
    build.parent.mkdir()
    for path in (published, build):
        with duckdb.connect(str(path)) as con:
            con.execute("create table dq_failure_history (report_month varchar, failures integer)")
    with duckdb.connect(str(published)) as con:
        con.execute("insert into dq_failure_history values ('2024-01', 3)")
    with pytest.raises(RuntimeError, match="2024-01 is not in the published warehouse"):
        carry_over(published, build, ("dq_failure_history", "pub_releases"), "2024-01")

    record_release(published, "2024-01")
    carry_over(published, build, ("dq_failure_history", "pub_releases"), "2024-01")
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("select * from dq_failure_history").fetchall() == [("2024-01", 3)]
        assert con.execute("select report_month from pub_releases").fetchall() == [("2024-01",)]

    checked = tmp_path / "build" / "2024-02" / "checked" / "warehouse.duckdb"
    hand_off(build, checked)
    assert checked.is_file() and not build.exists()


@pytest.mark.parametrize(("month", "hand_off", "compacts"), [
    ("2024-02", False, True),  # `yuebao run`, the scheduler: every build compacts
    ("2024-02", True, False),  # a backfill's overlapped month: no vacuum ...
    ("2024-12", True, True),  # ... but December's, for the year
])
def test_only_a_backfills_december_compacts_among_its_months(tmp_path: Path, month: str, hand_off: bool,
                                                             compacts: bool) -> None:
    from yuebao.settings import Settings
    from yuebao.targets.duckdb import VACUUM_TASKS, build_config
    from yuebao.transform import dbt_environment

    run = MonthRun(month, tmp_path, tmp_path, hand_off=hand_off)
    assert run.compacts is compacts
    tasks = VACUUM_TASKS if compacts else 0
    settings = Settings()
    assert build_config(run, settings) == {**settings.duckdb_config(), "max_vacuum_tasks": tasks}  # the ingest's
    assert dbt_environment(run, settings)["YUEBAO_DUCKDB_VACUUM_TASKS"] == str(tasks)  # dbt's profile


def test_a_compacting_build_keeps_duckdbs_own_vacuum_default() -> None:
    from yuebao.targets.duckdb import VACUUM_TASKS

    with duckdb.connect() as con:
        default = con.execute("select value from duckdb_settings() where name = 'max_vacuum_tasks'").fetchone()
    assert default == (str(VACUUM_TASKS),)
