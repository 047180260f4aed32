"""Every expectation of the gate, its rule, its severity and its hint, in one readable list.

Severity: ``blocking`` stops publication (``yuebao run`` exits 3) unless the coordination office
waived that (month, department, rule); ``warning`` is published and footnoted in the bulletin.
One suite per layer: what was received, the staged observations, the marts, and the problems
ingestion and catalog resolution recorded. A suite's ``tier`` says whether it also runs at upload
on one file (1: ``expectations.tier1``) or needs the whole month and its history (2). Each suite reads one export written by
``expectations/sql/<suite>.sql`` (per-row booleans and metrics for checks that need a join or a
window); every export carries ``REPORT_COLUMNS`` so a failing row can be reported where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ingestion.issues import FILE_REJECTING_RULES

Severity = Literal["blocking", "warning"]

# Columns that locate a row in a department's file; present in every export the gate checks.
LOCATION_COLUMNS = ["submitted_by", "source_file", "source_sheet", "source_row"]
# What a failing row is reported with: its export row number, location and a readable subject.
REPORT_COLUMNS = ["row_id", *LOCATION_COLUMNS, "subject"]
# What GX returns for it; the subject, distinct on every row, is read back by row_id: GX fingerprints
# each batch it loads, and a column of 2.9M distinct strings cost a country month's gate 1 GB more.
READ_BACK_COLUMNS = ["subject"]

# Thresholds the SQL exports read as DuckDB variables (``getvariable('name')``).
SQL_PARAMETERS: dict[str, Any] = {
    # A period older than this many months before the report month is not a usual lag…
    "usual_lag_months": 12,
    # …except annual figures (认定数 recorded in December), which come up to a year later.
    "annual_lag_months": 23,
}
RECONCILE_TOLERANCE_PCT = 1.0  # county sum vs city total, additive indicators
YOY_JUMP_PCT = 50.0  # a year-on-year change beyond ±this is implausible without an explanation

# Problems of whole files are checked by ``received_files``; unresolved catalog names by
# ``staged_observations``: the issues suite leaves them out so nothing is reported twice.
FILE_RULES = sorted(FILE_REJECTING_RULES)
RESOLUTION_RULES = ["unknown_region", "unknown_indicator", "unknown_unit", "unit_mismatch"]


@dataclass(frozen=True)
class Check:
    """One expectation and what a department is told when it fails.

    ``rule`` names the check for waivers, history and hints (a row may carry its own ``rule``);
    ``evidence`` maps report fields (value, rule, message, column) to export columns read back
    for the failing rows.
    """

    expectation: str
    kwargs: dict[str, Any]
    severity: Severity
    description: str
    rule: str = ""
    column_label: str = ""
    hint: str = ""
    evidence: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Suite:
    name: str  # also the export's file name and the SQL file in expectations/sql/
    layer: str
    checks: list[Check]
    # 1: needs only one file and the catalog, so it also runs at upload (expectations.tier1);
    # 2: needs the month's other files or history (the monthly gate only).
    tier: int = 1

    @property
    def table(self) -> str:
        return self.name


def _in_set(column: str, allowed: list[Any]) -> dict[str, Any]:
    return {"column": column, "value_set": allowed}


def _between(column: str, low: Any = None, high: Any = None) -> dict[str, Any]:
    return {"column": column, "min_value": low, "max_value": high}


def received_departments() -> Suite:
    return Suite("received_departments", "received", [
        Check("ExpectColumnValuesToBeInSet", _in_set("delivery_status", ["received", "late", "not_owed"]), "warning",
              "本月应报送指标但未收到任何文件", "department_missing", "报送文件",
              "请按时报送本单位负责的全部指标。", {"value": "indicators_owed"}),
        # Task forces always (their lead department's file counts), counties where regions.csv says so.
        Check("ExpectColumnValuesToBeInSet", _in_set("narrative_status", ["received", "late", "not_expected"]),
              "warning", "本月应报送文字材料但未收到", "narrative_missing", "文字材料",
              "请按时报送本月文字材料（.docx、.md 或 .txt），写明重点任务、突出问题或特色亮点。",
              {"value": "narrative_owed"}),
    ], tier=2)


def received_files() -> Suite:
    return Suite("received_files", "received", [
        Check("ExpectColumnValuesToBeInSet", _in_set("file_status", ["loaded"]), "blocking",
              "文件无法读取，整份文件未入库", "file_rejected", "文件",
              "请重新导出为 .xlsx 或 .csv 后报送。", {"value": "reject_reason", "rule": "reject_rule"}),
        Check("ExpectColumnValuesToBeInSet", _in_set("has_required_columns", [True]), "blocking",
              "缺少必填列（报送单位、统计期、地区、指标名称、数值、单位）", "missing_required_column", "表头",
              "", {"value": "reject_reason"}),
    ])


def staged_observations() -> Suite:
    return Suite("staged_observations", "staged", [
        Check("ExpectColumnValuesToNotBeNull", {"column": "region_code"}, "blocking",
              "地区不在地区目录中", "unknown_region", "地区", "", {"value": "region_raw"}),
        Check("ExpectColumnValuesToNotBeNull", {"column": "indicator_code"}, "blocking",
              "指标不在指标目录中", "unknown_indicator", "指标名称", "", {"value": "indicator_raw"}),
        Check("ExpectColumnValuesToBeInSet", _in_set("is_unit_convertible", [True]), "blocking",
              "单位无法识别或不能换算为指标的标准单位", "unknown_unit", "单位", "",
              {"value": "unit_raw", "rule": "resolution_issue"}),
        Check("ExpectColumnValuesToBeInSet", _in_set("is_percentage_in_range", [True]), "blocking",
              "百分比（占比、比重）应在 0–100 之间", "percentage_out_of_range", "数值",
              "请核对数值是否误填为小数或多乘了100。", {"value": "value_as_sent"}),
        Check("ExpectColumnValuesToBeInSet", _in_set("is_non_negative", [True]), "blocking",
              "该指标的数量或金额不能为负数", "negative_value", "数值",
              "请核对数值符号；净增量等可为负的指标不受此限。", {"value": "value_as_sent"}),
        Check("ExpectColumnValuesToBeInSet", _in_set("is_rank_province_in_range", [True]), "blocking",
              "全省排名超出 1 至参与排名地区数", "rank_out_of_range", "全省排名",
              "全省排名应在 1–14（14个市州）之间。", {"value": "rank_province"}),
        Check("ExpectColumnValuesToBeBetween", _between("rank_subregion", 1, 4), "blocking",
              "片区排名超出 1–4", "rank_out_of_range", "片区排名",
              "大湘西片区只有邵阳、怀化、湘西、张家界四个市州，片区排名应在 1–4 之间。",
              {"value": "rank_subregion"}),
        Check("ExpectColumnValuesToBeBetween", _between("months_before_report", 0), "blocking",
              "统计期晚于报告月份", "period_in_future", "统计期",
              "统计期不能晚于报告月份，请核对年份和月份。", {"value": "period"}),
        Check("ExpectColumnValuesToBeInSet", _in_set("is_within_usual_lag", [True]), "blocking",
              "统计期早于该指标通常的滞后期", "period_too_old", "统计期",
              "请核对年份是否填错；历史数据修订请单独说明。", {"value": "period"}),
    ])


def indicator_monthly() -> Suite:
    return Suite("indicator_monthly", "marts", [
        Check("ExpectCompoundColumnsToBeUnique", {"column_list": ["indicator_code", "region_code", "period"]},
              "blocking", "同一指标、地区、统计期出现多行", "duplicate_key", "指标名称",
              "同一指标、地区、统计期只能报送一个数值。"),
        Check("ExpectColumnValuesToNotBeNull", {"column": "value"}, "blocking",
              "数值为空", "missing_value", "数值", "请补填数值。"),
        Check("ExpectColumnValuesToBeBetween",
              _between("county_gap_pct", -RECONCILE_TOLERANCE_PCT, RECONCILE_TOLERANCE_PCT), "warning",
              f"各县市区合计与全市数相差超过 {RECONCILE_TOLERANCE_PCT:g}%", "county_total_mismatch", "数值",
              "请核对全市数与各县市区数是否口径一致、是否漏报。", {"value": "reconcile_text"}),
        Check("ExpectColumnValuesToBeBetween", _between("ytd_change", 0), "blocking",
              "累计数比上月累计数小（累计值在年内不应下降）", "ytd_decreased", "数值",
              "请核对本月累计数是否误填为当月数，或上月数据是否需要修订。", {"value": "ytd_text"}),
        Check("ExpectColumnValuesToBeBetween", _between("yoy_change_pct", -YOY_JUMP_PCT, YOY_JUMP_PCT), "warning",
              f"同比变化超过 ±{YOY_JUMP_PCT:g}%，请确认", "yoy_implausible", "同比增长(%)",
              "如数值无误，请在备注中说明原因。", {"value": "yoy_change_pct"}),
        Check("ExpectColumnValuesToBeInSet", _in_set("is_yoy_discrepant", [False]), "warning",
              "报送的同比增速与按上年同期数计算的不一致（相差超过0.1个百分点）", "yoy_discrepant", "同比增长(%)",
              "请核对同比增速或上年同期数。", {"value": "yoy_pct"}),
        Check("ExpectColumnValuesToBeInSet", _in_set("is_rank_discrepant", [False]), "warning",
              "报送的排名与按各地数值计算的排名不一致", "rank_discrepant", "全省排名",
              "请核对排名或各地数值。", {"value": "rank_province"}),
        Check("ExpectColumnValuesToBeBetween", _between("completion_pct", 0, 1000), "warning",
              "目标完成率超出 0–1000%，请核对年度目标", "completion_out_of_range", "年度目标",
              "请核对年度目标的单位是否与数值一致。", {"value": "completion_pct"}),
        Check("ExpectColumnValuesToBeInSet", _in_set("is_value_month_gap", [False]), "warning",
              "缺少上月累计数，无法计算当月值", "value_month_missing", "数值",
              "上月累计数缺失时无法算出当月数，可补报上月数据。"),
    ], tier=2)


def reported_issues() -> Suite:
    """Problems recorded by ingestion and catalog resolution; each row carries its own severity."""
    row_fields = {"value": "raw_value", "rule": "rule", "message": "message", "column": "source_column"}
    return Suite("reported_issues", "ingest", [
        Check("ExpectColumnValuesToBeInSet", _in_set("severity", ["warning"]), "blocking",
              "单元格无法读取，该行未入库", "ingest_issue", "", "", row_fields),
        Check("ExpectColumnValuesToBeInSet", _in_set("severity", ["blocking"]), "warning",
              "报送内容需要核对", "ingest_warning", "", "", row_fields),
    ])


def all_suites() -> list[Suite]:
    return [received_departments(), received_files(), staged_observations(), indicator_monthly(),
            reported_issues()]
