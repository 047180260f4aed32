"""What a department's data-quality report says, gathered from the gate result and the build.

One ``DepartmentReport`` per department that sent files (or whose rows failed a check), and one
for input whose department cannot be told (``未识别单位``). The HTML, the workbook and the e-mail
all render this one model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from expectations.gate import Failure, GateResult, row_department, row_report
from ingestion.departments import UNKNOWN_DEPARTMENT

SEVERITY_LABELS = {"blocking": "阻断", "warning": "警告"}
DELIVERY_LABELS = {"received": "按时报送", "late": "逾期报送", "missing": "未报送", "not_owed": "无应报指标",
                   "not_expected": "未要求"}
STATUS_LABELS = {"blocked": "阻止发布", "waived": "已豁免", "warn": "通过（有警告）", "pass": "通过"}
# Rules about a department that sent nothing: on the summary page, not in a report of its own.
TRACKER_RULES = {"department_missing", "narrative_missing"}


@dataclass(frozen=True)
class Problem:
    """One failing row, located in the department's file, with what to do about it."""

    suite: str
    layer: str
    check: str  # the description of the check that failed
    rule: str
    severity: str
    waived: bool
    source_file: str | None
    source_sheet: str | None
    source_row: int | None
    column: str
    value: str | None
    subject: str
    message: str
    hint: str

    @property
    def blocks(self) -> bool:
        return self.severity == "blocking" and not self.waived

    @property
    def severity_label(self) -> str:
        return "已豁免" if self.waived else SEVERITY_LABELS.get(self.severity, self.severity)


@dataclass(frozen=True)
class ReceivedFile:
    source_file: str
    received_at: str
    file_status: str
    rows_read: int
    rows_quarantined: int


@dataclass
class DepartmentReport:
    month: str
    department: str
    contact_email: str | None
    delivery_status: str | None
    month_blocked: bool
    files: list[ReceivedFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    passed_checks: list[str] = field(default_factory=list)

    @property
    def blocking(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.blocks]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "warning"]

    @property
    def waived(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.waived]

    @property
    def status(self) -> str:
        if self.blocking:
            return "blocked"
        if self.waived:
            return "waived"
        return "warn" if self.warnings else "pass"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def rows_read(self) -> int:
        return sum(received.rows_read for received in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(received.rows_quarantined for received in self.files)

    @property
    def file_name(self) -> str:
        return safe_file_name(self.department)


def safe_file_name(department: str) -> str:
    """A department name usable as a file name (names are Chinese words; keep them readable)."""
    return "".join(char for char in department if char not in '/\\:*?"<>|').strip() or UNKNOWN_DEPARTMENT


def problems_of(failure: Failure) -> list[Problem]:
    problems = []
    for row in failure.rows:
        report = row_report(failure, row)  # the same wording as the upload check's findings
        problems.append(Problem(
            suite=failure.suite, layer=failure.layer, check=failure.description, rule=report.rule,
            severity=failure.severity,
            waived=bool(row.get("waived")),
            source_file=row.get("source_file"), source_sheet=row.get("source_sheet"),
            source_row=row.get("source_row"),
            column=report.column, value=report.value, subject=row.get("subject") or "",
            message=report.message, hint=report.hint,
        ))
    return problems


def problems_by_department(gate: GateResult) -> dict[str, list[Problem]]:
    grouped: dict[str, list[Problem]] = {}
    for failure in gate.failures:
        for row, problem in zip(failure.rows, problems_of(failure), strict=True):
            grouped.setdefault(row_department(row), []).append(problem)
    # one line per problem: a duplicated fact fails its key check once per copy, at the same row
    return {department: sorted(dict.fromkeys(problems),
                               key=lambda p: (not p.blocks, p.source_file or "", p.source_sheet or "", p.source_row or 0))
            for department, problems in grouped.items()}


def received_files(con: duckdb.DuckDBPyConnection, month: str) -> dict[str, list[ReceivedFile]]:
    rows = con.execute(
        "select coalesce(submitted_by, ?), source_file, strftime(received_at, '%Y-%m-%d %H:%M'), file_status,"
        " coalesce(rows_read, 0), coalesce(rows_quarantined, 0)"
        " from staging.stg_landing__files where report_month = ? and is_current_file order by source_file",
        [UNKNOWN_DEPARTMENT, f"{month}-01"],
    ).fetchall()
    grouped: dict[str, list[ReceivedFile]] = {}
    for department, *fields in rows:
        grouped.setdefault(department, []).append(ReceivedFile(*fields))
    return grouped


def contacts(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("select department_name, contact_email from main.dim_department").fetchall())


def delivery_statuses(con: duckdb.DuckDBPyConnection, month: str) -> dict[str, str]:
    return dict(con.execute(
        "select department, delivery_status from main.dq_delivery_status where report_month = ?", [f"{month}-01"],
    ).fetchall())


def build_reports(database: Path, gate: GateResult, checks: list[tuple[str, str]]) -> list[DepartmentReport]:
    """Reports for every department that sent files or whose rows failed, and for 未识别单位 input.

    ``checks`` lists (rule, description) of every check the gate ran, to say what passed.
    """
    with duckdb.connect(str(database), read_only=True) as con:
        files = received_files(con, gate.month)
        emails = contacts(con)
        delivery = delivery_statuses(con, gate.month)
    problems = problems_by_department(gate)
    departments = set(files) | {
        department for department, items in problems.items()
        if any(problem.rule not in TRACKER_RULES for problem in items)
    }
    reports = []
    for department in sorted(departments, key=lambda name: (name == UNKNOWN_DEPARTMENT, name)):
        own = [problem for problem in problems.get(department, []) if problem.rule not in TRACKER_RULES]
        failed = {problem.check for problem in own}
        passed = sorted({description for rule, description in checks
                         if description not in failed and rule not in TRACKER_RULES})
        reports.append(DepartmentReport(
            month=gate.month, department=department, contact_email=emails.get(department),
            delivery_status=delivery.get(department, "received" if department in files else None),
            month_blocked=gate.blocked, files=files.get(department, []), problems=own, passed_checks=passed,
        ))
    return reports


def general_failures(gate: GateResult) -> list[Failure]:
    """Failures without located rows (a whole-table check): shown on the summary page."""
    return [failure for failure in gate.failures if not failure.rows]


def as_row(problem: Problem) -> dict[str, Any]:
    return {
        "severity": problem.severity_label, "source_file": problem.source_file, "source_sheet": problem.source_sheet,
        "source_row": problem.source_row, "column": problem.column, "value": problem.value,
        "rule": problem.rule, "message": problem.message, "subject": problem.subject, "hint": problem.hint,
        "blocks": "是" if problem.blocks else "否",
    }
