"""Turning a received file's bytes into sheets of cells, whatever its encoding or format.

Cells are plain Python values (str, float, int, date, None); nothing is ever evaluated.
Row numbers are 1-based as a person sees them in Excel or a text editor.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

# Bounds that keep one absurd file from taking the run down.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_CELLS = 20_000_000

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / encrypted workbooks


@dataclass(frozen=True)
class Sheet:
    name: str | None  # None for a CSV
    rows: list[list[object]]


class UnreadableFile(Exception):
    """The file as a whole cannot be read; ``rule`` names why."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 with or without BOM, else GB18030 (a superset of GBK and GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise UnreadableFile("unreadable_file", f"文本编码无法识别（既非 UTF-8 也非 GB18030）：{exc}") from exc


def read_csv(data: bytes) -> tuple[list[Sheet], str]:
    text, encoding = decode_text(data)
    if "\x00" in text:
        raise UnreadableFile("unreadable_file", "文件含二进制内容，不是文本 CSV")
    rows: list[list[object]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            rows.append(list(row))
            if len(rows) > MAX_ROWS:
                raise UnreadableFile("too_many_rows", f"超过 {MAX_ROWS} 行")
    except csv.Error as exc:
        raise UnreadableFile("unreadable_file", f"CSV 格式错误（第 {reader.line_num} 行）：{exc}") from exc
    return [Sheet(None, rows)], encoding


def read_xlsx(data: bytes) -> list[Sheet]:
    from python_calamine import CalamineWorkbook

    if data.startswith(_OLE_MAGIC):
        raise UnreadableFile("unsupported_file_type", "这是旧版 .xls 或加密的工作簿，请另存为 .xlsx")
    if not data.startswith(_ZIP_MAGIC):
        raise UnreadableFile("unreadable_file", "扩展名为 .xlsx，但内容不是 Excel 工作簿")
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        cells = 0
        for name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells += sum(len(row) for row in rows)
            if len(rows) > MAX_ROWS or cells > MAX_CELLS:
                raise UnreadableFile("too_many_rows", f"工作表“{name}”超过 {MAX_ROWS} 行或 {MAX_CELLS} 个单元格")
            sheets.append(Sheet(name, [list(row) for row in rows]))
    except UnreadableFile:
        raise
    except Exception as exc:  # calamine raises its own error types for every kind of corruption
        raise UnreadableFile("unreadable_file", f"Excel 文件已损坏或无法解析：{exc}") from exc
    return sheets


def read_sheets(data: bytes, suffix: str) -> tuple[list[Sheet], str | None]:
    """Sheets of a received file and, for a CSV, the encoding it was decoded with."""
    if not data:
        raise UnreadableFile("empty_file", "文件为空（0 字节）")
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile("file_too_large", f"文件大小 {len(data)} 字节，超过上限 {MAX_FILE_BYTES}")
    suffix = suffix.lower()
    if suffix == ".csv":
        return read_csv(data)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(data), None
    raise UnreadableFile("unsupported_file_type", f"不支持的文件类型 {suffix or '（无扩展名）'}")
