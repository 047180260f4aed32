"""yuebao (月报): a monthly indicators warehouse for city-government statistics offices."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
DAGS_DIR = PROJECT_ROOT / "dags"


def duckdb_config() -> dict[str, str]:
    """Settings of the DuckDB connections that work on a whole month (ingest, the gate's export).

    DuckDB caches up to 80 % of the machine's memory by default; the limit (the same one dbt's
    profile reads) makes large months spill to disk instead.
    """
    import os

    return {"memory_limit": os.environ.get("YUEBAO_DUCKDB_MEMORY_LIMIT", "3GB")}
