"""An uploaded file given back as a workbook with its bad cells marked (the portal's download).

Every sheet of the file (a CSV becomes one sheet) with the values as read — never formulas, and
text that a spreadsheet would take for a formula kept as text (``set_plain``, as the monthly
report's workbook does); each cell a finding names is filled (red: blocks, yellow: warning) and
carries a comment with the message and what to do. A last sheet ``问题清单`` lists every finding,
including those of the whole file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string

from ingestion.archive import safe_suffix
from ingestion.readers import Sheet, UnreadableFile, read_sheets
from publication.dq.model import SEVERITY_LABELS
from publication.dq.xlsx import set_plain

FILLS = {"blocking": PatternFill("solid", fgColor="FFC7CE"), "warning": PatternFill("solid", fgColor="FFEB9C")}
FINDINGS_SHEET = "问题清单"
_LETTERS = re.compile(r"^[A-Z]{1,3}$")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class FindingLike(Protocol):
    severity: str
    rule: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    message: str


def annotate_xlsx(path: Path, file_name: str, findings: Iterable[FindingLike]) -> bytes:
    """The file's content as .xlsx bytes with the cells of ``findings`` marked and commented."""
    findings = list(findings)
    book = Workbook()
    book.remove(book.active)
    try:
        sheets = read_sheets(path.read_bytes(), safe_suffix(file_name)).sheets
    except UnreadableFile:
        sheets = []
    titles: dict[str | None, object] = {}
    for index, sheet in enumerate(sheets):
        target = book.create_sheet(_sheet_title(sheet, file_name, index, {ws.title for ws in book.worksheets}))
        for row_index, row in enumerate(sheet.rows, start=1):
            for col_index, value in enumerate(row, start=1):
                if value is not None:
                    set_plain(target.cell(row=row_index, column=col_index), value)
        titles[sheet.name] = target
    for finding in findings:
        target = titles.get(finding.sheet) or (next(iter(titles.values())) if len(titles) == 1 else None)
        if target is None or not finding.row:
            continue
        column = column_index_from_string(finding.column) if _LETTERS.match(finding.column or "") else 1
        cell = target.cell(row=finding.row, column=column)  # type: ignore[attr-defined]
        cell.fill = FILLS.get(finding.severity, FILLS["warning"])
        text = f"[{SEVERITY_LABELS.get(finding.severity, finding.severity)}] {finding.rule}：{finding.message}"
        hint = getattr(finding, "hint", "")
        if cell.comment is not None:
            text = f"{cell.comment.text}\n{text}"
        cell.comment = Comment(f"{text}\n{hint}".strip() if hint and hint not in text else text, "yuebao")
    _findings_sheet(book, findings)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(sheet: Sheet, file_name: str, index: int, taken: set[str]) -> str:
    """A valid, unique worksheet title: the sheet's name, or the file's name for a CSV."""
    base = _SHEET_NAME_FORBIDDEN.sub("_", sheet.name or Path(file_name).stem or "数据")[:28] or "数据"
    title = base if base not in taken and base != FINDINGS_SHEET else f"{base}_{index + 1}"
    return title[:31]


def _findings_sheet(book: Workbook, findings: list[FindingLike]) -> None:
    sheet = book.create_sheet(FINDINGS_SHEET)
    headers = ["级别", "工作表", "行", "列", "值", "规则", "问题", "修改建议"]
    for col, label in enumerate(headers, start=1):
        set_plain(sheet.cell(row=1, column=col), label)
        sheet.cell(row=1, column=col).font = Font(bold=True)
    for row, finding in enumerate(findings, start=2):
        values = [SEVERITY_LABELS.get(finding.severity, finding.severity), finding.sheet, finding.row,
                  finding.column, finding.value, finding.rule, finding.message, getattr(finding, "hint", "")]
        for col, value in enumerate(values, start=1):
            set_plain(sheet.cell(row=row, column=col), value)
    for letter, width in zip("ABCDEFGH", [8, 14, 6, 6, 16, 24, 48, 48], strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
