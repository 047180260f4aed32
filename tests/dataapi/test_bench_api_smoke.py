"""The data API benchmark runs end to end on a small history, so `make bench` cannot rot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_api_bench_reports_five_queries_and_the_export(api_warehouses, tmp_path: Path) -> None:
    out, docs = tmp_path / "api.json", tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\nHand-written notes stay.\n", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_api.py"), "--from-warehouse", str(api_warehouses["sample"]),
         "--months", "13", "--clients", "2", "--requests", "2", "--label", "smoke", "--work", str(tmp_path / "work"),
         "--out", str(out), "--docs", str(docs)],
        capture_output=True, text=True, timeout=600, check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["history"]["months"] == 13
    assert len(results["queries"]) == 5
    assert set(results["cached"]) == set(results["queries"])
    for query in [*results["queries"].values(), *results["cached"].values()]:
        assert query["requests"] == 4 and query["failures"] == 0 and query["p95_ms"] >= query["p50_ms"] > 0
    assert results["export"]["rows"] > 0
    rendered = docs.read_text(encoding="utf-8")
    assert "Hand-written notes stay." in rendered and "county_12_months" in rendered
