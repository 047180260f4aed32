"""The analysts' data API over the published warehouse (DuckDB file or PostgreSQL ``marts``).

``make_router(reader)`` gives the routes the portal mounts: ``GET /api/v1/data``, the metadata
under ``/api/v1/meta/``, and the indicator pages under ``/data/indicators``. See docs/analysts.md.
"""

from dataapi.router import make_router
from dataapi.settings import DataApiSettings
from dataapi.warehouse import DuckDBWarehouse, PostgresWarehouse, open_warehouse

__all__ = ["DataApiSettings", "DuckDBWarehouse", "PostgresWarehouse", "make_router", "open_warehouse"]
