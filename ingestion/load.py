"""Ingesting one report month: archive the inbox, read every archived file, fill the landing tables.

A file that cannot be read is rejected whole with an issue; a row that cannot be read is kept
as ``quarantined`` with an issue per bad cell. Nothing raises for bad input.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from ingestion.archive import ArchivedFile, RawArchive, current_vintages, safe_suffix
from ingestion.departments import UNKNOWN_DEPARTMENT, DepartmentDirectory
from ingestion.issues import Issue
from ingestion.landing import replacing_month
from ingestion.layouts import column_letter, iter_sheet_results
from ingestion.periods import Period
from ingestion.readers import MAX_FILE_BYTES, UnreadableFile, Workbook, read_sheets
from ingestion.report_month import ReportMonth
from ingestion.text import cell_text

log = logging.getLogger(__name__)


@dataclass
class IngestSummary:
    report_month: str
    files: int = 0
    files_rejected: int = 0
    observations: int = 0
    quarantined: int = 0
    issues: int = 0
    rejected: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def inbox_files(inbox_month: Path) -> list[Path]:
    """Regular files of the month's folder, in name order.

    Hidden files, Office lock files (``~$…``) and symbolic links (which could point anywhere on
    the machine) are left out.
    """
    if not inbox_month.is_dir():
        return []
    return sorted(
        path for path in inbox_month.iterdir()
        if not path.is_symlink() and path.is_file() and not path.name.startswith((".", "~$"))
    )


@dataclass
class FileRead:
    department: str
    layout: str | None  # None: the file was rejected whole
    encoding: str | None
    observations: list[dict[str, object]]
    issues: list[Issue]


def _rejected(department: str, encoding: str | None, issues: list[Issue]) -> FileRead:
    return FileRead(department, None, encoding, [], issues)


def workbook_warnings(workbook: Workbook, name: str) -> list[Issue]:
    """Warnings about what was deliberately not executed: macros and formulas (cached values read)."""
    issues = []
    if workbook.has_macros:
        issues.append(Issue("macros_ignored", "warning", "工作簿含宏（vbaProject），宏未运行", name))
    for sheet in workbook.sheets:
        for row, col in sheet.formula_cells:
            cached = cell_text(sheet.rows[row][col]) if row < len(sheet.rows) and col < len(sheet.rows[row]) else None
            issues.append(Issue("formula_cached_value", "warning", "公式单元格：读取其缓存值，未重新计算",
                                name, sheet.name, row + 1, column_letter(col), cached))
    return issues


def read_file(data: bytes, name: str, folder_period: Period, directory: DepartmentDirectory) -> FileRead:
    """Read one file's bytes into observation rows and issues; never raises for bad input."""
    by_name = directory.in_text(name) or UNKNOWN_DEPARTMENT
    try:
        workbook = read_sheets(data, safe_suffix(name))
    except UnreadableFile as exc:
        return _rejected(by_name, None, [Issue(exc.rule, "blocking", str(exc), name)])
    warnings = workbook_warnings(workbook, name)
    results = list(iter_sheet_results(workbook.sheets, name, folder_period))
    if not results:
        first_sheet = workbook.sheets[0].name if workbook.sheets else None
        issue = Issue("unknown_layout", "blocking", "文件中没有可识别的长表或宽表", name, first_sheet)
        return _rejected(by_name, workbook.encoding, [issue, *warnings])
    issues = [*warnings, *(issue for result in results for issue in result.issues)]
    observations = [obs for result in results for obs in result.observations]
    named = [directory.standard(obs.department_raw) for obs in observations if obs.department_raw]
    hinted = [directory.standard(result.department_hint) for result in results if result.department_hint]
    department = next((d for d in [*named, *hinted] if d), None) or by_name
    if any(result.rejected for result in results):
        return _rejected(department, workbook.encoding, issues)
    if not observations:
        issues.append(Issue("no_data_rows", "warning", "找到表头，但其下没有数据行", name))
    # vars(), not asdict(): the fields are scalars, and asdict's deep copy was 80% of the read time.
    rows = [vars(obs) | {"department": directory.standard(obs.department_raw) or department}
            for obs in observations]
    layout = "+".join(sorted({result.layout for result in results if result.layout}))
    return FileRead(department, layout, workbook.encoding, rows, issues)


def read_archived(entry: ArchivedFile, home: Path, folder_period: Period, directory: DepartmentDirectory) -> FileRead:
    """Read an archived file, refusing by its recorded size before loading any byte."""
    if entry.size_bytes > MAX_FILE_BYTES:
        issue = Issue("file_too_large", "blocking", f"文件大小 {entry.size_bytes} 字节，超过上限 {MAX_FILE_BYTES}",
                      entry.original_name)
        return _rejected(entry.submitted_by or UNKNOWN_DEPARTMENT, None, [issue])
    return read_file(entry.path(home).read_bytes(), entry.original_name, folder_period, directory)


@dataclass
class FileOutcome:
    """What is kept of a file once its rows are in the landing table."""

    department: str
    layout: str | None
    encoding: str | None
    rows_read: int
    rows_quarantined: int
    issues: list[Issue]

    @classmethod
    def of(cls, read: FileRead) -> FileOutcome:
        quarantined = sum(row["row_status"] != "ok" for row in read.observations)
        return cls(read.department, read.layout, read.encoding, len(read.observations), quarantined, read.issues)


def ingest_month(con: duckdb.DuckDBPyConnection, inbox: Path, home: Path, report_month: str,
                 departments_seed: Path) -> IngestSummary:
    """Archive ``<inbox>/<report_month>/`` and (re)load every archived file of that month.

    Files are read and landed one at a time inside the month's transaction, so memory holds one
    file's rows, not the month's; which vintage of a resent file is current is settled at the end.
    """
    archive = RawArchive(home)
    directory = DepartmentDirectory(departments_seed)
    for path in inbox_files(inbox / report_month):
        archive.add(path, report_month, directory.in_text(path.name))
    month_start = ReportMonth.parse(report_month).first_day
    folder_period = Period(month_start, "month")
    entries = archive.for_month(report_month)
    outcomes: dict[str, FileOutcome] = {}
    with replacing_month(con, month_start) as append:
        for entry in entries:
            read = read_archived(entry, home, folder_period, directory)
            append("landing.observations", read.observations,
                   _provenance(entry, month_start, True) | {"received_at": entry.received_at})
            outcomes[entry.sha256] = FileOutcome.of(read)
            del read
        current = current_vintages(entries, lambda entry: outcomes[entry.sha256].department)
        superseded = sorted({entry.sha256 for entry in entries} - current)
        if superseded:
            con.execute("update landing.observations set is_current_file = false"
                        " where report_month = ? and file_sha256 in (select unnest(?))", [month_start, superseded])
        for entry in entries:
            outcome = outcomes[entry.sha256]
            provenance = _provenance(entry, month_start, entry.sha256 in current)
            append("landing.files", [{
                "department": outcome.department, "size_bytes": entry.size_bytes,
                "received_at": entry.received_at, "archive_path": entry.archive_path, "layout": outcome.layout,
                "encoding": outcome.encoding, "status": "loaded" if outcome.layout else "rejected",
                "rows_read": outcome.rows_read, "rows_quarantined": outcome.rows_quarantined,
            }], provenance)
            append("landing.ingest_issues",
                   [issue.as_row() | {"department": outcome.department} for issue in outcome.issues], provenance)
    summary = IngestSummary(report_month)
    for entry in entries:
        if entry.sha256 not in current:
            continue  # a superseded vintage: landed for history, not counted
        outcome = outcomes[entry.sha256]
        summary.files += 1
        summary.observations += outcome.rows_read
        summary.quarantined += outcome.rows_quarantined
        summary.issues += len(outcome.issues)
        if outcome.layout is None:
            summary.files_rejected += 1
            summary.rejected.append(entry.original_name)
    log.info("ingested %s", summary)
    return summary


def _provenance(entry: ArchivedFile, month_start: date, is_current: bool) -> dict[str, object]:
    return {"report_month": month_start, "file_sha256": entry.sha256, "source_file": entry.original_name,
            "is_current_file": is_current}
