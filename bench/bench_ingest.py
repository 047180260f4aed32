"""Ingestion speed: a 100,000-row long CSV and a 500-column wide .xlsx, calamine against openpyxl.

    .venv/bin/python bench/bench_ingest.py            # full size, writes bench/results/ingest.json
    .venv/bin/python bench/bench_ingest.py --csv-rows 2000 --xlsx-rows 20 --xlsx-columns 30 --out /tmp/x.json

Inputs are generated in a temporary folder from a seeded generator. Each measurement is the median
of ``--repeat`` runs. The wide workbook is read three ways: calamine alone, openpyxl in read-only
mode alone (both to rows of Python values), and the whole ``read_file`` (checks, layout, parsing)
that ingestion really runs with calamine.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingestion.departments import DepartmentDirectory  # noqa: E402
from ingestion.load import read_file  # noqa: E402
from ingestion.periods import Period  # noqa: E402
from ingestion.readers import read_xlsx  # noqa: E402

SEEDS = ROOT / "dbt_project" / "seeds" / "departments.csv"
REGIONS = ["邵阳市", "双清区", "大祥区", "北塔区", "新邵县", "邵阳县", "隆回县", "洞口县", "绥宁县", "新宁县",
           "城步县", "武冈市", "邵东市"]
HEADER = ["报送单位", "统计期", "地区", "指标名称", "数值", "单位", "同比增长(%)", "全省排名", "片区排名", "年度目标", "备注"]


def long_csv(rows: int, rng: random.Random) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for index in range(rows):
        value = rng.uniform(0, 2_000_000)
        writer.writerow(["市商务局", f"2024年1-{rng.randint(1, 12)}月", rng.choice(REGIONS), f"指标{index % 500}",
                         f"{value:,.2f}", "万元", f"{rng.uniform(-20, 20):.1f}%", f"第{rng.randint(1, 14)}名", "",
                         "", ""])
    return buffer.getvalue().encode("utf-8")


def wide_xlsx(rows: int, columns: int, rng: random.Random) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("县市区")
    sheet.append(["2024年1-9月各县市区主要经济指标"])
    sheet.append(["地区", *(f"指标{c}(亿元)" for c in range(columns - 1))])
    for index in range(rows):
        sheet.append([f"{REGIONS[index % len(REGIONS)]}{index}", *(round(rng.uniform(0, 1000), 2)
                                                                    for _ in range(columns - 1))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def openpyxl_rows(data: bytes) -> int:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = sum(1 for sheet in workbook.worksheets for _ in sheet.iter_rows(values_only=True))
    workbook.close()
    return count


def calamine_rows(data: bytes) -> int:
    return sum(len(sheet.rows) for sheet in read_xlsx(data).sheets)


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(csv_rows: int, xlsx_rows: int, xlsx_columns: int, repeat: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    directory = DepartmentDirectory(SEEDS)
    october = Period(date(2024, 10, 1), "month")
    with tempfile.TemporaryDirectory() as folder:
        csv_path, xlsx_path = Path(folder) / "long.csv", Path(folder) / "wide.xlsx"
        csv_path.write_bytes(long_csv(csv_rows, rng))
        xlsx_path.write_bytes(wide_xlsx(xlsx_rows, xlsx_columns, rng))
        csv_data, xlsx_data = csv_path.read_bytes(), xlsx_path.read_bytes()
    cells = xlsx_rows * xlsx_columns
    measured = {
        "long_csv_read_file": (median_seconds(lambda: read_file(csv_data, "long.csv", october, directory), repeat),
                               csv_rows),
        "wide_xlsx_calamine": (median_seconds(lambda: calamine_rows(xlsx_data), repeat), xlsx_rows),
        "wide_xlsx_openpyxl_read_only": (median_seconds(lambda: openpyxl_rows(xlsx_data), repeat), xlsx_rows),
        "wide_xlsx_read_file": (median_seconds(lambda: read_file(xlsx_data, "wide.xlsx", october, directory),
                                               repeat), xlsx_rows),
    }
    calamine, openpyxl_seconds = measured["wide_xlsx_calamine"][0], measured["wide_xlsx_openpyxl_read_only"][0]
    return {
        "inputs": {"csv_rows": csv_rows, "csv_bytes": len(csv_data), "xlsx_rows": xlsx_rows,
                   "xlsx_columns": xlsx_columns, "xlsx_cells": cells, "xlsx_bytes": len(xlsx_data),
                   "repeat": repeat, "seed": seed},
        "results": {name: {"seconds": round(seconds, 4), "rows_per_s": round(rows / seconds),
                           "cells_per_s": round((cells if "xlsx" in name else rows * len(HEADER)) / seconds)}
                    for name, (seconds, rows) in measured.items()},
        "calamine_to_openpyxl_time_ratio": round(calamine / openpyxl_seconds, 3),
        "calamine_speedup": round(openpyxl_seconds / calamine, 2),
    }


def print_table(report: dict[str, object]) -> None:
    print(f"{'measurement':<30} {'seconds':>9} {'rows/s':>10} {'cells/s':>11}")
    for name, row in report["results"].items():  # type: ignore[union-attr]
        print(f"{name:<30} {row['seconds']:>9.3f} {row['rows_per_s']:>10,} {row['cells_per_s']:>11,}")
    print(f"calamine:openpyxl wall time = {report['calamine_to_openpyxl_time_ratio']} "
          f"(calamine {report['calamine_speedup']}x faster)")


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-rows", type=int, default=100_000)
    parser.add_argument("--xlsx-rows", type=int, default=400)
    parser.add_argument("--xlsx-columns", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20241105)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ingest.json")
    args = parser.parse_args(argv)
    report = run(args.csv_rows, args.xlsx_rows, args.xlsx_columns, args.repeat, args.seed)
    print_table(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
