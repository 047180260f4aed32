"""The DuckDB target: the month is built in a private copy of ``<home>/warehouse.duckdb`` (or, in a
backfill's overlap, of the month before's checked build), then renamed onto it
(``publication/warehouse.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from publication.warehouse import hand_off, start_build, swap_in

if TYPE_CHECKING:
    from yuebao.month_run import MonthRun
    from yuebao.settings import Settings


# DuckDB's default for max_vacuum_tasks; 0 when the build does not compact (``MonthRun.compacts``).
# A checkpoint's vacuum rewrites the row groups a month appended to, merged with their neighbours:
# at 1.1 GB, closing the ingest's 40,800 new rows took 1.53 s with it and 0.19 s without, and
# twelve months' appends compacted at once 1.99 s (docs/benchmarks.md, seventh part).
VACUUM_TASKS = 100

BUILT_COMMENT = "yuebao built from "  # a catalog relation's comment: this, then its digest (transform.catalog_digests)


class DuckDbTarget:
    name = "duckdb"

    def prepare(self, run: MonthRun) -> None:
        if run.builds_on is not None and not run.base_db.is_file():
            raise FileNotFoundError(f"{run.month} builds on {run.builds_on}, whose checked build {run.base_db} "
                                    "is missing")
        start_build(run.base_db, run.build_db, run.build_dir)

    def land(self, run: MonthRun) -> None:
        """Nothing to do: ingestion wrote the landing tables into the build dbt reads."""

    def profile_environment(self, run: MonthRun) -> dict[str, str]:
        # The same path every month, so dbt's partial parse (keyed on the profile) is reused.
        return {"YUEBAO_DUCKDB_PATH": str(run.build_db),
                "YUEBAO_DUCKDB_VACUUM_TASKS": str(build_config(run)["max_vacuum_tasks"])}

    def built_from(self, run: MonthRun) -> dict[str, str]:
        """The build starts from a copy of the published file: the relations dbt built from the
        catalog carry, as their comment, the digest of what they were built from."""
        if not run.build_db.exists():
            return {}
        with duckdb.connect(str(run.build_db), read_only=True) as con:
            rows = con.execute(
                "select schema_name || '.' || table_name, comment from duckdb_tables() where starts_with(comment, $1)"
                " union all"
                " select schema_name || '.' || view_name, comment from duckdb_views() where starts_with(comment, $1)",
                [BUILT_COMMENT]).fetchall()
        return {relation: comment.removeprefix(BUILT_COMMENT) for relation, comment in rows}

    def record_built(self, run: MonthRun, digests: dict[str, str]) -> None:
        if not digests:
            return
        with duckdb.connect(str(run.build_db), config=build_config(run)) as con:  # compacting as dbt did
            views = {row[0] for row in con.execute(
                "select schema_name || '.' || view_name from duckdb_views() where not internal").fetchall()}
            for relation, digest in digests.items():
                schema, name = relation.split(".", 1)
                kind = "view" if relation in views else "table"
                con.execute(f'comment on {kind} "{schema}"."{name}" is \'{BUILT_COMMENT}{digest}\'')

    def after_build(self, run: MonthRun) -> None:
        """dbt built into the file the gate reads; with ``hand_off`` that file moves aside first."""
        if run.hand_off:
            hand_off(run.build_db, run.checked_db)

    def publish(self, run: MonthRun) -> None:
        swap_in(run.checked_db, run.published_db)


def build_config(run: MonthRun, settings: Settings | None = None) -> dict[str, str | int]:
    """The DuckDB settings of every connection that writes ``run``'s build — the ingest's, dbt's
    (through its profile), the gate's and publication's: ``settings``' memory limit, and no vacuum
    when the build does not compact (one that did would compact what the others left)."""
    return {**(settings.duckdb_config() if settings else {}),
            "max_vacuum_tasks": VACUUM_TASKS if run.compacts else 0}
