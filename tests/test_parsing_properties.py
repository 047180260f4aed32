"""Property tests: whatever way a department formats a number, rank, period or unit, it reads back."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ingestion.layouts import find_wide_header
from ingestion.numbers import parse_number, parse_rank
from ingestion.periods import Period, parse_period

FULL_WIDTH = str.maketrans("0123456789.,%-+()", "０１２３４５６７８９．，％－＋（）")
CN_DIGITS = "一二三四五六七八九"


def with_thousands(integer: int) -> str:
    return f"{integer:,}"


def chinese(number: int) -> str:
    """1 … 99 as written in Chinese (第十二名)."""
    tens, ones = divmod(number, 10)
    return (("" if tens == 1 else CN_DIGITS[tens - 1]) + "十" if tens else "") + (CN_DIGITS[ones - 1] if ones else "")


amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4, allow_nan=False)


@given(amounts, st.booleans(), st.booleans(), st.booleans())
def test_a_formatted_number_parses_back(amount: Decimal, thousands: bool, full_width: bool, percent: bool) -> None:
    integer, _, fraction = f"{abs(amount):f}".partition(".")
    text = (with_thousands(int(integer)) if thousands else integer) + (f".{fraction}" if fraction else "")
    text = ("-" if amount < 0 else "") + text + ("%" if percent else "")
    if full_width:
        text = text.translate(FULL_WIDTH)
    assert parse_number(text) == float(amount)


@given(st.integers(min_value=1, max_value=99), st.sampled_from(["{}", "第{}", "第{}名", "第{}位", " 第 {} 名 "]),
       st.booleans(), st.booleans())
def test_a_formatted_rank_parses_back(rank: int, form: str, in_chinese: bool, full_width: bool) -> None:
    token = chinese(rank) if in_chinese and form != "{}" else str(rank)
    text = form.format(token)
    if full_width:
        text = text.translate(FULL_WIDTH)
    assert parse_rank(text) == rank


@st.composite
def days(draw: st.DrawFn) -> date:
    year = draw(st.integers(min_value=2000, max_value=2099))
    month = draw(st.integers(min_value=1, max_value=12))
    return date(year, month, draw(st.integers(min_value=1, max_value=calendar.monthrange(year, month)[1])))


PERIOD_FORMS = [
    ("{y}-{m:02d}", "month"), ("{y}/{m}", "month"), ("{y}.{m:02d}", "month"), ("{y}{m:02d}", "month"),
    ("{y}年{m}月", "month"), ("{y}年{m:02d}月份", "month"), ("{y}-{m:02d}-{d:02d}", "month"),
    ("{y}年1-{m}月", "ytd"), ("{y}年1—{m}月", "ytd"), ("{y}年1月至{m}月", "ytd"), ("{y}年1~{m}月累计", "ytd"),
    ("截至{y}年{m}月{d}日", "as_of"), ("截止{y}年{m}月底", "as_of"), ("截至{y}-{m:02d}-{d:02d}", "as_of"),
]
YEARLESS_FORMS = [("{m}月", "month"), ("1-{m}月", "ytd"), ("截至{m}月{d}日", "as_of")]


@given(days(), st.sampled_from(PERIOD_FORMS), st.booleans())
def test_a_formatted_period_parses_back(day: date, form: tuple[str, str], full_width: bool) -> None:
    pattern, kind = form
    text = pattern.format(y=day.year, m=day.month, d=day.day)
    if full_width:
        text = text.translate(FULL_WIDTH)
    assert parse_period(text) == Period(day.replace(day=1), kind)


@given(days(), st.sampled_from(YEARLESS_FORMS))
def test_a_period_without_a_year_takes_the_given_year(day: date, form: tuple[str, str]) -> None:
    pattern, kind = form
    text = pattern.format(m=day.month, d=day.day)
    assert parse_period(text, default_year=day.year) == Period(day.replace(day=1), kind)


names = st.text(alphabet="社会消费品零售总额规模工业增加值增速外贸进出口企业数", min_size=2, max_size=12)
units = st.sampled_from(["亿元", "万元", "元", "%", "户", "万户", "家", "个", "件", "人", "起", "亿美元", "万美元", "百分点"])


@given(names, units, st.booleans())
def test_an_indicator_unit_header_splits_back(name: str, unit: str, full_width: bool) -> None:
    header = f"{name}({unit})"
    if full_width:
        header = header.translate(FULL_WIDTH)
    found = find_wide_header([["地区", header]])
    assert found == (0, {1: (name, unit)})
