"""The data tests of fct_indicator_monthly read the rows the month's build rewrote, and every row
missing a key (dbt_project/macros/tests_of_built_rows.sql): a bad row the build wrote fails them,
a row of a month not rebuilt is left to the build that wrote it, a NULL key fails them whatever
month is built."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb

from tests.conftest import run_dbt

RESULT_LINE = re.compile(r" of \d+ (?P<status>PASS|FAIL|ERROR|WARN)(?: \d+)? (?P<name>\w+)")
DUPLICATE = "insert into main.fct_indicator_monthly select * from main.fct_indicator_monthly limit 1"
NULL_INDICATOR = ("insert into main.fct_indicator_monthly"
                  " select * replace (null as indicator_code) from main.fct_indicator_monthly limit 1")


def results_of_fact_tests(published_home: Path, workdir: Path, month: str, *changes: str) -> dict[str, str]:
    """Each test of fct_indicator_monthly → pass/fail, after ``changes`` to the sample warehouse
    (copied afresh into ``workdir``, whose dbt target is kept: later calls reuse its parse)."""
    database = workdir / "warehouse.duckdb"
    shutil.copyfile(published_home / "warehouse.duckdb", database)
    with duckdb.connect(str(database)) as con:
        for change in changes:
            con.execute(change)
    completed = run_dbt("test", "--select", "fct_indicator_monthly", database=database, workdir=workdir, month=month)
    # dbt's result lines: "3 of 15 PASS not_null_… [PASS in 0.03s]", "5 of 15 FAIL 1 unique_… [FAIL 1 in …]"
    results = {match["name"]: match["status"] for match in RESULT_LINE.finditer(completed.stdout)}
    assert results and "ERROR" not in results.values(), completed.stdout[-3000:]
    return results


def test_a_duplicate_the_build_wrote_fails_and_one_of_another_month_is_not_read_again(
        published_home: Path, tmp_path: Path) -> None:
    clean = results_of_fact_tests(published_home, tmp_path, "2024-10")
    assert len(clean) >= 8 and set(clean.values()) == {"PASS"}, clean
    built = results_of_fact_tests(published_home, tmp_path, "2024-10", DUPLICATE)
    assert built["unique_fct_indicator_monthly_observation_key"] == "FAIL", built
    later = results_of_fact_tests(published_home, tmp_path, "2024-11", DUPLICATE)  # 2024-10 is not rebuilt
    assert set(later.values()) == {"PASS"}, later


def test_a_null_key_fails_whatever_month_is_built(published_home: Path, tmp_path: Path) -> None:
    later = results_of_fact_tests(published_home, tmp_path, "2024-11", NULL_INDICATOR)
    assert later["not_null_fct_indicator_monthly_indicator_code"] == "FAIL", later
