"""The dbt unit tests (the fact table's SQL on fixed rows) pass on DuckDB.

The monthly load leaves them out (`--exclude-resource-type unit_test`): they check the SQL, which
changes with the code, not with the month's data. This is where they run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from tests.conftest import run_dbt
from yuebao import DBT_PROJECT_DIR


def defined_unit_tests() -> set[str]:
    """The unit tests the project's YAML files define: every one must have run."""
    names: set[str] = set()
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        names |= {test["name"] for test in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests", [])}
    return names


def test_dbt_unit_tests_pass_on_duckdb(published_home: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"  # a copy: the unit tests create relations of their own
    shutil.copyfile(published_home / "warehouse.duckdb", warehouse)
    completed = run_dbt("test", "--select", "test_type:unit", database=warehouse, workdir=tmp_path)
    assert completed.returncode == 0, completed.stdout[-4000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    unit_tests = {result["unique_id"].rsplit(".", 1)[-1]: result["status"] for result in results
                  if result["unique_id"].startswith("unit_test.")}
    assert set(unit_tests) == defined_unit_tests() and len(unit_tests) >= 5
    assert set(unit_tests.values()) == {"pass"}
