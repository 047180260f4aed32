"""Fixtures of the data API tests: warehouses made from the one published sample month.

No extra month is loaded. ``revised`` is the sample plus what a second release (report month
2024-11) leaves in the published tables: a revision of 社零 1-9月 for the city and a first value
for 1-10月 — written by SQL in the tables' own shapes (as ``fct_indicator_as_published`` /
``fct_indicator_monthly`` / ``fct_revisions`` / ``pub_releases`` rows). ``approved`` is ``revised``
with a release-approval table that approves 2024-10 only: 2024-11 is then unpublished.
Each warehouse is served from DuckDB and from PostgreSQL (a copy of its marts in its own schema).
"""

from __future__ import annotations

import datetime
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import psycopg
import pytest
from fastapi import FastAPI, Header, HTTPException
from fastapi.testclient import TestClient

from dataapi import DataApiSettings, DuckDBWarehouse, PostgresWarehouse, make_router
from dataapi.warehouse import OPTIONAL_TABLES, REQUIRED_TABLES
from publication.releases import record_release
from tests.conftest import scratch_postgres
from yuebao.targets.pg_copy import duckdb_to_postgres

OCTOBER_PUBLISHED = datetime.datetime(2024, 11, 5, 2, 0, tzinfo=datetime.UTC)
NOVEMBER_PUBLISHED = datetime.datetime(2024, 12, 5, 2, 0, tzinfo=datetime.UTC)
CITY = "430500"
SEPTEMBER_BEFORE, SEPTEMBER_REVISED, OCTOBER_NEW = 1135.4, 1140.2, 1265.0
HOSTILE_FILE = "=市商务局2024年11月修订.csv"  # a name a spreadsheet would read as a formula
WAREHOUSES = ("sample", "revised", "approved")


def publish_revision(database: Path) -> None:
    """Add release 2024-11 to ``database``: 社零 (city) 2024-09 revised, 2024-10 published first."""
    with duckdb.connect(str(database)) as con:
        key = "indicator_code = 'retail_sales' and region_code = ? and period = date '2024-09-01'"
        con.execute(f"""
            insert into fct_indicator_as_published by name
            select * replace (date '2024-11-01' as report_month, {SEPTEMBER_REVISED} as value,
                              date '2024-11-01' as source_report_month, ? as source_file, 2 as source_row)
            from fct_indicator_as_published where {key}""", [HOSTILE_FILE, CITY])
        con.execute(f"""
            insert into fct_indicator_as_published by name
            select * replace (date '2024-11-01' as report_month, date '2024-10-01' as period, {OCTOBER_NEW} as value,
                              null as yoy_pct, date '2024-11-01' as source_report_month, ? as source_file,
                              3 as source_row, 'retail_sales|{CITY}|2024-10-01' as observation_key)
            from fct_indicator_as_published where {key}""", [HOSTILE_FILE, CITY])
        con.execute(f"""
            update fct_indicator_monthly set value = {SEPTEMBER_REVISED}, source_report_month = date '2024-11-01',
                report_month = date '2024-11-01', source_file = ?, source_row = 2 where {key}""", [HOSTILE_FILE, CITY])
        con.execute(f"""
            insert into fct_indicator_monthly by name
            select * replace (date '2024-10-01' as period, {OCTOBER_NEW} as value, null as yoy_pct,
                              'retail_sales|{CITY}|2024-10-01' as observation_key)
            from fct_indicator_monthly where {key}""", [CITY])
        con.execute(f"""
            insert into fct_revisions by name
            select date '2024-11-01' as report_month, indicator_code, indicator_name, region_code, region_name,
                   period, unit, {SEPTEMBER_BEFORE} as old_value, {SEPTEMBER_REVISED} as new_value,
                   {round(SEPTEMBER_REVISED - SEPTEMBER_BEFORE, 6)} as difference, department,
                   submitted_by as old_submitted_by, submitted_by as new_submitted_by,
                   date '2024-10-01' as old_published_in, date '2024-10-01' as old_report_month,
                   date '2024-11-01' as new_report_month, source_file as old_source_file,
                   source_row as old_source_row, ? as new_source_file, 2 as new_source_row, observation_key
            from fct_indicator_as_published where report_month = date '2024-10-01' and {key}""", [HOSTILE_FILE, CITY])
    record_release(database, "2024-11", NOVEMBER_PUBLISHED)


def approve_only_october(database: Path) -> None:
    with duckdb.connect(str(database)) as con:
        con.execute("create table pub_release_approvals (report_month varchar, approved_by varchar,"
                    " approved_at timestamptz, comment varchar)")
        con.execute("insert into pub_release_approvals values ('2024-10', '张审核', ?, '同意发布')",
                    [datetime.datetime(2024, 11, 5, 1, 0, tzinfo=datetime.UTC)])


@pytest.fixture(scope="session")
def sample_warehouse(request: pytest.FixtureRequest) -> Path:
    """The published sample month's warehouse; YUEBAO_TEST_PUBLISHED_HOME reuses a home published
    earlier (while developing: a month load costs half a minute)."""
    if reused := os.environ.get("YUEBAO_TEST_PUBLISHED_HOME"):
        return Path(reused) / "warehouse.duckdb"
    return request.getfixturevalue("published_home") / "warehouse.duckdb"


@pytest.fixture(scope="session")
def api_warehouses(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """name → a published warehouse file (copies; the shared sample home is not changed)."""
    folder = tmp_path_factory.mktemp("dataapi")
    files = {}
    for name in WAREHOUSES:
        files[name] = folder / name / "warehouse.duckdb"
        files[name].parent.mkdir()
        shutil.copyfile(sample_warehouse, files[name])
        record_release(files[name], "2024-10", OCTOBER_PUBLISHED)
    for name in ("revised", "approved"):
        publish_revision(files[name])
    approve_only_october(files["approved"])
    return files


@pytest.fixture(scope="session")
def postgres_marts(api_warehouses: dict[str, Path]) -> Iterator[dict[str, str]]:
    """A database holding each warehouse's marts in schema ``marts_<name>``; the libpq variables."""
    with scratch_postgres("yuebao_d19_api") as env:
        with psycopg.connect(host=env["PGHOST"], user=env["PGUSER"], dbname=env["PGDATABASE"],
                             autocommit=True) as target:
            for name, path in api_warehouses.items():
                target.execute(f"create schema marts_{name}")
                with duckdb.connect(str(path), read_only=True) as source:
                    present = {row[0] for row in source.execute(
                        "select table_name from information_schema.tables where table_schema = 'main'").fetchall()}
                    for table in (*REQUIRED_TABLES, *OPTIONAL_TABLES):
                        if table in present:
                            duckdb_to_postgres(source, f"main.{table}", target, f"marts_{name}", table)
        yield env


def anonymous() -> None:
    return None


def token_reader(authorization: str | None = Header(default=None)) -> dict[str, str]:
    """A stand-in for the portal's reader: logged-in callers only ("Bearer <name>")."""
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(401, "not authenticated", headers={"WWW-Authenticate": "Bearer"})
    return {"username": authorization.removeprefix("Bearer ")}


def build_app(warehouse: DuckDBWarehouse | PostgresWarehouse, reader: Callable[..., object] = anonymous,
              **settings: object) -> FastAPI:
    app = FastAPI()
    app.include_router(make_router(reader, warehouse=warehouse,
                                   settings=DataApiSettings(**({"rate_per_second": 0} | settings))))
    return app


@pytest.fixture(scope="session")
def open_client(api_warehouses: dict[str, Path], request: pytest.FixtureRequest) -> Callable[[str, str], TestClient]:
    """(warehouse name, target) → an anonymous TestClient of the data API over it."""
    opened: dict[tuple[str, str], TestClient] = {}

    def client(name: str, target: str = "duckdb") -> TestClient:
        if (name, target) not in opened:
            if target == "postgres":
                env = request.getfixturevalue("postgres_marts")
                conninfo = f"host={env['PGHOST']} port={env['PGPORT']} user={env['PGUSER']} dbname={env['PGDATABASE']}"
                warehouse = PostgresWarehouse(conninfo, schema=f"marts_{name}")
            else:
                warehouse = DuckDBWarehouse(api_warehouses[name])
            opened[(name, target)] = TestClient(build_app(warehouse))
        return opened[(name, target)]

    return client


@pytest.fixture(params=["duckdb", "postgres"])
def target(request: pytest.FixtureRequest) -> str:
    return request.param
