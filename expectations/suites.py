"""Every expectation of the gate, its table and its severity, in one readable list.

Severity: ``blocking`` stops publication (``yuebao run`` exits 3); ``warning`` is published with
the bulletin's footnotes. Each entry names the columns that locate a failing row for the reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["blocking", "warning"]

# Columns that locate a row in a department's file; present in every table the gate checks.
LOCATION_COLUMNS = ["submitted_by", "source_file", "source_sheet", "source_row"]


@dataclass(frozen=True)
class Check:
    """One expectation: GX class name, its arguments, severity and a Chinese sentence for reports."""

    expectation: str
    kwargs: dict[str, Any]
    severity: Severity
    description: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Suite:
    name: str
    table: str  # the warehouse relation exported for this suite
    checks: list[Check]
    scope: str = "true"  # SQL predicate choosing the rows of this report month


def month_scope(report_month: str) -> str:
    return f"report_month = date '{report_month}-01' and is_current_file"


def received_files(report_month: str) -> Suite:
    return Suite("received_files", "stg_landing__files", scope=month_scope(report_month), checks=[
        Check("ExpectColumnValuesToBeInSet", {"column": "file_status", "value_set": ["loaded"]},
              "blocking", "文件无法读取，整份文件未入库"),
    ])


def staged_observations(report_month: str, report_month_end: str) -> Suite:
    return Suite("staged_observations", "int_observations_resolved_to_catalog",
                 scope=month_scope(report_month), checks=[
        Check("ExpectColumnValuesToNotBeNull", {"column": "region_code"}, "blocking", "地区不在地区目录中"),
        Check("ExpectColumnValuesToNotBeNull", {"column": "indicator_code"}, "blocking", "指标不在指标目录中"),
        Check("ExpectColumnValuesToNotBeNull", {"column": "value"}, "blocking",
              "数值的单位无法识别或不能换算为指标的标准单位"),
        Check("ExpectColumnValuesToBeBetween",
              {"column": "period", "min_value": "2000-01-01", "max_value": report_month_end},
              "blocking", "统计期晚于报告月份或早于2000年"),
        Check("ExpectColumnValuesToBeBetween", {"column": "rank_province", "min_value": 1, "max_value": 14},
              "blocking", "全省排名超出 1–14"),
        Check("ExpectColumnValuesToBeBetween", {"column": "rank_subregion", "min_value": 1, "max_value": 4},
              "blocking", "片区排名超出 1–4"),
    ])


def indicator_monthly() -> Suite:
    return Suite("fct_indicator_monthly", "fct_indicator_monthly", checks=[
        Check("ExpectCompoundColumnsToBeUnique",
              {"column_list": ["indicator_code", "region_code", "period"]},
              "blocking", "同一指标、地区、统计期出现多行"),
        Check("ExpectColumnValuesToNotBeNull", {"column": "value"}, "blocking", "数值为空"),
        Check("ExpectColumnValuesToBeBetween", {"column": "completion_pct", "min_value": 0, "max_value": 1000},
              "warning", "目标完成率超出 0–1000%，请核对年度目标"),
        Check("ExpectColumnValuesToBeInSet", {"column": "is_value_month_missing", "value_set": [False]},
              "warning", "缺少上月累计数，无法计算当月值"),
    ])


def all_suites(report_month: str, report_month_end: str) -> list[Suite]:
    return [received_files(report_month), staged_observations(report_month, report_month_end),
            indicator_monthly()]
