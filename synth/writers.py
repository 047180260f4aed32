"""Writing a department's observations as its files: long CSV, long .xlsx, the wide county table.

Each department has its habits (encoding, thousands separators, ``%`` after growth rates, rank
spellings); every archive is written with fixed timestamps so the same data gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import numpy as np

from ingestion.xlsx_parts import MAX_ROWS

LONG_HEADER = ("报送单位", "统计期", "地区", "指标名称", "数值", "单位", "同比增长(%)", "全省排名", "片区排名",
               "年度目标", "备注")

# Per-department file habits (department_code); unknown departments write UTF-8 CSV.
XLSX_LONG = frozenset({"gxj", "kjj", "sthjj"})
GB18030 = frozenset({"swj", "gaj", "jtysj", "kx"})
UTF8_BOM = frozenset({"scjgj", "zjj", "wjw"})
THOUSANDS = frozenset({"swj", "fgw", "czj", "hg"})
YOY_PERCENT_SIGN = frozenset({"swj", "hg", "wjw"})
RANK_STYLES = ("{}", "第{}", "第{}名")

# A department's month larger than this goes out in several files, as a real export of a very large
# table would: ingestion refuses a file of more than MAX_ROWS rows.
MAX_ROWS_PER_FILE = MAX_ROWS // 2


@dataclass(frozen=True)
class Block:
    """One indicator's observations for one reference period, ready for a file."""

    department: str
    period: str
    regions: Sequence[str]
    indicator: str
    unit: str
    ticks: np.ndarray
    scale: int  # ticks per unit
    yoy: np.ndarray | None
    rank_province: np.ndarray | None
    rank_subregion: np.ndarray | None
    target: np.ndarray | None


class _FixedTimeZip(zipfile.ZipFile):
    """A ZipFile whose members all carry one fixed timestamp and mode (reproducible archives)."""

    def __init__(self, path: Path, stamp: dt.datetime) -> None:
        super().__init__(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._stamp = (stamp.year, stamp.month, stamp.day, 0, 0, 0)

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return info

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):  # type: ignore[no-untyped-def]
        name = (
            zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else zinfo_or_arcname
        )
        super().writestr(self._info(name), data)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):  # type: ignore[no-untyped-def]
        source = Path(filename)
        with source.open("rb") as handle, self.open(self._info(arcname or source.name), "w",
                                                    force_zip64=True) as member:
            shutil.copyfileobj(handle, member, 1 << 20)


def _save_workbook(workbook: object, path: Path, stamp: dt.datetime) -> None:
    """Save an openpyxl workbook reproducibly: fixed core-property dates and zip timestamps."""
    from openpyxl.writer.excel import ExcelWriter

    workbook.properties.created = stamp  # type: ignore[attr-defined]
    workbook.properties.modified = stamp  # type: ignore[attr-defined]
    ExcelWriter(workbook, _FixedTimeZip(path, stamp)).save()


class CsvFile:
    """Long layout CSV with the department's encoding and number habits, CRLF line endings."""

    def __init__(self, path: Path, department_code: str, style: int) -> None:
        encoding = ("gb18030" if department_code in GB18030
                    else "utf-8-sig" if department_code in UTF8_BOM else "utf-8")
        self._handle = path.open("w", encoding=encoding, newline="")
        self._writer = csv.writer(self._handle, lineterminator="\r\n")
        self._writer.writerow(LONG_HEADER)
        self._thousands = department_code in THOUSANDS
        self._percent_sign = "%" if department_code in YOY_PERCENT_SIGN else ""
        self._rank_style = RANK_STYLES[style % len(RANK_STYLES)]

    def _numbers(self, ticks: np.ndarray, scale: int) -> list[str]:
        form = "{:,}" if self._thousands else "{}"
        if scale == 1:
            return [form.format(value) for value in ticks.tolist()]
        form = "{:,.2f}" if self._thousands else "{:.2f}"
        return [form.format(value) for value in (ticks / scale).tolist()]

    def _rank_texts(self, ranks: np.ndarray | None, count: int) -> Iterator[str] | list[str]:
        if ranks is None:
            return repeat("", count)
        return [self._rank_style.format(rank) if rank else "" for rank in ranks.tolist()]

    def add(self, block: Block) -> None:
        count = len(block.regions)
        yoy: Iterator[str] | list[str] = repeat("", count)
        if block.yoy is not None:
            yoy = ["" if np.isnan(value) else f"{value:.1f}{self._percent_sign}" for value in block.yoy.tolist()]
        target: Iterator[str] | list[str] = repeat("", count)
        if block.target is not None:
            target = self._numbers(block.target, block.scale)
        self._writer.writerows(
            zip(
                repeat(block.department, count),
                repeat(block.period, count),
                block.regions,
                repeat(block.indicator, count),
                self._numbers(block.ticks, block.scale),
                repeat(block.unit, count),
                yoy,
                self._rank_texts(block.rank_province, count),
                self._rank_texts(block.rank_subregion, count),
                target,
                repeat("", count),
                strict=True,
            )
        )

    def close(self) -> None:
        self._handle.close()


class XlsxFile:
    """Long layout .xlsx written in openpyxl's write-only (streaming) mode."""

    def __init__(self, path: Path, stamp: dt.datetime) -> None:
        from openpyxl import Workbook

        self._path, self._stamp = path, stamp
        self._workbook = Workbook(write_only=True)
        self._sheet = self._workbook.create_sheet("报表")
        self._sheet.append(LONG_HEADER)

    def add(self, block: Block) -> None:
        count = len(block.regions)
        values = block.ticks.tolist() if block.scale == 1 else (block.ticks / block.scale).tolist()
        optional: list[Iterable[object] | None] = [None, None, None, None]
        if block.yoy is not None:
            optional[0] = [None if value != value else value for value in block.yoy.tolist()]  # NaN: empty
        if block.rank_province is not None:
            optional[1] = [rank or None for rank in block.rank_province.tolist()]
        if block.rank_subregion is not None:
            optional[2] = [rank or None for rank in block.rank_subregion.tolist()]
        if block.target is not None:
            optional[3] = (block.target.tolist() if block.scale == 1
                           else (block.target / block.scale).tolist())
        # Trailing empty cells are not written anyway; leaving them out of the rows only saves time.
        used = max((index + 1 for index, column in enumerate(optional) if column is not None), default=0)
        columns = [repeat(block.department, count), repeat(block.period, count), block.regions,
                   repeat(block.indicator, count), values, repeat(block.unit, count)]
        columns += [repeat(None, count) if column is None else column for column in optional[:used]]
        append = self._sheet.append
        for row in zip(*columns, strict=True):
            append(row)

    def close(self) -> None:
        _save_workbook(self._workbook, self._path, self._stamp)


def part_mark(part: int) -> str:
    """The file-name suffix of a department month's part (none for the first)."""
    return "" if part == 1 else f"_第{part}部分"


class PartedFile:
    """Blocks go to part 1, then to a new part whenever the next block would pass MAX_ROWS_PER_FILE."""

    def __init__(self, open_part: Callable[[int], CsvFile | XlsxFile]) -> None:
        self._open_part = open_part
        self.parts, self._rows = 1, 0
        self._file = open_part(1)

    def add(self, block: Block) -> None:
        if self._rows and self._rows + len(block.regions) > MAX_ROWS_PER_FILE:
            self._file.close()
            self.parts, self._rows = self.parts + 1, 0
            self._file = self._open_part(self.parts)
        self._file.add(block)
        self._rows += len(block.regions)

    def close(self) -> None:
        self._file.close()


def write_wide(path: Path, title: str, regions: Sequence[str], columns: list[tuple[str, np.ndarray, int]],
               stamp: dt.datetime) -> None:
    """The statistics bureau's county table: title row, header row, one row per region, footnotes."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet1")
    sheet.append([f"{title}各县市区主要经济指标"])
    sheet.append(["地区", *(header for header, _, _ in columns)])
    values = [ticks.tolist() if scale == 1 else (ticks / scale).tolist() for _, ticks, scale in columns]
    for index, region in enumerate(regions):
        sheet.append([region, *(column[index] for column in values)])
    sheet.append([f"注：1.本表为合成快报数据；累计值与增速均为{title}累计数。"])
    sheet.append(["注：2.全市数据为所辖县市区之和；增速按现价计算。"])
    _save_workbook(workbook, path, stamp)
