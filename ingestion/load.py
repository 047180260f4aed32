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

from ingestion.archive import ArchivedFile, RawArchive, safe_suffix
from ingestion.departments import UNKNOWN_DEPARTMENT, DepartmentDirectory
from ingestion.issues import Issue
from ingestion.landing import replace_month
from ingestion.layouts import iter_sheet_results
from ingestion.periods import Period
from ingestion.readers import UnreadableFile, read_sheets

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
    """Regular files of the month's folder, hidden and temporary files excluded, in name order."""
    if not inbox_month.is_dir():
        return []
    return sorted(
        path for path in inbox_month.iterdir()
        if path.is_file() and not path.name.startswith((".", "~$"))
    )


@dataclass
class FileRead:
    department: str
    layout: str | None
    encoding: str | None
    observations: list[dict[str, object]]
    issues: list[Issue]


def read_file(data: bytes, name: str, folder_period: Period, directory: DepartmentDirectory) -> FileRead:
    """Read one file's bytes into observation rows and issues; never raises for bad input."""
    by_name = directory.in_text(name)
    try:
        sheets, encoding = read_sheets(data, safe_suffix(name))
    except UnreadableFile as exc:
        issue = Issue(exc.rule, "blocking", str(exc), name)
        return FileRead(by_name or UNKNOWN_DEPARTMENT, None, None, [], [issue])
    results = list(iter_sheet_results(sheets, name, folder_period))
    if not results:
        issue = Issue("unknown_layout", "blocking", "文件中没有可识别的长表或宽表", name, sheets[0].name if sheets else None)
        return FileRead(by_name or UNKNOWN_DEPARTMENT, None, encoding, [], [issue])
    observations = [obs for result in results for obs in result.observations]
    named = [directory.standard(obs.department_raw) for obs in observations if obs.department_raw]
    hinted = [directory.standard(result.department_hint) for result in results if result.department_hint]
    department = next((d for d in [*named, *hinted] if d), None) or by_name or UNKNOWN_DEPARTMENT
    rows = [asdict(obs) | {"department": directory.standard(obs.department_raw) or department}
            for obs in observations]
    layout = "+".join(sorted({result.layout for result in results if result.layout}))
    return FileRead(department, layout, encoding, rows, [i for r in results for i in r.issues])


def ingest_month(con: duckdb.DuckDBPyConnection, inbox: Path, home: Path, report_month: str,
                 departments_seed: Path) -> IngestSummary:
    """Archive ``<inbox>/<report_month>/`` and (re)load every archived file of that month."""
    archive = RawArchive(home)
    for path in inbox_files(inbox / report_month):
        archive.add(path, report_month)
    directory = DepartmentDirectory(departments_seed)
    year, month = (int(part) for part in report_month.split("-"))
    month_start = date(year, month, 1)
    folder_period = Period(month_start, "month")
    summary = IngestSummary(report_month)
    tables: dict[str, list[dict[str, object]]] = {
        "landing.files": [], "landing.observations": [], "landing.ingest_issues": []
    }
    current = archive.current_for_month(report_month)
    for entry in archive.for_month(report_month):
        read = read_file(entry.path(home).read_bytes(), entry.original_name, folder_period, directory)
        _collect(tables, entry, read, month_start, entry.sha256 in current)
        if entry.sha256 not in current:
            continue  # a superseded vintage: landed for history, not counted
        summary.files += 1
        summary.observations += len(read.observations)
        summary.quarantined += sum(row["row_status"] != "ok" for row in read.observations)
        summary.issues += len(read.issues)
        if read.layout is None:
            summary.files_rejected += 1
            summary.rejected.append(entry.original_name)
    replace_month(con, month_start, tables)
    log.info("ingested %s", summary)
    return summary


def _collect(tables: dict[str, list[dict[str, object]]], entry: ArchivedFile, read: FileRead,
             month_start: date, is_current: bool) -> None:
    provenance = {"report_month": month_start, "file_sha256": entry.sha256, "source_file": entry.original_name,
                  "is_current_file": is_current}
    tables["landing.files"].append(provenance | {
        "department": read.department, "size_bytes": entry.size_bytes, "received_at": entry.received_at,
        "archive_path": entry.archive_path, "layout": read.layout, "encoding": read.encoding,
        "status": "loaded" if read.layout else "rejected", "rows_read": len(read.observations),
        "rows_quarantined": sum(row["row_status"] != "ok" for row in read.observations),
    })
    for row in read.observations:
        tables["landing.observations"].append(provenance | row | {"received_at": entry.received_at})
    for issue in read.issues:
        tables["landing.ingest_issues"].append(provenance | issue.as_row() | {"department": read.department})
