"""Landing narrative files: their paragraphs and figures, with the provenance the exports get.

A narrative file is a whole submission: the latest one received from a submitter in a report
month replaces that submitter's prose for the month (earlier ones stay landed, not current).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from ingestion.archive import ArchivedFile
from ingestion.issues import Issue
from ingestion.narrative.catalog import NarrativeCatalog
from ingestion.narrative.figures import figures_in
from ingestion.narrative.reader import read_narrative
from ingestion.readers import MAX_FILE_BYTES

UNKNOWN_SUBMITTER = "未识别单位"
LAYOUT = "narrative"


@dataclass
class NarrativeRead:
    submitter: str
    layout: str | None  # None: the file could not be read
    encoding: str | None
    paragraphs: list[dict[str, object]] = field(default_factory=list)
    figures: list[dict[str, object]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def read_archived_narrative(entry: ArchivedFile, home: Path, catalog: NarrativeCatalog,
                            report_month: date) -> NarrativeRead:
    """Paragraph and figure rows of an archived narrative file, refused by size before reading."""
    if entry.size_bytes > MAX_FILE_BYTES:
        issue = Issue("file_too_large", "blocking", f"文件大小 {entry.size_bytes} 字节，超过上限 {MAX_FILE_BYTES}",
                      entry.original_name)
        submitter = catalog.submitter_in(entry.original_name)
        return NarrativeRead(submitter.name if submitter else UNKNOWN_SUBMITTER, None, None, issues=[issue])
    result = read_narrative(entry.path(home), entry.original_name, catalog)
    who = result.submitter
    read = NarrativeRead(who.name if who else UNKNOWN_SUBMITTER, LAYOUT if result.readable else None,
                         result.encoding, issues=result.findings)
    if who is None:
        return read
    placed = {"submitter": who.name, "submitter_kind": who.kind}
    for paragraph in result.paragraphs:
        order = catalog.submitter_order(who, paragraph.action)
        read.paragraphs.append(asdict(paragraph) | placed | {"submitter_order": order})
        for figure in figures_in(paragraph.source_paragraph, paragraph.text, report_month):
            read.figures.append(asdict(figure) | placed | {"section": paragraph.section, "action": paragraph.action})
    return read


def current_narrative_files(entries: Iterable[ArchivedFile], submitter_of: Callable[[ArchivedFile], str]) -> set[str]:
    """sha256 of the narrative files in force: per submitter, the latest received."""
    latest: dict[str, ArchivedFile] = {}
    for entry in entries:
        key = submitter_of(entry)
        known = latest.get(key)
        if known is None or (entry.received_at, entry.sha256) > (known.received_at, known.sha256):
            latest[key] = entry
    return {entry.sha256 for entry in latest.values()}
