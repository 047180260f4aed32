"""The dbt unit tests (the fact table's SQL on fixed rows) pass on DuckDB.

The monthly load leaves them out (`--exclude-resource-type unit_test`): they check the SQL, which
changes with the code, not with the month's data. This is where they run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from yuebao import DBT_PROJECT_DIR

DBT = str(Path(sys.executable).with_name("dbt"))


def defined_unit_tests() -> set[str]:
    """The unit tests the project's YAML files define: every one must have run."""
    names: set[str] = set()
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        names |= {test["name"] for test in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests", [])}
    return names


def test_dbt_unit_tests_pass_on_duckdb(published_home: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"  # a copy: the unit tests create relations of their own
    shutil.copyfile(published_home / "warehouse.duckdb", warehouse)
    env = os.environ | {"YUEBAO_DBT_TARGET": "duckdb", "YUEBAO_DUCKDB_PATH": str(warehouse),
                        "YUEBAO_REPORT_MONTH": "2024-10-01", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    completed = subprocess.run(
        [DBT, "test", "--select", "test_type:unit", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs")],
        env=env, capture_output=True, text=True, timeout=600, check=False)
    assert completed.returncode == 0, completed.stdout[-4000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    unit_tests = {result["unique_id"].rsplit(".", 1)[-1]: result["status"] for result in results
                  if result["unique_id"].startswith("unit_test.")}
    assert set(unit_tests) == defined_unit_tests() and len(unit_tests) >= 5
    assert set(unit_tests.values()) == {"pass"}
