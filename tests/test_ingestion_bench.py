"""Smoke run of bench/bench_ingest.py on tiny inputs: it runs, compares both readers, writes JSON."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import load_script

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_ingest.py"


def test_the_ingest_benchmark_runs_on_tiny_inputs(tmp_path: Path) -> None:
    bench = load_script(BENCH)
    out = tmp_path / "ingest.json"
    bench.main(["--csv-rows", "50", "--xlsx-rows", "5", "--xlsx-columns", "12", "--repeat", "1", "--out", str(out)])
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report["results"]) == {"long_csv_read_file", "wide_xlsx_calamine", "wide_xlsx_openpyxl_read_only",
                                      "wide_xlsx_read_file"}
    assert report["inputs"]["xlsx_cells"] == 60 and report["calamine_to_openpyxl_time_ratio"] > 0
