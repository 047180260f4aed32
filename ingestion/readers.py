"""Turning a received file's bytes into sheets of cells, whatever its encoding or format.

Cells are plain Python values (str, float, int, date, None); nothing is ever evaluated: a
formula cell of an .xlsx gives its cached value (see ``xlsx_parts``), a CSV cell starting with
``=`` stays text. Row numbers are 1-based as a person sees them in Excel or a text editor.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from ingestion.xlsx_parts import (
    MAX_CELLS,
    MAX_ROWS,
    WorkbookScan,
    ZipLimitExceeded,
    scan_workbook,
)

# Bounds that keep one absurd file from taking the run down (rows and cells: see xlsx_parts).
MAX_FILE_BYTES = 50 * 1024 * 1024
__all__ = ["MAX_CELLS", "MAX_FILE_BYTES", "MAX_ROWS", "Sheet", "UnreadableFile", "Workbook", "check_size", "read_sheets"]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / encrypted workbooks
CellRange = tuple[int, int, int, int]  # first row, first column, last row, last column (0-based)


@dataclass(frozen=True)
class Sheet:
    name: str | None  # None for a CSV
    rows: list[list[object]]
    merged: tuple[CellRange, ...] = ()
    formula_cells: tuple[tuple[int, int], ...] = ()  # (row, column), 0-based: cached values read


@dataclass(frozen=True)
class Workbook:
    """What a file holds: its sheets, the CSV encoding, and facts worth a warning."""

    sheets: list[Sheet]
    encoding: str | None = None
    has_macros: bool = False
    notes: list[str] = field(default_factory=list)


class UnreadableFile(Exception):
    """The file as a whole cannot be read; ``rule`` names why."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 with or without BOM, else GB18030 (a superset of GBK and GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise UnreadableFile("unreadable_file", f"文件以 UTF-8 标记开头，但内容不是 UTF-8：{exc}") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise UnreadableFile("unreadable_file", f"文本编码无法识别（既非 UTF-8 也非 GB18030）：{exc}") from exc


def read_csv(data: bytes) -> Workbook:
    """Rows of a CSV, parsed as a stream over the decoded text and bounded in rows and cells."""
    if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
        raise UnreadableFile("extension_mismatch", "扩展名为 .csv，但内容是 Excel 工作簿")
    text, encoding = decode_text(data)
    if "\x00" in text:
        raise UnreadableFile("unreadable_file", "文件含二进制内容，不是文本 CSV")
    rows: list[list[object]] = []
    cells = 0
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            cells += len(row)
            if len(rows) >= MAX_ROWS or cells > MAX_CELLS:
                raise UnreadableFile("too_many_rows", f"超过 {MAX_ROWS} 行或 {MAX_CELLS} 个单元格")
            rows.append(list(row))
    except csv.Error as exc:
        raise UnreadableFile("unreadable_file", f"CSV 格式错误（第 {reader.line_num} 行）：{exc}") from exc
    return Workbook([Sheet(None, rows)], encoding)


def read_xlsx(data: bytes) -> Workbook:
    """Sheets of an .xlsx, read by calamine after the zip and sheet sizes were checked."""
    from python_calamine import CalamineWorkbook

    if data.startswith(_OLE_MAGIC):
        raise UnreadableFile("unsupported_file_type", "这是旧版 .xls 或加密的工作簿，请另存为 .xlsx")
    if not data.startswith(_ZIP_MAGIC):
        raise UnreadableFile("extension_mismatch", "扩展名为 .xlsx，但内容不是 Excel 工作簿（可能是改了扩展名的文本文件）")
    try:
        scan = scan_workbook(data)
    except ZipLimitExceeded as exc:
        raise UnreadableFile(exc.rule, str(exc)) from exc
    except Exception as exc:  # a broken zip or workbook.xml
        raise UnreadableFile("unreadable_file", f"Excel 文件已损坏或无法解析：{exc}") from exc
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [_calamine_sheet(workbook.get_sheet_by_name(name), scan) for name in workbook.sheet_names]
    except Exception as exc:  # calamine raises its own error types for every kind of corruption
        raise UnreadableFile("unreadable_file", f"Excel 文件已损坏或无法解析：{exc}") from exc
    return Workbook(sheets, None, scan.has_macros)


def _calamine_sheet(sheet: object, scan: WorkbookScan) -> Sheet:
    rows = sheet.to_python(skip_empty_area=False)  # type: ignore[attr-defined]
    merged = tuple((r1, c1, r2, c2) for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or []))  # type: ignore[attr-defined]
    name = sheet.name  # type: ignore[attr-defined]
    return Sheet(name, [list(row) for row in rows], merged, scan.formula_cells.get(name, ()))


def check_size(data: bytes) -> None:
    """Refuse a received file (numbers or prose) that is empty or larger than MAX_FILE_BYTES."""
    if not data:
        raise UnreadableFile("empty_file", "文件为空（0 字节）")
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile("file_too_large", f"文件大小 {len(data)} 字节，超过上限 {MAX_FILE_BYTES}")


def read_sheets(data: bytes, suffix: str) -> Workbook:
    """The sheets of a received file; raises UnreadableFile when the file as a whole is unusable."""
    check_size(data)
    suffix = suffix.lower()
    if suffix == ".csv":
        return read_csv(data)
    if suffix == ".xlsx":
        return read_xlsx(data)
    if suffix == ".xlsm":
        raise UnreadableFile("unsupported_file_type", "启用宏的工作簿（.xlsm）不予接收，请另存为 .xlsx")
    raise UnreadableFile("unsupported_file_type", f"不支持的文件类型 {suffix or '（无扩展名）'}")
