"""A month's build loads the catalog seeds only when they differ from what its seed tables were
loaded from (yuebao.transform.seed_digests, the target's loaded_seeds): an unchanged catalog is
not reloaded, a changed one is, and the change is in the published warehouse."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

from tests.conftest import DBT_PROJECT_DIR, SAMPLE_INBOX, copy_home
from yuebao.month_run import MonthRun

NEW_UNIT = "千克当量,dimensionless,1,千克当量单位\n"


def run_month(run_yuebao, home: Path, reference: Path) -> set[str]:
    """`yuebao run` of the sample month; the resource types dbt ran."""
    completed = run_yuebao("run", "--month", "2024-10", "--inbox", SAMPLE_INBOX, "--home", home,
                           "--reference", reference)
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    results = json.loads((MonthRun("2024-10", SAMPLE_INBOX, home).dbt_target_dir / "run_results.json").read_text())
    return {result["unique_id"].split(".")[0] for result in results["results"]}


def units(home: Path) -> list[str]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return [row[0] for row in con.execute("select unit from reference.units order by unit").fetchall()]


def test_seeds_are_reloaded_only_when_they_changed(published_home: Path, tmp_path: Path, run_yuebao) -> None:
    home = copy_home(published_home, tmp_path / "home")
    reference = tmp_path / "reference"
    shutil.copytree(DBT_PROJECT_DIR / "seeds", reference, ignore=shutil.ignore_patterns("*.md"))

    ran = run_month(run_yuebao, home, reference)
    assert "seed" not in ran and "model" in ran  # the same CSVs the home was built from

    with (reference / "units.csv").open("a", encoding="utf-8") as handle:
        handle.write(NEW_UNIT)
    assert "seed" in run_month(run_yuebao, home, reference)
    assert "千克当量" in units(home)

    assert "seed" not in run_month(run_yuebao, home, reference)  # loaded once, remembered in the build
    assert "千克当量" in units(home)
