"""ReportMonth: the one report-month type (parse, print, arithmetic, ranges, the DAG's default)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingestion.report_month import PATTERN, InvalidMonth, ReportMonth

months = st.builds(ReportMonth, st.integers(1900, 2199), st.integers(1, 12))


@given(months)
def test_a_month_prints_as_yyyy_mm_and_parses_back_to_itself(month: ReportMonth) -> None:
    text = str(month)
    assert re.fullmatch(r"\d{4}-\d{2}", text)
    assert ReportMonth.parse(text) == month


@given(months.filter(lambda month: ReportMonth(1900, 1) < month < ReportMonth(2199, 12)))
def test_next_and_previous_undo_each_other_and_keep_the_order(month: ReportMonth) -> None:
    assert month.next().previous() == month == month.previous().next()
    assert month.previous() < month < month.next()
    assert month.next().first_day == month.last_day + timedelta(days=1)


@given(months, st.integers(0, 40))
def test_a_range_counts_every_month_once_in_order(first: ReportMonth, length: int) -> None:
    last = first.shift(length) if first.index + length < ReportMonth(2199, 12).index else first
    span = ReportMonth.range(first, last)
    assert span[0] == first and span[-1] == last
    assert span == sorted(set(span)) and len(span) == last.index - first.index + 1
    assert ReportMonth.range(str(first), str(last)) == span


@pytest.mark.parametrize("text", ["2024-13", "2024-00", "2024-1", "24-10", "1899-12", "2200-01",
                                  "2024-10\n", " 2024-10", "2024-10-01", "2024/10", "", "２０２４-10"])
def test_anything_but_yyyy_mm_is_refused(text: str) -> None:
    with pytest.raises(InvalidMonth):
        ReportMonth.parse(text)


def test_a_trailing_newline_is_refused_where_dollar_would_accept_it() -> None:
    assert re.match(PATTERN.replace(r"\Z", "$"), "2024-10\n")
    assert not re.match(PATTERN, "2024-10\n")


def test_months_cross_the_year_and_know_their_days() -> None:
    assert ReportMonth.parse("2024-12").next() == ReportMonth(2025, 1)
    assert ReportMonth.parse("2025-01").previous() == ReportMonth(2024, 12)
    assert ReportMonth(2024, 2).last_day == date(2024, 2, 29)
    assert ReportMonth(2023, 2).last_day == date(2023, 2, 28)
    assert ReportMonth(2024, 10).first_day == date(2024, 10, 1)
    assert [str(month) for month in ReportMonth.range("2023-11", "2024-02")] == [
        "2023-11", "2023-12", "2024-01", "2024-02"]
    assert ReportMonth.range("2024-03", "2024-02") == []
    assert list(ReportMonth(2024, 11).months(3)) == [ReportMonth(2024, 11), ReportMonth(2024, 12),
                                                     ReportMonth(2025, 1)]


def test_the_default_month_is_the_month_before_in_beijing_time() -> None:
    # 1 November 2024 00:30 in Beijing is still 31 October in UTC: the report month is October.
    assert ReportMonth.before(datetime(2024, 10, 31, 16, 30, tzinfo=UTC)) == ReportMonth(2024, 10)
    assert ReportMonth.before(datetime(2024, 10, 31, 15, 30, tzinfo=UTC)) == ReportMonth(2024, 9)
    assert ReportMonth.before(datetime(2025, 1, 5, 6, 0, tzinfo=UTC)) == ReportMonth(2024, 12)


def test_the_dag_param_checks_the_month_with_the_same_pattern() -> None:
    from airflow.sdk import Param

    from yuebao.runner import load_dag

    month: Param = load_dag().params.get_param("month")
    assert month.schema["pattern"] == PATTERN
    assert month.resolve("2024-10") == "2024-10"
    for wrong in ("2024-10\n", "2024-13", "24-10"):
        with pytest.raises(Exception, match="does not match"):
            month.resolve(wrong)
