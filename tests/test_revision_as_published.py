"""A revision of an already published period: "as published in M" keeps M's numbers.

Month M (2024-09) publishes 产业投资 1-9月 = 593.47 亿元. Month M+1 (2024-10) sends 1-10月 and
revises 1-9月 to 600.00. Afterwards the latest facts carry the revision, the bulletin's input for
M still reads M's value, and fct_revisions holds one row with the old and the new value.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

HEADER = "报送单位,统计期,地区,指标名称,数值,单位,同比增长(%),全省排名,片区排名,年度目标,备注\n"
SEPTEMBER = date(2024, 9, 1)
OCTOBER = date(2024, 10, 1)
KEY = "indicator_code = 'industry_investment' and region_code = '430500' and period = date '2024-09-01'"


def write_inbox(inbox: Path) -> None:
    rows = {
        "2024-09": ["市发改委,2024年1-9月,邵阳市,产业投资,593.47,亿元,5.7,,,800,"],
        "2024-10": ["市发改委,2024年1-10月,邵阳市,产业投资,660.00,亿元,5.9,,,800,",
                    "市发改委,2024年1-9月,邵阳市,产业投资,600.00,亿元,5.7,,,800,统计局反馈后修订"],
    }
    for month, lines in rows.items():
        folder = inbox / month
        folder.mkdir(parents=True)
        (folder / f"市发改委_投资类指标_{month}.csv").write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def revised_home(tmp_path_factory: pytest.TempPathFactory, run_yuebao) -> Path:
    inbox = tmp_path_factory.mktemp("inbox")
    home = tmp_path_factory.mktemp("home")
    write_inbox(inbox)
    for month in ("2024-09", "2024-10"):
        completed = run_yuebao("run", "--month", month, "--inbox", inbox, "--home", home)
        assert completed.returncode == 0, completed.stderr[-3000:]
    return home


def query(home: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.slow
def test_the_latest_facts_carry_the_revised_value(revised_home: Path) -> None:
    rows = query(revised_home, f"select value, source_report_month from fct_indicator_monthly where {KEY}")
    assert rows == [(600.0, OCTOBER)]
    october = query(revised_home, "select value_month from fct_indicator_monthly"
                                  " where indicator_code = 'industry_investment' and period = date '2024-10-01'")
    assert october == [(pytest.approx(60.0),)]


@pytest.mark.slow
def test_as_published_in_september_still_returns_septembers_number(revised_home: Path) -> None:
    as_published = query(revised_home, f"""
        select value, completion_pct from fct_indicator_as_published
        where {KEY} and report_month <= date '2024-09-01'
        qualify row_number() over (order by report_month desc) = 1""")
    assert as_published == [(593.47, pytest.approx(593.47 / 800 * 100))]
    bulletin_input = query(revised_home, """
        select period, value from rpt_indicator_report_month
        where report_month = date '2024-09-01' and indicator_code = 'industry_investment'""")
    assert bulletin_input == [(SEPTEMBER, 593.47)]


@pytest.mark.slow
def test_october_bulletin_input_shows_the_new_month(revised_home: Path) -> None:
    rows = query(revised_home, """
        select period, value, value_month from rpt_indicator_report_month
        where report_month = date '2024-10-01' and indicator_code = 'industry_investment'""")
    assert rows == [(OCTOBER, 660.0, pytest.approx(60.0))]


@pytest.mark.slow
def test_the_revision_is_recorded_once_with_old_and_new(revised_home: Path) -> None:
    rows = query(revised_home, """
        select indicator_code, region_code, period, old_value, new_value, difference,
               old_report_month, new_report_month, report_month, new_submitted_by,
               old_source_file, new_source_file
        from fct_revisions""")
    assert rows == [(
        "industry_investment", "430500", SEPTEMBER, 593.47, 600.0, pytest.approx(6.53),
        SEPTEMBER, OCTOBER, OCTOBER, "市发改委",
        "市发改委_投资类指标_2024-09.csv", "市发改委_投资类指标_2024-10.csv",
    )]
