"""Every expectation of the gate fails on a fixture made for it, with the row and message located.

The fixture is the published sample month's warehouse, copied, with one injected error per
expectation (landing rows for the received and staged layers, the month's observations then
re-resolved by dbt as a load would; mart rows for the marts; issue rows for ingestion). The gate
runs once on it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from expectations.gate import GateResult, apply_waivers, export_tables, validate
from expectations.suites import READ_BACK_COLUMNS, REPORT_COLUMNS, Suite, all_suites
from expectations.waivers import Waiver
from tests.conftest import run_dbt

MONTH = "2024-10"
POLICE = "市公安局_社会治安_2024年1-10月.csv"
MARKET = "市市场监管局_2024年10月.csv"
COMMERCE = "市商务局2024年10月八大行动指标.csv"
SAFETY = "市应急管理局_安全生产_2024年10月.csv"
INDUSTRY = "市工信局_2024年10月报表.xlsx"
REFORM = "市发改委_投资类指标_2024年1-9月.csv"
TOURISM = "市文旅广体局_2024年10月.csv"
FINANCE = "市财政局_2024年10月.csv"
HR = "市人社局_重点民生实事_2024年10月.csv"
CUSTOMS = "邵阳海关_2024年1-9月进出口.csv"
FORMULA = '=HYPERLINK("http://evil.example","x")'


def _observation(file: str, row: int, assignment: str) -> str:
    return (f"update landing.observations set {assignment}"
            f" where report_month = date '{MONTH}-01' and source_file = '{file}' and source_row = {row}")


def _fact(file: str, row: int, assignment: str) -> str:
    return (f"update main.fct_indicator_monthly set {assignment}"
            f" where report_month = date '{MONTH}-01' and source_file = '{file}' and source_row = {row}")


def _ingest_issue(file: str, department: str, rule: str, message: str) -> str:
    return (f"insert into landing.ingest_issues by name select report_month, file_sha256, source_file, true as"
            f" is_current_file, '{department}' as department, '{rule}' as rule, 'blocking' as severity,"
            f" '{message}' as message from landing.files where source_file = '{file}' and is_current_file")


def _reported_issue(file: str, department: str, row: int, rule: str, severity: str, raw: str, message: str) -> str:
    return (f"insert into main.fct_data_quality_issues by name select date '{MONTH}-01' as report_month,"
            f" '{file}' as source_file, '{department}' as submitted_by, {row} as source_row, '数值' as source_column,"
            f" '{raw.replace(chr(39), chr(39) * 2)}' as raw_value, '{rule}' as rule, '{severity}' as severity,"
            f" '{message}' as message, 'ingest' as stage")


@dataclass(frozen=True)
class Case:
    """An injected error and where the gate must report it."""

    suite: str
    rule: str
    column: str | None
    injection: list[str]
    department: str
    source_file: str | None
    source_row: int | None
    value: str | None = None
    message: str | None = None  # the row's own message (issue rows); else the check's description


CASES: list[Case] = [
    Case("received_departments", "department_missing", "delivery_status",
         ["delete from landing.files where department = '市住建局'"], "市住建局", None, None, value="1"),
    # 改革攻坚行动's task force and its lead department (市发改委) sent no prose
    Case("received_departments", "narrative_missing", "narrative_status",
         ["delete from landing.files where department = '改革攻坚行动工作专班'"], "改革攻坚行动工作专班", None, None,
         value="改革攻坚行动工作专班 本月应报送文字材料"),
    Case("received_files", "unreadable_file", "file_status",
         [f"update landing.files set status = 'rejected', rows_read = 0 where source_file = '{TOURISM}'",
          _ingest_issue(TOURISM, "市文旅广体局", "unreadable_file", "文件已损坏，无法打开")],
         "市文旅广体局", TOURISM, None, value="文件已损坏，无法打开"),
    Case("received_files", "missing_required_column", "has_required_columns",
         [_ingest_issue(FINANCE, "市财政局", "missing_required_column", "缺少必填列：单位")],
         "市财政局", FINANCE, None, value="缺少必填列：单位"),
    Case("staged_observations", "unknown_region", "region_code",
         [_observation(POLICE, 3, "region_raw = '火星市'")], "市公安局", POLICE, 3, value="火星市"),
    Case("staged_observations", "unknown_indicator", "indicator_code",
         [_observation(POLICE, 4, "indicator_raw = '不存在的指标'")], "市公安局", POLICE, 4, value="不存在的指标"),
    Case("staged_observations", "unknown_unit", "is_unit_convertible",
         [_observation(POLICE, 5, "unit_raw = '斤'")], "市公安局", POLICE, 5, value="斤"),
    Case("staged_observations", "percentage_out_of_range", "is_percentage_in_range",
         [_observation(MARKET, 14, "value = 124.94")], "市市场监管局", MARKET, 14, value="124.94"),
    Case("staged_observations", "negative_value", "is_non_negative",
         [_observation(POLICE, 2, "value = -407")], "市公安局", POLICE, 2, value="-407.0"),
    Case("staged_observations", "rank_out_of_range", "is_rank_province_in_range",
         [_observation(COMMERCE, 2, "rank_province = 15")], "市商务局", COMMERCE, 2, value="15"),
    Case("staged_observations", "rank_out_of_range", "rank_subregion",
         [_observation(MARKET, 13, "rank_subregion = 5")], "市市场监管局", MARKET, 13, value="5"),
    Case("staged_observations", "period_in_future", "months_before_report",
         [_observation(POLICE, 6, "period = date '2024-12-01'")], "市公安局", POLICE, 6, value="2024-12-01"),
    Case("staged_observations", "period_too_old", "is_within_usual_lag",
         [_observation(POLICE, 7, "period = date '2020-01-01'")], "市公安局", POLICE, 7, value="2020-01-01"),
    Case("indicator_monthly", "duplicate_key", None,
         ["insert into main.fct_indicator_monthly select * from main.fct_indicator_monthly"
          f" where source_file = '{POLICE}' and source_row = 8"], "市公安局", POLICE, 8),
    Case("indicator_monthly", "missing_value", "value",
         [_fact(POLICE, 9, "value = null")], "市公安局", POLICE, 9),
    Case("indicator_monthly", "county_total_mismatch", "county_gap_pct",
         [_fact(COMMERCE, 2, "value = value * 1.1")], "市商务局", COMMERCE, 2),
    Case("indicator_monthly", "ytd_decreased", "ytd_change",
         [_fact(SAFETY, 2, "value = value - 100")], "市应急管理局", SAFETY, 2),
    Case("indicator_monthly", "yoy_implausible", "yoy_change_pct",
         [_fact(INDUSTRY, 2, "yoy_pct = 250")], "市工信局", INDUSTRY, 2, value="250.0"),
    Case("indicator_monthly", "yoy_discrepant", "is_yoy_discrepant",
         [_fact(REFORM, 2, "is_yoy_discrepant = true")], "市发改委", REFORM, 2),
    Case("indicator_monthly", "rank_discrepant", "is_rank_discrepant",
         [_fact(INDUSTRY, 7, "is_rank_discrepant = true")], "市工信局", INDUSTRY, 7, value="4"),
    Case("indicator_monthly", "completion_out_of_range", "completion_pct",
         [_fact(REFORM, 3, "completion_pct = 5000")], "市发改委", REFORM, 3, value="5000.0"),
    # 市住建局's series has August (loaded in an earlier month) but not September: 当月 has a hole.
    Case("indicator_monthly", "value_month_missing", "is_value_month_gap",
         ["insert into main.fct_indicator_monthly select * replace (date '2024-08-01' as period,"
          " date '2024-09-01' as report_month, 'injected-august' as observation_key)"
          " from main.fct_indicator_monthly where source_file = '市住建局_2024年10月.csv' and source_row = 2"],
         "市住建局", "市住建局_2024年10月.csv", 2),
    Case("reported_issues", "bad_number", "severity",
         [_reported_issue(HR, "市人社局", 3, "bad_number", "blocking", FORMULA, "数值“=HYPERLINK…”无法识别")],
         "市人社局", HR, 3, value=FORMULA, message="数值“=HYPERLINK…”无法识别"),
    Case("reported_issues", "conflicting_values", "severity",
         [_reported_issue(CUSTOMS, "邵阳海关", 4, "conflicting_values", "warning", "12.5", "同一统计期有不同数值")],
         "邵阳海关", CUSTOMS, 4, value="12.5", message="同一统计期有不同数值"),
]

# Input whose department cannot be told gets its own report.
UNKNOWN_FILE_INJECTION = [
    "insert into landing.files by name select report_month, 'f' || file_sha256 as file_sha256,"
    " 'scan_0001.xlsx' as source_file, true as is_current_file, '未识别单位' as department, received_at,"
    f" 'rejected' as status, 0 as rows_read, 0 as rows_quarantined from landing.files where source_file = '{HR}'",
    "insert into landing.ingest_issues by name select report_month, file_sha256, source_file, true as is_current_file,"
    " '未识别单位' as department, 'unreadable_file' as rule, 'blocking' as severity, '文件无法打开' as message"
    " from landing.files where source_file = 'scan_0001.xlsx'",
]


def inject_errors(published: Path, build_dir: Path) -> Path:
    """A copy of the published warehouse (same file name, so its views resolve) with every error."""
    build_dir.mkdir(parents=True, exist_ok=True)
    database = build_dir / "warehouse.duckdb"
    shutil.copyfile(published, database)
    with duckdb.connect(str(database)) as con:
        for case in CASES:
            for statement in case.injection:
                con.execute(statement)
        for statement in UNKNOWN_FILE_INJECTION:
            con.execute(statement)
    resolve_month_again(database, build_dir)
    return database


def resolve_month_again(database: Path, build_dir: Path) -> None:
    """Rebuild the month's resolved observations from the injected landing rows (an incremental table)."""
    completed = run_dbt("run", "--select", "int_observations_resolved_to_catalog", database=database,
                        workdir=build_dir / "dbt", month=MONTH)
    assert completed.returncode == 0, completed.stdout[-4000:]


@pytest.fixture(scope="module")
def injected(published_home: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GateResult]:
    build_dir = tmp_path_factory.mktemp("dq_build")
    database = inject_errors(published_home / "warehouse.duckdb", build_dir)
    return database, validate(database, build_dir, MONTH)


def find_row(gate: GateResult, case: Case) -> tuple[str, dict]:
    for failure in gate.failures:
        if failure.suite != case.suite or (case.column and failure.column != case.column):
            continue
        for row in failure.rows:
            rule = row.get("rule") or failure.rule
            if (rule == case.rule and row.get("source_file") == case.source_file
                    and row.get("source_row") == case.source_row and row.get("submitted_by") == case.department):
                return failure.description, row
    raise AssertionError(f"no failure of {case.suite}.{case.rule} located at {case.source_file} row {case.source_row}")


def test_every_expectation_has_a_failing_fixture() -> None:
    declared = {(suite.name, check.kwargs.get("column")) for suite in all_suites() for check in suite.checks}
    covered = {(case.suite, case.column) for case in CASES}
    assert declared == covered


@pytest.mark.parametrize("case", CASES, ids=[f"{case.suite}.{case.rule}.{case.column}" for case in CASES])
def test_injected_error_is_reported_at_its_row_with_its_message(injected, case: Case) -> None:
    _, gate = injected
    description, row = find_row(gate, case)
    assert description in {check.description for suite in all_suites() if suite.name == case.suite
                           for check in suite.checks if check.kwargs.get("column") == case.column}
    if case.message is not None:
        assert row["message"] == case.message
    if case.value is not None:
        assert row["value"] == case.value


def test_failing_rows_carry_their_export_rows_subject_in_report_order(injected) -> None:
    """GX returns a failing row without its subject; the one read back by row_id is the export's,
    placed where ``REPORT_COLUMNS`` puts it (gate.json and the reports read the rows as before)."""
    database, gate = injected
    checked = 0
    with duckdb.connect() as con:
        for failure in gate.failures:
            ids = [row["row_id"] for row in failure.rows if row.get("row_id") is not None]
            if not ids:
                continue
            subjects = dict(con.execute(
                f"select row_id, subject from '{database.parent / 'gx_batches' / failure.suite}.parquet'"
                " where row_id in (select unnest(?))", [ids]).fetchall())
            for row in failure.rows:
                assert [key for key in row if key in REPORT_COLUMNS] == REPORT_COLUMNS
                assert row["subject"] == subjects[row["row_id"]]
                checked += 1
    assert checked > len(gate.failures) and READ_BACK_COLUMNS == ["subject"]


def test_blocking_and_warning_severities_come_from_the_suites(injected) -> None:
    _, gate = injected
    assert gate.blocked
    severity = {failure.rule: failure.severity for failure in gate.failures}
    assert severity["negative_value"] == "blocking"
    assert severity["department_missing"] == "warning"  # a department that sent nothing does not block
    assert severity["county_total_mismatch"] == "warning"
    assert {f.rule for f in gate.blocking} >= {"file_rejected", "negative_value", "ingest_issue", "duplicate_key"}


def test_the_sample_month_passes_every_check(published_home: Path) -> None:
    """Series that start this month (no earlier month of the year) are no 当月 gap."""
    gate = GateResult.read(published_home / "build" / MONTH / "gate.json")
    assert not gate.blocked and gate.failures == []


def test_warnings_alone_do_not_block(injected: tuple[Path, GateResult]) -> None:
    _, gate = injected
    warnings = [failure for failure in gate.failures if failure.severity == "warning"]
    assert len(warnings) >= 3
    assert not GateResult(gate.month, gate.evaluated, warnings).blocked


def _waiver(department: str, rule: str) -> Waiver:
    return Waiver(MONTH, department, rule, "王主任", "已电话核实", "2024-11-04T02:00:00Z")


def test_waivers_of_every_blocking_department_and_rule_unblock(injected) -> None:
    _, gate = injected
    every = {(row.get("submitted_by") or "未识别单位", row.get("rule") or failure.rule)
             for failure in gate.blocking for row in failure.rows}
    waived = GateResult(gate.month, gate.evaluated, [_copy(f) for f in gate.failures])
    apply_waivers(waived, [_waiver(department, rule) for department, rule in sorted(every)])
    assert not waived.blocked
    negative = next(f for f in waived.failures if f.rule == "negative_value")
    assert negative.waived and negative.rows[0]["waived"] is True
    assert any(w["department"] == "市公安局" and w["rule"] == "negative_value" for w in waived.waivers)


def test_a_waiver_covers_only_its_department_and_rule(injected) -> None:
    _, gate = injected
    partial = GateResult(gate.month, gate.evaluated, [_copy(f) for f in gate.failures])
    apply_waivers(partial, [_waiver("市公安局", "negative_value"), _waiver("市商务局", "negative_value")])
    assert partial.blocked
    assert next(f for f in partial.failures if f.rule == "negative_value").waived
    assert not next(f for f in partial.failures if f.rule == "unknown_region").waived


def _copy(failure):
    from copy import deepcopy

    return deepcopy(failure)


@pytest.mark.parametrize("suite", [suite for suite in all_suites() if suite.name in ("staged_observations",
                                                                                    "indicator_monthly")])
def test_exports_number_their_rows_in_report_order(published_home: Path, tmp_path: Path, suite: Suite) -> None:
    """row_id is each row's place in report order, and the Parquet file holds the rows in that order
    (the failing rows GX lists first are the first in a department's file)."""
    export_tables(published_home / "warehouse.duckdb", [suite], tmp_path, MONTH, 3)
    keys = {"staged_observations": "source_file, source_sheet, source_row",
            "indicator_monthly": "source_file, source_sheet, source_row, indicator_code, region_code"}[suite.name]
    with duckdb.connect() as con:
        rows, misplaced, unsorted = con.execute(f"""
            with exported as (
                select row_id, file_row_number, dense_rank() over (order by {keys}) as place
                from read_parquet('{tmp_path / suite.table}.parquet', file_row_number = true)
            ), followed as (
                select *, lag(place) over (order by file_row_number) as previous_place from exported
            )
            select count(*), count(*) filter (where row_id <> file_row_number + 1),
                   count(*) filter (where place < previous_place)
            from followed""").fetchone()
    assert rows > 100 and misplaced == 0 and unsorted == 0
