"""The DuckDB target: the month is built in a private copy of ``<home>/warehouse.duckdb``, then
renamed onto it (``publication/warehouse.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from publication.warehouse import start_build, swap_in

if TYPE_CHECKING:
    from yuebao.month_run import MonthRun


SEED_COMMENT = "yuebao seed "  # a seed table's comment: this, then the digest it was loaded from


class DuckDbTarget:
    name = "duckdb"

    def prepare(self, run: MonthRun) -> None:
        start_build(run.published_db, run.build_db, run.build_dir)

    def land(self, run: MonthRun) -> None:
        """Nothing to do: ingestion wrote the landing tables into the build dbt reads."""

    def profile_environment(self, run: MonthRun) -> dict[str, str]:
        # The same path every month, so dbt's partial parse (keyed on the profile) is reused.
        return {"YUEBAO_DUCKDB_PATH": str(run.build_db)}

    def loaded_seeds(self, run: MonthRun) -> dict[str, str]:
        """The build starts from a copy of the published file: its seed tables carry, as their
        table comment, the digest of what they were loaded from."""
        if not run.build_db.exists():
            return {}
        with duckdb.connect(str(run.build_db), read_only=True) as con:
            rows = con.execute("select schema_name || '.' || table_name, comment from duckdb_tables()"
                               " where starts_with(comment, ?)", [SEED_COMMENT]).fetchall()
        return {relation: comment.removeprefix(SEED_COMMENT) for relation, comment in rows}

    def record_seeds(self, run: MonthRun, digests: dict[str, str]) -> None:
        with duckdb.connect(str(run.build_db)) as con:
            for relation, digest in digests.items():
                schema, table = relation.split(".", 1)
                con.execute(f'comment on table "{schema}"."{table}" is \'{SEED_COMMENT}{digest}\'')

    def after_build(self, run: MonthRun) -> None:
        """Nothing to do: dbt built into the file the gate reads."""

    def publish(self, run: MonthRun) -> None:
        swap_in(run.build_db, run.published_db)
