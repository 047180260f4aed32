"""The data API's settings: where the published warehouse is, rate limits, HTTP caching.

One frozen object, read from the environment by ``DataApiSettings.from_env`` (the portal may build
it from its own settings instead). Every field has a default that works for ``make demo``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw not in (None, "") else default


@dataclass(frozen=True)
class DataApiSettings:
    # ``<home>/warehouse.duckdb`` is read on the duckdb target; on postgres the libpq variables
    # (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) name the database and schema ``marts`` is read.
    home: Path = Path(".demo")
    target: str = "duckdb"
    # The city whose office runs yuebao (``region=city``). Empty: the one prefecture that has
    # counties in dim_region (regions.csv lists the home city's counties only).
    home_city: str = ""
    # Token bucket per caller (user, else client address): sustained requests per second and burst.
    # 0 requests per second turns rate limiting off.
    rate_per_second: float = 10.0
    rate_burst: float = 40.0
    # Cache-Control max-age of data responses; an ETag per published version lets clients revalidate.
    max_age_seconds: int = 60
    # Rows a single response may carry (a query beyond it gets 422 and a hint to narrow it).
    max_rows: int = 2_000_000
    # Answers kept in memory per published version (MB; 0: none), for pollers and dashboards.
    response_cache_mb: int = 64

    def __post_init__(self) -> None:
        if self.target not in ("duckdb", "postgres"):
            raise ValueError(f"data API target must be duckdb or postgres, got {self.target!r}")

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @classmethod
    def from_env(cls) -> DataApiSettings:
        """``YUEBAO_HOME``, ``YUEBAO_DATA_TARGET``, ``YUEBAO_HOME_CITY``, ``YUEBAO_API_RATE``,
        ``YUEBAO_API_BURST``, ``YUEBAO_API_MAX_AGE``, ``YUEBAO_API_MAX_ROWS``, ``YUEBAO_API_CACHE_MB``."""
        defaults = cls()
        return cls(
            home=Path(os.environ.get("YUEBAO_HOME", str(defaults.home))),
            target=os.environ.get("YUEBAO_DATA_TARGET", defaults.target),
            home_city=os.environ.get("YUEBAO_HOME_CITY", defaults.home_city),
            rate_per_second=_number("YUEBAO_API_RATE", defaults.rate_per_second),
            rate_burst=_number("YUEBAO_API_BURST", defaults.rate_burst),
            max_age_seconds=int(_number("YUEBAO_API_MAX_AGE", defaults.max_age_seconds)),
            max_rows=int(_number("YUEBAO_API_MAX_ROWS", defaults.max_rows)),
            response_cache_mb=int(_number("YUEBAO_API_CACHE_MB", defaults.response_cache_mb)),
        )
