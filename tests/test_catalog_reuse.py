"""A month's build skips what it already holds from the same catalog and code: the seeds, the
reference views and the dimensions (yuebao.transform.catalog_digests, the target's built_from).
An unchanged catalog is not rebuilt, a changed seed rebuilds what is built from it and nothing
else, the change is in the published warehouse, and the month's own tests against the
dimensions still run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

from tests.conftest import DBT_PROJECT_DIR, SAMPLE_INBOX, copy_home
from yuebao import transform
from yuebao.month_run import MonthRun
from yuebao.settings import Settings

NEW_UNIT = "千克当量,dimensionless,1,千克当量单位\n"
CATALOG = {
    "actions", "departments", "indicators", "regions", "sentence_patterns", "units",
    "stg_reference__actions", "stg_reference__departments", "stg_reference__indicators",
    "stg_reference__regions", "stg_reference__units",
    "int_indicator_names_unioned", "int_region_names_unioned", "int_unit_names_unioned", "int_unit_conversions",
    "dim_action", "dim_department", "dim_indicator", "dim_month", "dim_region",
}
# the facts' tests against the dimensions: they check the month's rows, so they always run
FACT_TESTS = ("relationships_fct_indicator_monthly_region_code", "relationships_fct_indicator_monthly_indicator_code")


def run_month(run_yuebao, home: Path, reference: Path) -> set[str]:
    """`yuebao run` of the sample month; the names of the nodes dbt ran."""
    completed = run_yuebao("run", "--month", "2024-10", "--inbox", SAMPLE_INBOX, "--home", home,
                           "--reference", reference)
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    results = json.loads((MonthRun("2024-10", SAMPLE_INBOX, home).dbt_target_dir / "run_results.json").read_text())
    return {result["unique_id"].split(".")[2] for result in results["results"]}


def units(home: Path) -> list[str]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return [row[0] for row in con.execute("select unit from reference.units order by unit").fetchall()]


def ran_fact_tests(ran: set[str]) -> bool:
    return all(any(name.startswith(test) for name in ran) for test in FACT_TESTS)


def test_the_catalog_is_rebuilt_only_where_it_changed(published_home: Path, tmp_path: Path, run_yuebao) -> None:
    home = copy_home(published_home, tmp_path / "home")
    reference = tmp_path / "reference"
    shutil.copytree(DBT_PROJECT_DIR / "seeds", reference, ignore=shutil.ignore_patterns("*.md"))

    ran = run_month(run_yuebao, home, reference)  # the same CSVs the home was built from
    assert not ran & CATALOG and "fct_indicator_monthly" in ran
    assert ran_fact_tests(ran)

    with (reference / "units.csv").open("a", encoding="utf-8") as handle:
        handle.write(NEW_UNIT)
    ran = run_month(run_yuebao, home, reference)
    assert ran & CATALOG == {"units", "stg_reference__units", "int_unit_names_unioned", "int_unit_conversions"}
    assert "千克当量" in units(home)

    ran = run_month(run_yuebao, home, reference)  # built once, remembered in the build
    assert not ran & CATALOG and ran_fact_tests(ran)
    assert "千克当量" in units(home)


def test_the_catalog_is_what_reads_neither_the_inbox_nor_the_run(tmp_path: Path) -> None:
    manifest = transform.parsed_manifest(MonthRun("2024-10", tmp_path, tmp_path / "home"), Settings())
    assert set(transform.catalog_digests(manifest)) == CATALOG


def test_a_changed_macro_changes_the_digests_of_what_calls_it_and_of_what_is_built_from_that(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    run = MonthRun("2024-10", tmp_path, tmp_path / "home")
    before = transform.catalog_digests(transform.parsed_manifest(run, Settings(), project))
    macros = next(path for path in (project / "macros").glob("*.sql") if "macro name_key(" in path.read_text())
    macros.write_text(macros.read_text().replace("macro name_key(", "macro name_key(  "), encoding="utf-8")
    after = transform.catalog_digests(transform.parsed_manifest(run, Settings(), project))
    changed = {name for name in before if before[name] != after[name]}
    assert {"int_indicator_names_unioned", "int_region_names_unioned", "int_unit_names_unioned"} <= changed
    assert "int_unit_conversions" in changed  # built from int_unit_names_unioned
    assert not changed & {"regions", "stg_reference__regions", "dim_month", "dim_region"}


def test_a_seed_over_dbts_size_limit_is_digested_by_its_contents(tmp_path: Path) -> None:
    """dbt checksums a seed over 1 MB by its path only: a changed catalog of that size must still
    be rebuilt."""
    project = tmp_path / "project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    patterns = project / "seeds" / "sentence_patterns.csv"
    header, *rows = patterns.read_text(encoding="utf-8").splitlines()
    padded = [header, *rows * (1_100_000 // len("\n".join(rows)) + 1)]
    patterns.write_text("\n".join(padded) + "\n", encoding="utf-8")
    run = MonthRun("2024-10", tmp_path, tmp_path / "home")
    before = transform.catalog_digests(transform.parsed_manifest(run, Settings(), project))
    patterns.write_text("\n".join(padded[:-1] + [padded[1]]) + "\n", encoding="utf-8")
    after = transform.catalog_digests(transform.parsed_manifest(run, Settings(), project))
    assert before["sentence_patterns"] != after["sentence_patterns"]
    assert before["regions"] == after["regions"]
