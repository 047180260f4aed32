"""The DuckDB target: the month is built in a private copy of ``<home>/warehouse.duckdb``, then
renamed onto it (``publication/warehouse.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from publication.warehouse import start_build, swap_in

if TYPE_CHECKING:
    from yuebao.month_run import MonthRun


class DuckDbTarget:
    name = "duckdb"

    def prepare(self, run: MonthRun) -> None:
        start_build(run.published_db, run.build_db, run.build_dir)

    def land(self, run: MonthRun) -> None:
        """Nothing to do: ingestion wrote the landing tables into the build dbt reads."""

    def profile_environment(self, run: MonthRun) -> dict[str, str]:
        # The same path every month, so dbt's partial parse (keyed on the profile) is reused.
        return {"YUEBAO_DUCKDB_PATH": str(run.build_db)}

    def after_build(self, run: MonthRun) -> None:
        """Nothing to do: dbt built into the file the gate reads."""

    def publish(self, run: MonthRun) -> None:
        swap_in(run.build_db, run.published_db)
