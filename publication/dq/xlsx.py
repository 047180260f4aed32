"""The report as a workbook: one row per problem, every cell a plain value (no formulas).

Cells whose text starts with ``= + - @`` are written with the explicit string type, so no
spreadsheet program evaluates what a department typed (CSV/formula injection).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font

from publication.dq.model import DepartmentReport, as_row

HEADERS = [("severity", "级别"), ("source_file", "文件"), ("source_sheet", "工作表"), ("source_row", "行（段）"),
           ("column", "列"), ("value", "值"), ("rule", "规则"), ("message", "问题"), ("subject", "内容"),
           ("hint", "修改建议"), ("blocks", "是否阻止发布")]
FORMULA_TRIGGERS = ("=", "+", "-", "@")


def set_plain(cell: Cell, value: Any) -> None:
    """Write ``value``; text that a spreadsheet would read as a formula stays text."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
        cell.quotePrefix = True


def write_workbook(report: DepartmentReport, path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "问题明细"
    for index, (_, label) in enumerate(HEADERS, start=1):
        set_plain(sheet.cell(row=1, column=index), label)
        sheet.cell(row=1, column=index).font = Font(bold=True)
    for row_index, problem in enumerate(report.problems, start=2):
        values = as_row(problem)
        for index, (key, _) in enumerate(HEADERS, start=1):
            set_plain(sheet.cell(row=row_index, column=index), values[key])
    for letter, width in zip("ABCDEFGHIJK", [8, 36, 12, 6, 12, 14, 24, 40, 36, 48, 12], strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    files = book.create_sheet("收到的文件")
    for index, label in enumerate(["文件", "接收时间（UTC）", "状态", "读取行（段）数", "隔离行数"], start=1):
        set_plain(files.cell(row=1, column=index), label)
    for row_index, received in enumerate(report.files, start=2):
        for index, value in enumerate([received.source_file, received.received_at, received.file_status,
                                       received.rows_read, received.rows_quarantined], start=1):
            set_plain(files.cell(row=row_index, column=index), value)
    book.save(path)
    return path
