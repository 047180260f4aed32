"""Ingesting one report month: archive the inbox, read every archived file, fill the landing tables.

A file that cannot be read is rejected whole with an issue; a row that cannot be read is kept
as ``quarantined`` with an issue per bad cell. Nothing raises for bad input.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

import duckdb
import pandas as pd

from ingestion.archive import ArchivedFile, RawArchive, current_vintages, safe_suffix
from ingestion.departments import UNKNOWN_DEPARTMENT, DepartmentDirectory
from ingestion.file_pool import read_in_order, reading_workers
from ingestion.inbox import NOT_A_REGULAR_FILE, SkippedEntry, open_regular, scan_inbox
from ingestion.issues import Issue
from ingestion.landing import PROVENANCE, Append, replacing_month, rows_frame
from ingestion.layouts import column_letter, iter_sheet_results
from ingestion.names import decode_file_name
from ingestion.narrative.catalog import NarrativeCatalog
from ingestion.narrative.intake import current_narrative_files, read_archived_narrative
from ingestion.narrative.reader import is_narrative
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
    """Regular files of the month's folder, in name order (see ``ingestion.inbox.scan_inbox``)."""
    return scan_inbox(inbox_month).files


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


# Columns of landing.observations that are the same for every row of a file (appended as constants).
_FILE_CONSTANTS = (*PROVENANCE, "received_at")


LandingRead = tuple[FileOutcome, "pd.DataFrame | None"]
"""What is kept of a data file and its observations as a landing frame (None: no rows)."""
LandingKey = tuple[str, str, str, str]
"""What a `LandingRead` depends on: the file's SHA-256 and name, the report month, the directory's digest."""


def landing_key(sha256: str, name: str, report_month: str, directory_digest: str) -> LandingKey:
    return (sha256, name, report_month, directory_digest)


def seed_digest(departments_seed: Path) -> str:
    """SHA-256 of the departments seed the department directory is read from."""
    return hashlib.sha256(departments_seed.read_bytes()).hexdigest()


def _landing_read(read: FileRead) -> LandingRead:
    frame = rows_frame("landing.observations", read.observations, _FILE_CONSTANTS) if read.observations else None
    return FileOutcome.of(read), frame


def read_for_landing(entry: ArchivedFile, home: Path, folder_period: Period,
                     directory: DepartmentDirectory) -> LandingRead:
    """An archived data file read for landing. Runs in a reading worker for large months
    (``ingestion.file_pool``)."""
    return _landing_read(read_archived(entry, home, folder_period, directory))


def read_for_landing_bytes(data: bytes, name: str, report_month: str, directory: DepartmentDirectory) -> LandingRead:
    """A data file's bytes read for landing, as `read_for_landing` reads it once archived
    (``ingestion.read_ahead``)."""
    folder_period = Period(ReportMonth.parse(report_month).first_day, "month")
    return _landing_read(read_file(data, name, folder_period, directory))


def _reads_in_order(entries: list[ArchivedFile], read: Callable[[ArchivedFile], LandingRead],
                    ready: Mapping[LandingKey, LandingRead], key_of: Callable[[ArchivedFile], LandingKey]
                    ) -> Iterator[LandingRead]:
    """Each entry's read, in order: the one already ``ready`` (read ahead) or a fresh one."""
    unread = [entry for entry in entries if key_of(entry) not in ready]
    fresh = read_in_order(read, unread, reading_workers(sum(entry.size_bytes for entry in unread)))
    try:
        for entry in entries:
            key = key_of(entry)
            yield ready[key] if key in ready else next(fresh)
    finally:
        fresh.close()  # its reading workers, if any, are stopped


def ingest_month(con: duckdb.DuckDBPyConnection, inbox: Path, home: Path, report_month: str,
                 departments_seed: Path, ready: Mapping[LandingKey, LandingRead] | None = None) -> IngestSummary:
    """Archive ``<inbox>/<report_month>/`` and (re)load every archived file of that month.

    Files are read (by worker processes when the month is large: ``ingestion.file_pool``) and landed
    one at a time, in archive order, inside the month's transaction, so memory holds a few files'
    rows, not the month's; which vintage of a resent file is current is settled at the end. A file
    whose read is ``ready`` (``ingestion.read_ahead``, under its `landing_key`) is not read again.
    """
    archive = RawArchive(home)
    directory = DepartmentDirectory(departments_seed)
    scan = scan_inbox(inbox / report_month)
    skipped = list(scan.skipped)
    for path in scan.files:
        name = decode_file_name(path.name)
        try:
            archive.add(path, report_month, directory.in_text(name))
        except OSError as error:  # gone, unreadable, or swapped for a link or FIFO since the scan
            skipped.append(SkippedEntry(name, f"文件无法读取（{error.strerror or error}），未读取"))
    month_start = ReportMonth.parse(report_month).first_day
    folder_period = Period(month_start, "month")
    entries = archive.for_month(report_month)
    narratives = [entry for entry in entries if is_narrative(entry.original_name)]
    narrative_files = {entry.sha256 for entry in narratives}
    catalog = NarrativeCatalog.from_seeds(departments_seed.parent)
    outcomes: dict[str, FileOutcome] = {}
    data_files = [entry for entry in entries if entry.sha256 not in narrative_files]
    read = partial(read_for_landing, home=home, folder_period=folder_period, directory=directory)
    digest = seed_digest(departments_seed) if ready else ""
    key_of = lambda entry: landing_key(entry.sha256, entry.original_name, report_month, digest)  # noqa: E731
    with replacing_month(con, month_start) as append:
        for entry in narratives:
            outcomes[entry.sha256] = _land_narrative(append, entry, home, catalog, month_start)
        reads = _reads_in_order(data_files, read, ready or {}, key_of)
        for entry, (outcome, frame) in zip(data_files, reads, strict=True):
            if frame is not None:
                append("landing.observations", frame,
                       _provenance(entry, month_start, True) | {"received_at": entry.received_at})
            outcomes[entry.sha256] = outcome
            del frame
        department_of = lambda entry: outcomes[entry.sha256].department  # noqa: E731
        current = (current_vintages([entry for entry in entries if entry.sha256 not in narrative_files], department_of)
                   | current_narrative_files(narratives, department_of))
        superseded = sorted({entry.sha256 for entry in entries} - current)
        if superseded:
            for table in ("landing.observations", "landing.narrative_paragraphs", "landing.narrative_figures"):
                con.execute(f"update {table} set is_current_file = false"
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
        for entry in skipped:  # not files: findings for the department the name points to
            issue = Issue(NOT_A_REGULAR_FILE, "warning", entry.message, entry.name)
            append("landing.ingest_issues", [issue.as_row() | {"department": directory.in_text(entry.name)
                                                                 or UNKNOWN_DEPARTMENT}],
                   {"report_month": month_start, "file_sha256": _entry_id(entry.name),
                    "source_file": entry.name, "is_current_file": True})
    summary = IngestSummary(report_month, issues=len(skipped))
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


def _land_narrative(append: Append, entry: ArchivedFile, home: Path, catalog: NarrativeCatalog,
                    month_start: date) -> FileOutcome:
    """Land a narrative file's paragraphs and figures; what is kept of it for the files table."""
    read = read_archived_narrative(entry, home, catalog, month_start)
    provenance = _provenance(entry, month_start, True)
    append("landing.narrative_paragraphs", read.paragraphs, provenance | {"received_at": entry.received_at})
    append("landing.narrative_figures", read.figures, provenance)
    return FileOutcome(read.submitter, read.layout, read.encoding, len(read.paragraphs), 0, read.issues)


def _provenance(entry: ArchivedFile, month_start: date, is_current: bool) -> dict[str, object]:
    return {"report_month": month_start, "file_sha256": entry.sha256, "source_file": entry.original_name,
            "is_current_file": is_current}


def sender_of(path: Path, directory: DepartmentDirectory) -> str | None:
    """The department an inbox file comes from, before any run: its name, else its rows' 报送单位
    (a file called ``..%2fetc.csv`` with 市商务局's rows was delivered by 市商务局); None if neither."""
    name = decode_file_name(path.name)
    named = directory.in_text(name)
    if named:
        return named
    try:
        with os.fdopen(open_regular(path), "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    today = date.today()
    department = read_file(data, name, Period(date(today.year, today.month, 1), "month"), directory).department
    return None if department == UNKNOWN_DEPARTMENT else department


def _entry_id(name: str) -> str:
    """A stable id standing for the file checksum of an inbox entry that is not a file."""
    return hashlib.sha256(f"inbox-entry:{name}".encode()).hexdigest()
