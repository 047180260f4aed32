"""Warehouse targets behind one interface (``base.WarehouseTarget``), chosen once per run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from yuebao.targets.base import WarehouseTarget

if TYPE_CHECKING:
    from yuebao.month_run import MonthRun

TARGETS = ("duckdb", "postgres")


def target_for(run: MonthRun) -> WarehouseTarget:
    """The run's target; PostgreSQL's module (psycopg) is imported only when it is chosen."""
    if run.target == "postgres":
        from yuebao.targets.postgres import PostgresTarget

        return PostgresTarget()
    from yuebao.targets.duckdb import DuckDbTarget

    return DuckDbTarget()


__all__ = ["TARGETS", "WarehouseTarget", "target_for"]
