"""How the seed report writes numbers, periods and ranks."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

CHINESE_DIGITS = "零一二三四五六七八九十"
UNIT_WORDS = {"%": "%", "百分点": "个百分点", "无量纲": ""}


def half_up(value: float, decimals: int) -> Decimal:
    """``value`` rounded half away from zero on its shortest decimal form (2.675 → 2.68, where
    binary rounding gives 2.67), as the dbt models round (macros/round_to.sql)."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def number(value: float, decimals: int = 4) -> str:
    """A number with the precision it came with: no trailing zeros, no thousands separator."""
    text = f"{half_up(value, decimals):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def with_unit(value: float, unit: str) -> str:
    """``593.47亿元``, ``5.8%``, ``0.13个百分点``, ``3.04`` (a dimensionless index)."""
    return number(value) + UNIT_WORDS.get(unit, unit)


def percent(value: float) -> str:
    """A rate or completion to at most 2 decimals: ``88``, ``166.48``."""
    return number(value, 2) + "%"


def change(value: float, direction: str = "up") -> str:
    """Year-on-year change: ``增长5.8%`` / ``下降3.8%``; ``上升14.3%`` where lower is better."""
    rise = "上升" if direction == "down" else "增长"
    return ("下降" if value < 0 else rise) + percent(abs(value))


def gap_pp(difference: float, against: str) -> str:
    """``高于全省平均0.3个百分点`` / ``低于…`` / ``与…持平``."""
    rounded = float(half_up(difference, 2))
    if rounded == 0:
        return f"与{against}持平"
    return f"{'高于' if rounded > 0 else '低于'}{against}{number(abs(rounded), 2)}个百分点"


def chinese_ordinal(rank: int) -> str:
    """片区 positions as the seed writes them: 第一 … 第十."""
    return "第" + (CHINESE_DIGITS[rank] if 0 < rank <= 10 else str(rank))


def present(value: object) -> bool:
    """False for None, NaN and pandas' NA (absent measures in a warehouse row)."""
    return value is not None and not bool(pd.isna(value))


def period_lead(period: date, basis: str, report_year: int, as_of_day: int | None = None) -> str:
    """The phrase that opens a run of figures: 1-9月, 截至10月30日, 2023年, 9月."""
    year = "" if period.year == report_year else f"{period.year}年"
    if basis == "stock":
        day = f"{as_of_day}日" if as_of_day else "底"
        return f"截至{year}{period.month}月{day}"
    if basis == "month":
        return f"{year}{period.month}月"
    if period.month == 12 and year:
        return year
    return f"{year}1-{period.month}月" if period.month > 1 else f"{year}1月"
