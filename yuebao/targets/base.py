"""What a warehouse target does in a month's run; steps call it and never ask which one it is."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from yuebao.month_run import MonthRun


class WarehouseTarget(Protocol):
    """One warehouse dbt builds into and analysts read: DuckDB (the file) or PostgreSQL (a server).

    On every target the month's DuckDB build file holds the landing history and is what the gate,
    the reports and the bulletin read; a target adds where dbt builds and what publication swaps.
    """

    name: str  # dbt's target name in dbt_project/profiles.yml

    def prepare(self, run: MonthRun) -> None:
        """Start the month's build from the published warehouse."""

    def land(self, run: MonthRun) -> None:
        """After ingestion: make the build's landing tables readable where dbt builds."""

    def profile_environment(self, run: MonthRun) -> dict[str, str]:
        """The variables dbt_project/profiles.yml reads for this target (besides the common ones)."""

    def built_from(self, run: MonthRun) -> dict[str, str]:
        """Relation → the digest recorded when the build's catalog relation was built (`record_built`,
        `yuebao.transform.catalog_digests`); empty where they are always rebuilt."""

    def record_built(self, run: MonthRun, digests: dict[str, str]) -> None:
        """After a build: remember what each catalog relation it built was built from."""

    def after_build(self, run: MonthRun) -> None:
        """After ``dbt build``: bring what dbt built where the gate and the writers read it."""

    def publish(self, run: MonthRun) -> None:
        """Swap the checked build in as the published warehouse, atomically for readers."""
