"""The benchmark harness runs end to end at a tiny scale, so `make bench` cannot rot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

STAGES = {"prepare", "ingest", "dbt", "quality_gate", "publication", "bulletin"}


def test_harness_reports_every_stage_and_the_baseline_ratios(tmp_path: Path, airflow_home: Path) -> None:
    out, docs = tmp_path / "latest.json", tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\nHand-written notes stay.\n", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run_bench.py"), "--scales", "custom", "--regions", "13",
         "--indicators", "10", "--no-fixed", "--no-warmup", "--work", str(tmp_path / "work"),
         "--out", str(out), "--docs", str(docs)],
        env=os.environ | {"AIRFLOW_HOME": str(airflow_home)}, capture_output=True, text=True, timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]

    scale = json.loads(out.read_text(encoding="utf-8"))["scales"]["custom"]
    month = scale["month"]
    assert month["exit_code"] == 0
    assert set(month["stages"]) == STAGES
    assert all(month["stages"][stage] > 0 for stage in STAGES - {"publication"})
    assert month["wall_seconds"] > sum(month["stages"].values())
    assert month["peak_rss_mb"] > 50
    assert len(month["loadavg_before"]) == 3
    assert scale["baseline"]["fct_rows"] == scale["observations"] > 0
    assert set(scale["ratios"]) == {"ingest", "transform_quality", "end_to_end"}
    assert scale["rerun"]["exit_code"] == 0 and scale["rerun"]["stages"]["dbt"] > 0

    rendered = docs.read_text(encoding="utf-8")
    assert rendered.startswith("# Benchmarks\n\nHand-written notes stay.")
    assert "| custom | 13 × 10 |" in rendered
