"""The binary half of the bad-input corpus: workbooks built with openpyxl, then damaged on purpose.

The text cases are checked in beside this file; these are generated per test session because a
workbook's bytes change with openpyxl's version. ``build_binary_cases()`` maps file name → bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import openpyxl

TITLE = "2024年1-9月各县市区主要经济指标"
HEADER = ["地区", "社会消费品零售总额(亿元)", "社会消费品零售总额增速(%)"]
# Values equal to the sample's county table, so a corpus file never contradicts a good file.
ROWS = [["双清区", 118.4, 3.9], ["大祥区", 126.3, 5], ["北塔区", 45.2, 4.3]]
LONG_HEADER = ["报送单位", "统计期", "地区", "指标名称", "数值", "单位"]
LONG_ROW = ["市住建局", "截至2024年10月31日", "邵阳市", "化解超期安置户数", 939, "户"]


def workbook_bytes(fill: Callable[[openpyxl.Workbook], None]) -> bytes:
    workbook = openpyxl.Workbook()
    fill(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def wide_table(*extra_rows: list[object], header: list[str] = HEADER) -> bytes:
    """A wide county table: title row 1, header row 2, data from row 3 (extra rows after the good ones)."""

    def fill(workbook: openpyxl.Workbook) -> None:
        sheet = workbook.active
        sheet.title = "县市区"
        for row in [[TITLE], header, *ROWS, *extra_rows]:
            sheet.append(row)

    return workbook_bytes(fill)


def rewrite_part(data: bytes, part: str, change: Callable[[bytes], bytes], extra: dict[str, bytes] | None = None,
                 ) -> bytes:
    """The same package with one part's bytes changed and optional parts added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            target.writestr(item, change(content) if item.filename == part else content)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return buffer.getvalue()


def with_formula() -> bytes:
    """Row 6, column B holds ``=SUM(71,0.5)`` with its cached value 71.5, as Excel saves it."""
    data = wide_table(["新邵县", "=SUM(71,0.5)", 5.4])
    return rewrite_part(data, "xl/worksheets/sheet1.xml",
                        lambda xml: xml.replace(b"<f>SUM(71,0.5)</f><v></v>", b"<f>SUM(71,0.5)</f><v>71.5</v>"))


def with_claimed_dimension() -> bytes:
    """A good table whose <dimension> claims a million rows (the reader must not believe it)."""
    return rewrite_part(wide_table(), "xl/worksheets/sheet1.xml",
                        lambda xml: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', xml))


def zip_bomb() -> bytes:
    """A valid workbook carrying a 20 MB part of zeros that deflates a thousandfold."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        source = zipfile.ZipFile(io.BytesIO(wide_table()))
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        with target.open("xl/media/image1.bin", "w") as part:
            for _ in range(20):
                part.write(bytes(1024 * 1024))
    return buffer.getvalue()


def stray_cell(row: int, column: int) -> bytes:
    def fill(workbook: openpyxl.Workbook) -> None:
        sheet = workbook.active
        for values in [[TITLE], HEADER, *ROWS]:
            sheet.append(values)
        sheet.cell(row=row, column=column, value="x")

    return workbook_bytes(fill)


def notes_only() -> bytes:
    def fill(workbook: openpyxl.Workbook) -> None:
        workbook.active["A1"] = "填报说明：本表由各单位于每月5日前报送。"
        workbook.create_sheet("说明")["A2"] = "注：数据为快报数。"

    return workbook_bytes(fill)


def long_without(column: str) -> bytes:
    index = LONG_HEADER.index(column)

    def fill(workbook: openpyxl.Workbook) -> None:
        sheet = workbook.active
        sheet.append([name for i, name in enumerate(LONG_HEADER) if i != index])
        sheet.append([value for i, value in enumerate(LONG_ROW) if i != index])

    return workbook_bytes(fill)


def build_binary_cases() -> dict[str, bytes]:
    good = wide_table()
    return {
        "市统计局_corrupt.xlsx": b"PK\x03\x04" + bytes(range(256)) * 8,
        "市统计局_truncated.xlsx": good[: len(good) // 2],
        "市统计局_legacy_xls.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
        "市统计局_zip_bomb.xlsx": zip_bomb(),
        "市统计局_far_row.xlsx": stray_cell(300_000, 1),
        "市统计局_far_column.xlsx": stray_cell(400, 16_384),
        "市统计局_formula.xlsx": with_formula(),
        "市统计局_macros.xlsx": rewrite_part(good, "", bytes, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}),
        "市统计局_unlabelled.xlsx": wide_table(["武冈市", 119.1, 6.5, 3], header=[*HEADER, "全省排名"]),
        "市统计局_wide_bad_number.xlsx": wide_table(["新邵县", "71,5,00", 5.4]),
        "市统计局_wide_missing_region.xlsx": wide_table([None, 71.5, 5.4]),
        "市统计局_notes_only.xlsx": notes_only(),
        "市统计局_long_missing_region.xlsx": long_without("地区"),
        "市统计局_xlsx_named.csv": good,
        "市住建局_undecodable.csv": "报送单位,统计期\r\n".encode() + b"\xff\xfe\x80\r\n",
        "市住建局_nul_bytes.csv": "报送单位,统计期\r\n".encode() + b"\x00\x00\x00\r\n",
        "市住建局_huge_field.csv": "报送单位,统计期,地区,指标名称,数值,单位\r\n".encode() + b"x" * 140_000 + b"\r\n",
    }
