"""The 统计期 (reference period) texts departments write."""

from __future__ import annotations

from ingestion.report_month import ReportMonth


def ytd_label(period: ReportMonth) -> str:
    """``2024年1-10月``; January alone is ``2024年1月``."""
    if period.month == 1:
        return f"{period.year}年1月"
    return f"{period.year}年1-{period.month}月"


def period_label(basis: str, period: ReportMonth, single_month: bool) -> str:
    """The 统计期 text a department writes for an indicator of ``basis`` in ``period``."""
    if basis == "stock":
        return f"截至{period.year}年{period.month}月{period.last_day.day}日"
    if basis == "rate" and single_month:
        return f"{period.year}年{period.month}月"
    return ytd_label(period)
