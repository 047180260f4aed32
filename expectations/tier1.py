"""Tier-1 checks at upload: everything one file and the catalog can tell, in well under a second.

The same code and rules as the monthly build, on one file: ``ingestion`` reads it (headers,
layouts, numbers, periods — its issues), the landing tables take its rows in a scratch in-memory
DuckDB, the dbt models that resolve names and units are created there as dbt materialises them
(``expectations.dbt_views``), and the gate's own export SQL (``expectations/sql/<suite>.sql``) feeds
the checks declared in ``expectations.suites`` for the suites marked ``tier=1`` — evaluated by
DuckDB predicates (``expectations.row_checks``) instead of a GX checkpoint. The wording of a
finding is the data-quality report's (``expectations.gate.row_report``). Tier 2 (cross-file,
history, delivery) stays in the monthly gate.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import duckdb

from expectations.dbt_views import DbtViews
from expectations.gate import Failure, row_report, set_variables, sql_variables, suite_sql
from expectations.row_checks import failing_rows_sql
from expectations.suites import REPORT_COLUMNS, Suite, all_suites
from ingestion.archive import safe_suffix
from ingestion.departments import DepartmentDirectory
from ingestion.landing import replacing_month
from ingestion.layouts import LONG_COLUMNS, column_letter, find_long_header, find_wide_header
from ingestion.load import FileOutcome, FileRead, read_file
from ingestion.periods import Period
from ingestion.readers import Sheet, UnreadableFile, read_sheets
from ingestion.text import compact, name_text

Status = Literal["accepted", "accepted_with_warnings", "rejected"]
NARRATIVE_SUFFIXES = {".docx", ".md", ".txt"}
_RELATION = re.compile(r"\b(staging|intermediate|main)\.(\w+)")
_LETTERS = re.compile(r"^[A-Z]{1,3}$")
# Columns of a failing row kept for its finding: its location, and the indicator (wide layouts).
ROW_COLUMNS = [*REPORT_COLUMNS, "indicator_raw"]


@dataclass(frozen=True)
class Finding:
    """One problem of an uploaded file; ``row`` as a spreadsheet shows it (header = 1).

    ``column`` is the cell's column letter when the file locates it, else the report's column
    label; ``hint`` says what to do, ``check`` names the check as the monthly report does.
    """

    severity: str  # blocking | warning | info
    rule: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    message: str
    hint: str = ""
    check: str = ""
    column_label: str = ""

    @property
    def blocks(self) -> bool:
        return self.severity == "blocking"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class UploadCheck:
    file_name: str
    unit: str
    month: str
    findings: list[Finding] = field(default_factory=list)
    wrong_sender: str | None = None  # the 报送单位 the rows name, when another unit than ``unit``
    department: str | None = None  # the department the file's rows (or name) identify
    rows_read: int = 0

    @property
    def status(self) -> Status:
        if any(finding.blocks for finding in self.findings):
            return "rejected"
        return "accepted_with_warnings" if any(f.severity == "warning" for f in self.findings) else "accepted"


def tier1_suites() -> list[Suite]:
    return [suite for suite in all_suites() if suite.tier == 1]


def check_upload(path: Path, file_name: str, unit: str, month: str, catalog_dir: Path) -> UploadCheck:
    """The tier-1 findings for one uploaded file of report month ``month`` (YYYY-MM) sent by ``unit``.

    ``file_name`` is the name the unit gave the file (only its suffix and words are read, never used
    as a path); ``catalog_dir`` holds the catalog CSVs (the dbt seeds or a reference folder).
    """
    result = UploadCheck(file_name, unit, month)
    suffix = safe_suffix(file_name).lower()
    if suffix in NARRATIVE_SUFFIXES:
        return check_narrative(path, result, catalog_dir)
    directory = DepartmentDirectory(catalog_dir / "departments.csv")
    month_start = date.fromisoformat(f"{month}-01")
    data = path.read_bytes()
    read = read_file(data, file_name, Period(month_start, "month"), directory)
    result.department = read.department
    result.rows_read = len(read.observations)
    result.wrong_sender = wrong_sender(read, unit, directory)
    with duckdb.connect(config={"threads": 1}) as con:  # a few rows: threads only cost
        land(con, read, file_name, month_start)
        views = DbtViews(con, catalog_dir, month_start.isoformat())
        set_variables(con, sql_variables(month, due_day=3))  # the due day only matters to tier 2
        failures = [failure for suite in tier1_suites() for failure in run_suite(con, views, suite)]
    locate = ColumnLocator(data, file_name) if read.layout else None
    findings = [finding_of(failure, row, locate) for failure in failures for row in failure.rows]
    result.findings = sorted(dict.fromkeys(findings), key=lambda f: (not f.blocks, f.sheet or "", f.row or 0))
    return result


def check_narrative(path: Path, result: UploadCheck, catalog_dir: Path) -> UploadCheck:
    """A narrative file (文字材料): read, who wrote it, each paragraph's section and action — by the
    monthly ingest's reader (``ingestion.narrative``); the figures in it are checked against the
    warehouse at the monthly build (tier 2)."""
    try:
        from ingestion.narrative import NarrativeCatalog, read_narrative
    except ImportError:  # before the narrative intake is part of the checkout
        result.findings.append(Finding("info", "narrative_checked_at_build", None, None, None, None,
                                       "文字材料已收到；章节、行动和文中数字的核对在月度汇总时进行，"
                                       "结果见本单位的数据质量报告。"))
        return result
    read = read_narrative(path, result.file_name, NarrativeCatalog.from_seeds(catalog_dir))
    result.department = read.submitter.name if read.submitter else None
    result.rows_read = len(read.paragraphs)
    if read.submitter is not None and read.submitter.name != result.unit:
        result.wrong_sender = read.submitter.name
    result.findings = [Finding(issue.severity, issue.rule, issue.source_sheet, issue.source_row,
                               issue.source_column, issue.raw_value, issue.message, issue.hint)
                       for issue in read.findings]
    if read.readable and read.paragraphs:
        result.findings.append(Finding("info", "narrative_figures_checked_at_build", None, None, None, None,
                                       "文中数字与已发布数据的核对在月度汇总时进行，结果见本单位的数据质量报告。"))
    return result


def wrong_sender(read: FileRead, unit: str, directory: DepartmentDirectory) -> str | None:
    """The department the 报送单位 cells name, when it is a known department other than ``unit``."""
    named = {directory.standard(row.get("department_raw")) for row in read.observations} - {None}
    others = sorted(name for name in named if name and name != (directory.standard(unit) or unit))
    return others[0] if others else None


def land(con: duckdb.DuckDBPyConnection, read: FileRead, file_name: str, month_start: date) -> None:
    """The file's rows, issues and file record in the landing tables, as ``ingest_month`` writes them."""
    outcome = FileOutcome.of(read)
    provenance = {"report_month": month_start, "file_sha256": "upload", "source_file": file_name,
                  "is_current_file": True}
    with replacing_month(con, month_start) as append:
        append("landing.observations", read.observations, provenance | {"received_at": None})
        append("landing.files", [{
            "department": outcome.department, "size_bytes": None, "received_at": None, "archive_path": None,
            "layout": outcome.layout, "encoding": outcome.encoding,
            "status": "loaded" if outcome.layout else "rejected",
            "rows_read": outcome.rows_read, "rows_quarantined": outcome.rows_quarantined,
        }], provenance)
        append("landing.ingest_issues", [issue.as_row() | {"department": outcome.department}
                                         for issue in outcome.issues], provenance)


def run_suite(con: duckdb.DuckDBPyConnection, views: DbtViews, suite: Suite) -> list[Failure]:
    """The suite's export SQL over the file's rows (one small table), and each check's failing rows."""
    sql = suite_sql(suite)
    for _, name in _RELATION.findall(sql):
        views.ref(name)
    export = f"export_{suite.name}"
    con.execute(f"create temp table {export} as {sql}")
    available = {row[0] for row in con.execute(f"describe {export}").fetchall()}
    kept = ", ".join(f"failing.{column}" for column in ROW_COLUMNS if column in available)
    failures = []
    for check in suite.checks:
        query, parameters = failing_rows_sql(f"select * from {export}", check)
        # the evidence cast to text in SQL, as the gate reads it back (attach_evidence)
        evidence = "".join(f", cast(failing.{column} as varchar) as evidence_{name}"
                           for name, column in check.evidence.items())
        cursor = con.execute(f"select {kept}{evidence} from ({query}) as failing", parameters)
        names = [column[0].removeprefix("evidence_") for column in cursor.description]
        rows = [dict(zip(names, record, strict=True)) for record in cursor.fetchall()]
        if rows:
            failures.append(Failure(suite.name, check.expectation, check.kwargs.get("column"), check.severity,
                                    check.description, len(rows), rows, check.rule, suite.layer,
                                    check.column_label, check.hint))
    return failures


def finding_of(failure: Failure, row: dict[str, Any], locate: ColumnLocator | None) -> Finding:
    report = row_report(failure, row)
    letter = report.column if _LETTERS.match(report.column or "") else None
    if letter is None and locate is not None and row.get("source_row"):
        letter = locate.letter(row.get("source_sheet"), report.column, row.get("indicator_raw"))
    return Finding(failure.severity, report.rule, row.get("source_sheet"), row.get("source_row"),
                   letter or report.column or None, report.value, report.message, report.hint,
                   failure.description, report.column)


class ColumnLocator:
    """The column letter of a report's column label (数值, 地区 …) in a sheet of the file."""

    def __init__(self, data: bytes, file_name: str) -> None:
        try:
            self.sheets = {sheet.name: sheet for sheet in read_sheets(data, safe_suffix(file_name)).sheets}
        except UnreadableFile:
            self.sheets = {}

    def letter(self, sheet_name: str | None, label: str, indicator_raw: str | None) -> str | None:
        sheet: Sheet | None = self.sheets.get(sheet_name)
        field_name = LONG_COLUMNS.get(compact(label))
        if sheet is None or field_name is None:
            return None
        long_header = find_long_header(sheet.rows)
        if long_header:
            index = long_header[1].get(field_name)
            return column_letter(index) if index is not None else None
        wide_header = find_wide_header(sheet.rows, sheet.merged)
        if wide_header is None:
            return None
        if field_name == "region":
            return "A"
        for index, (indicator, _) in wide_header[1].items():
            if name_text(indicator) == indicator_raw:
                return column_letter(index)
        return None
