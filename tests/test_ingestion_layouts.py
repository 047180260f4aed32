"""Workbooks the contract allows but that look nothing like the template still load correctly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl

from ingestion.departments import DepartmentDirectory
from ingestion.load import FileRead, read_file
from ingestion.periods import Period
from tests.corpus.make_corpus import workbook_bytes

SEEDS = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "departments.csv"
OCTOBER = Period(date(2024, 10, 1), "month")


def read(data: bytes, name: str) -> FileRead:
    return read_file(data, name, OCTOBER, DepartmentDirectory(SEEDS))


def facts(result: FileRead) -> set[tuple]:
    return {(row["source_sheet"], row["source_row"], row["region_raw"], row["indicator_raw"], row["unit_raw"],
             row["value"], row["period"], row["period_form"]) for row in result.observations}


def two_row_merged_header(workbook: openpyxl.Workbook) -> None:
    sheet = workbook.active
    sheet.title = "county"
    sheet.append(["2024年1-9月各县市区主要经济指标"])
    sheet.append(["地区", "社会消费品零售总额", None, "规模工业增加值增速(%)"])
    sheet.append([None, "总量(亿元)", "增速(%)", None])
    sheet.append(["双清区", 118.4, 3.9, 7.9])
    sheet.append(["注：规模工业增加值增速为可比价。"])
    for cells in ("A1:D1", "A2:A3", "B2:C2", "D2:D3"):
        sheet.merge_cells(cells)


def test_a_two_row_merged_header_names_each_column_by_both_rows() -> None:
    result = read(workbook_bytes(two_row_merged_header), "市统计局_县市区.xlsx")
    september = date(2024, 9, 1)
    assert facts(result) == {
        ("county", 4, "双清区", "社会消费品零售总额", "亿元", 118.4, september, "ytd"),
        ("county", 4, "双清区", "社会消费品零售总额增速", "%", 3.9, september, "ytd"),
        ("county", 4, "双清区", "规模工业增加值增速", "%", 7.9, september, "ytd"),
    }
    assert result.issues == []


def data_on_the_third_sheet(workbook: openpyxl.Workbook) -> None:
    workbook.active.title = "封面"
    workbook.create_sheet("填报说明")["A1"] = "注：请于每月5日前报送。"
    sheet = workbook.create_sheet("数据")
    sheet.append(["1-9月各县市区主要经济指标"])  # no year: the folder's year applies
    sheet.append(["县市区", "社会消费品零售总额（亿元）"])
    sheet.append(["城步县", "２７．９"])  # full-width digits stored as text


def test_data_is_found_on_whichever_sheet_holds_it() -> None:
    result = read(workbook_bytes(data_on_the_third_sheet), "市统计局_报表.xlsx")
    assert facts(result) == {("数据", 3, "城步县", "社会消费品零售总额", "亿元", 27.9, date(2024, 9, 1), "ytd")}
    assert result.layout == "wide"


def long_with_merged_department(workbook: openpyxl.Workbook) -> None:
    sheet = workbook.active
    sheet.append(["报送单位", "统计期", "地区", "指标名称", "数值", "单位", "全省排名"])
    sheet.append(["市商务局", "截至10月28日", "邵阳市", "社零总额", "1,135.4", "亿元", "第5名"])
    sheet.append([None, "1—9月", "湖南省", "社零增速", "5.5%", "%", None])
    sheet.merge_cells("A2:A3")


def test_a_merged_department_cell_applies_to_every_row_it_covers() -> None:
    result = read(workbook_bytes(long_with_merged_department), "报表.xlsx")
    rows = {(row["source_row"], row["department"], row["period"], row["period_form"], row["value"],
             row["rank_province"]) for row in result.observations}
    assert rows == {(2, "市商务局", date(2024, 10, 1), "as_of", 1135.4, 5),
                    (3, "市商务局", date(2024, 9, 1), "ytd", 5.5, None)}
    assert result.department == "市商务局"
