"""Tier-1 checks at upload: the interface the portal calls, and the rule hints its pages show.

``check_upload(path, file_name, unit, month, catalog_dir) -> UploadCheck`` and
``annotate_xlsx(path, file_name, findings) -> bytes`` are the agreed interface of the upload checks
(the monthly gate's rule catalog applied to one file). Until that implementation is on this
branch, ``_interim_check_upload`` applies the reading tier of ingestion (the same ``read_file`` and
the same rule wording the monthly report uses), so the portal runs end to end.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal, Protocol

Status = Literal["accepted", "accepted_with_warnings", "rejected"]
NARRATIVE_SUFFIXES = (".docx", ".md", ".txt")


class FindingLike(Protocol):
    severity: str
    rule: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    message: str


@dataclass(frozen=True)
class UploadFinding:
    severity: str
    rule: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    hint: str = ""


@dataclass
class UploadCheck:
    status: Status
    findings: list[UploadFinding] = field(default_factory=list)
    wrong_sender: str | None = None


def status_of(findings: list[UploadFinding]) -> Status:
    if any(finding.severity == "blocking" for finding in findings):
        return "rejected"
    return "accepted_with_warnings" if findings else "accepted"


def _interim_check_upload(path: Path, file_name: str, unit: str, month: str, catalog_dir: Path) -> UploadCheck:
    from ingestion.departments import DepartmentDirectory
    from ingestion.load import read_file
    from ingestion.periods import Period

    if Path(file_name).suffix.lower() in NARRATIVE_SUFFIXES:
        return UploadCheck("accepted")
    year, number = (int(part) for part in month.split("-"))
    directory = DepartmentDirectory(catalog_dir / "departments.csv")
    read = read_file(path.read_bytes(), file_name, Period(date(year, number, 1), "month"), directory)
    findings = [UploadFinding(issue.severity, issue.rule, issue.message, issue.source_sheet, issue.source_row,
                              issue.source_column, issue.raw_value) for issue in read.issues]
    senders = {directory.standard(str(row["department_raw"])) for row in read.observations if row.get("department_raw")}
    wrong = sorted(sender for sender in senders if sender and sender != unit)
    return UploadCheck(status_of(findings), findings, wrong[0] if wrong else None)


def _interim_annotate_xlsx(path: Path, file_name: str, findings: list[FindingLike]) -> bytes:
    """The file's cells in a workbook, each cell with a finding filled red with the finding as a comment."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill
    from openpyxl.utils import column_index_from_string

    from ingestion.archive import safe_suffix
    from ingestion.readers import UnreadableFile, read_sheets
    from publication.dq.xlsx import set_plain

    book = Workbook()
    listing = book.active
    listing.title = "问题清单"
    for index, label in enumerate(["级别", "规则", "工作表", "行", "列", "值", "问题", "修改建议"], start=1):
        set_plain(listing.cell(row=1, column=index), label)
    for row_index, finding in enumerate(findings, start=2):
        values = [finding.severity, finding.rule, finding.sheet, finding.row, finding.column, finding.value,
                  finding.message, hint_for(finding.rule)]
        for index, value in enumerate(values, start=1):
            set_plain(listing.cell(row=row_index, column=index), value)
    try:
        sheets = read_sheets(path.read_bytes(), safe_suffix(file_name)).sheets
    except UnreadableFile:
        sheets = []
    red = PatternFill("solid", fgColor="F8B4B4")
    for sheet in sheets:
        target = book.create_sheet((sheet.name or "数据")[:31])
        for row_number, row in enumerate(sheet.rows, start=1):
            for column_number, value in enumerate(row, start=1):
                set_plain(target.cell(row=row_number, column=column_number), value)
        for finding in findings:
            if finding.row is None or not finding.column or (finding.sheet or None) != sheet.name:
                continue
            try:
                cell = target.cell(row=finding.row, column=column_index_from_string(finding.column))
            except ValueError:
                continue
            cell.fill = red
            cell.comment = Comment(f"{finding.message}\n{hint_for(finding.rule)}", "月报报送平台")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


try:  # the shared tier-1 implementation (the gate's rule catalog on one file), once merged
    from expectations.tier1 import check_upload  # type: ignore[import-not-found]
    from publication.dq.annotate import annotate_xlsx  # type: ignore[import-not-found]
except ImportError:
    check_upload = _interim_check_upload
    annotate_xlsx = _interim_annotate_xlsx


def hint_for(rule: str) -> str:
    """What to do about ``rule``: the same hint the monthly data-quality report gives."""
    from ingestion.issues import RULE_HINTS

    if rule in RULE_HINTS:
        return RULE_HINTS[rule]
    from expectations.suites import all_suites

    return next((check.hint for suite in all_suites() for check in suite.checks if check.rule == rule), "")
