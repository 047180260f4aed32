"""How a month's dbt project is put together: the order of its two largest models, and the
reference project a home builds (yuebao/transform.py)."""

from __future__ import annotations

from pathlib import Path

from yuebao import transform
from yuebao.month_run import MonthRun
from yuebao.settings import Settings


def test_the_two_fact_models_are_built_one_after_the_other(tmp_path: Path) -> None:
    """Side by side they share DuckDB's memory limit: a country month ran both at the limit, 100 s
    each; one after the other, 44 s each and 600 MB less (docs/benchmarks.md)."""
    run = MonthRun("2024-01", tmp_path, tmp_path / "home")
    manifest = transform.parsed_manifest(run, Settings())
    nodes = {node.name: node for node in manifest.nodes.values()}
    assert nodes["fct_indicator_monthly"].unique_id in nodes["fct_indicator_as_published"].depends_on.nodes
    assert nodes["fct_indicator_as_published"].unique_id not in nodes["fct_indicator_monthly"].depends_on.nodes


def test_a_home_made_by_another_checkout_builds_this_checkouts_models(tmp_path: Path) -> None:
    """A home keeps its reference project between runs; after yuebao moved (a new release in
    another folder), its links must follow, or the home builds the old release's models."""
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "regions.csv").write_text("region_code,region_name\n", encoding="utf-8")
    run = MonthRun("2024-01", tmp_path / "inbox", tmp_path / "home", reference=reference)
    old_release = tmp_path / "old-release" / "dbt_project"
    (old_release / "models").mkdir(parents=True)
    project = run.reference_project_dir
    project.mkdir(parents=True)
    (project / "models").symlink_to(old_release / "models")
    kept = project / "notes.txt"  # not a link yuebao made: left alone
    kept.write_text("mine", encoding="utf-8")

    assert transform.reference_project(run) == project
    assert (project / "models").readlink() == transform.DBT_PROJECT_DIR / "models"
    assert (project / "macros").readlink() == transform.DBT_PROJECT_DIR / "macros"
    assert (project / "seeds" / "regions.csv").read_text(encoding="utf-8") == "region_code,region_name\n"
    assert kept.read_text(encoding="utf-8") == "mine"
    assert (old_release / "models").is_dir()  # the other release's files are not touched
