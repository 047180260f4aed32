"""Checking an .xlsx package before any reader expands it: zip bombs, absurd sheets, formulas, macros.

An .xlsx is a zip of XML parts. The zip directory declares every part's uncompressed size, so a
bomb is refused before a byte is inflated; a package that lies about them is caught by inflating
every part as a stream, 1 MB at a time, stopping at the first byte beyond the claim. Each worksheet's cell references give the rows and
columns a reader would allocate (calamine builds a dense grid from the first to the last cell,
whatever the ``<dimension>`` element claims), so a single cell at XFD1048576 is refused too.
Formula cells are listed: readers take their cached value and the department gets a warning.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import xml.etree.ElementTree as ElementTree
import zipfile
import zlib
from dataclasses import dataclass, field

MAX_ROWS = 200_000
MAX_CELLS = 5_000_000  # of the dense grid a reader would allocate for one workbook
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200  # deflated XML is 5–20× smaller; bombs are 1000× and more
MAX_PARTS = 10_000
_CHUNK = 1024 * 1024  # inflate at most this much at a time
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # a zip local file header; the last two: name, extra lengths

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_FAR_ROW = re.compile(rb'<(?:\w+:)?c r="[A-Z]{1,3}(\d{6,})"')  # a cell at row 100000 or below
_COLUMN_3 = re.compile(rb'<(?:\w+:)?c r="([A-Z]{3})\d')
_COLUMN_2 = re.compile(rb'<(?:\w+:)?c r="([A-Z]{2})\d')
MAX_FORMULAS_LISTED = 1000
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_REF = re.compile(rb'<(?:\w+:)?c r="([A-Z]{1,3})(\d+)"')


class ZipLimitExceeded(Exception):
    """The package is larger than any monthly export could be; ``rule`` names the bound."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


@dataclass
class WorkbookScan:
    formula_cells: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)  # sheet → (row, col)
    has_macros: bool = False


def column_index(letters: bytes | str) -> int:
    """A → 0, Z → 25, AA → 26."""
    index = 0
    for letter in letters.decode() if isinstance(letters, bytes) else letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def check_zip_sizes(archive: zipfile.ZipFile) -> None:
    """Refuse a package by the sizes its zip directory declares, before inflating anything."""
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise ZipLimitExceeded("file_too_large", f"压缩包内有 {len(parts)} 个部件，超过上限 {MAX_PARTS}")
    total = sum(part.file_size for part in parts)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ZipLimitExceeded("file_too_large", f"解压后 {total} 字节，超过上限 {MAX_UNCOMPRESSED_BYTES}（疑似压缩炸弹）")
    for part in parts:
        if part.file_size > 1024 * 1024 and part.file_size > MAX_COMPRESSION_RATIO * max(part.compress_size, 1):
            raise ZipLimitExceeded(
                "file_too_large", f"部件 {part.filename} 压缩比异常（{part.file_size}/{part.compress_size}），疑似压缩炸弹"
            )


def inflated_size(archive: zipfile.ZipFile, part: zipfile.ZipInfo, cap: int) -> int:
    """Bytes the part really inflates to, streamed 1 MB at a time from its compressed bytes.

    The sizes in the zip directory are the sender's claim: Python's zipfile and calamine both
    inflate a part whole, however large, so a part claiming 1 KB that inflates to 2 GB must be
    caught here. Stops as soon as the output exceeds the claimed size or ``cap``.
    """
    if part.compress_type == zipfile.ZIP_STORED:
        return part.compress_size
    if part.compress_type != zipfile.ZIP_DEFLATED:
        raise ZipLimitExceeded("unreadable_file", f"部件 {part.filename} 使用了不支持的压缩方式 {part.compress_type}")
    handle = archive.fp
    assert handle is not None
    handle.seek(part.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise ZipLimitExceeded("unreadable_file", f"部件 {part.filename} 的文件头已损坏")
    name_length, extra_length = _LOCAL_HEADER.unpack(header)[-2:]
    handle.seek(part.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    limit = min(part.file_size, cap)
    total, left = 0, part.compress_size
    while left > 0 and not inflater.eof:
        pending = handle.read(min(left, _CHUNK))
        if not pending:
            break
        left -= len(pending)
        while pending and not inflater.eof:
            try:
                total += len(inflater.decompress(pending, _CHUNK))
            except zlib.error as exc:
                raise ZipLimitExceeded("unreadable_file", f"部件 {part.filename} 的压缩数据已损坏：{exc}") from exc
            if total > limit:
                raise ZipLimitExceeded("file_too_large", f"部件 {part.filename} 解压后超过 {limit} 字节"
                                       f"（声明 {part.file_size} 字节），疑似压缩炸弹")
            pending = inflater.unconsumed_tail
    return total


def check_inflated_sizes(archive: zipfile.ZipFile) -> None:
    """Inflate every part as a stream, in bounded memory, and refuse a package whose parts inflate
    to more than they claim or than the bounds (the declared sizes were checked before)."""
    budget = MAX_UNCOMPRESSED_BYTES
    for part in archive.infolist():
        if part.is_dir():
            continue
        size = inflated_size(archive, part, budget)
        if size != part.file_size:
            raise ZipLimitExceeded("file_too_large", f"部件 {part.filename} 实际解压 {size} 字节，"
                                   f"与声明的 {part.file_size} 字节不符，疑似压缩炸弹")
        budget -= size


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the worksheet part that holds it, from workbook.xml and its relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in relations.iter(f"{_PKG_REL}Relationship")}
    parts: dict[str, str] = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        parts[sheet.get("name", "")] = path
    return parts


def grid_size(xml: bytes) -> tuple[int, int]:
    """Rows and columns spanned by a worksheet's cells (cheap: exact where the bounds need it)."""
    rows = max((int(n) for n in _ROW_NUMBER.findall(xml)), default=0)
    rows = max([rows, *(int(n) for n in _FAR_ROW.findall(xml))])
    columns = max((column_index(letters) + 1 for letters in set(_COLUMN_3.findall(xml))), default=0)
    if not columns:  # no column beyond ZZ: 702 bounds the width unless the grid might be too large
        columns = 702 if rows * 702 <= MAX_CELLS else max(
            (column_index(letters) + 1 for letters in set(_COLUMN_2.findall(xml))), default=26
        )
    return rows, columns


def check_grid(name: str, xml: bytes) -> None:
    """Refuse a sheet whose cells span more rows or a larger grid than the bounds."""
    rows, columns = grid_size(xml)
    if rows > MAX_ROWS or rows * columns > MAX_CELLS:
        raise ZipLimitExceeded(
            "too_many_rows", f"工作表“{name}”跨 {rows} 行 × {columns} 列，超过上限 {MAX_ROWS} 行 / {MAX_CELLS} 个单元格"
        )


def formula_cells(xml: bytes) -> tuple[tuple[int, int], ...]:
    """(row, column), 0-based, of every cell holding a formula."""
    found: list[tuple[int, int]] = []
    for match in _FORMULA.finditer(xml):
        if len(found) >= MAX_FORMULAS_LISTED:
            break
        cells = _CELL_REF.findall(xml, max(0, match.start() - 400), match.start())
        if cells:  # the formula belongs to the last cell opened before it
            letters, row = cells[-1]
            found.append((int(row) - 1, column_index(letters)))
    return tuple(dict.fromkeys(found))


def scan_workbook(data: bytes) -> WorkbookScan:
    """Check an .xlsx package's sizes and list its formula cells; raises ZipLimitExceeded."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        check_zip_sizes(archive)
        check_inflated_sizes(archive)
        names = set(archive.namelist())
        scan = WorkbookScan(has_macros=any(name.lower().endswith("vbaproject.bin") for name in names))
        for sheet, part in sheet_parts(archive).items():
            if part not in names:
                continue
            xml = archive.read(part)
            check_grid(sheet, xml)
            scan.formula_cells[sheet] = formula_cells(xml)
    return scan
