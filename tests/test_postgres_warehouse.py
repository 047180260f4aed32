"""The PostgreSQL warehouse target: same facts as DuckDB, an all-at-once swap, a read-only analyst."""

from __future__ import annotations

import math
import os
import secrets
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psycopg
import pytest

from tests.conftest import SAMPLE_INBOX, YUEBAO, scratch_postgres
from yuebao.targets import postgres

KEY = ["indicator_code", "region_code", "period"]


@pytest.fixture(scope="module")
def warehouse_env() -> Iterator[dict[str, str]]:
    """libpq variables of a fresh database for this module, dropped at the end."""
    with scratch_postgres("yuebao_pg") as env:
        yield env


@pytest.fixture(scope="module")
def analyst(warehouse_env: dict[str, str]) -> Iterator[str]:
    """A login that holds only the analyst role made by `yuebao grant-analyst`."""
    role = f"yuebao_analyst_{secrets.token_hex(3)}"
    completed = subprocess.run([YUEBAO, "grant-analyst", "--role", role], env=os.environ | warehouse_env,
                               capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    with connect(warehouse_env) as admin:
        admin.execute(f"create role {role}_login login in role {role}")
        try:
            yield f"{role}_login"
        finally:
            admin.execute(f"drop owned by {role}_login, {role}")  # revokes the grants of this database
            admin.execute(f"drop role {role}_login")
            admin.execute(f"drop role {role}")


@pytest.fixture(scope="module")
def postgres_home(tmp_path_factory: pytest.TempPathFactory, airflow_home: Path,
                  warehouse_env: dict[str, str], analyst: str) -> Path:
    """The sample month published with `yuebao run --target postgres` (after the analyst role exists)."""
    home = tmp_path_factory.mktemp("pg_home")
    completed = subprocess.run(
        [YUEBAO, "run", "--month", "2024-10", "--inbox", str(SAMPLE_INBOX), "--home", str(home), "--target", "postgres"],
        env=os.environ | warehouse_env | {"AIRFLOW_HOME": str(airflow_home)},
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return home


def connect(env: dict[str, str], user: str | None = None, dbname: str | None = None) -> psycopg.Connection:
    return psycopg.connect(host=env["PGHOST"], port=env["PGPORT"], user=user or env["PGUSER"],
                           dbname=dbname or env["PGDATABASE"], autocommit=True)


def comparable(rows: list[tuple], names: list[str]) -> list[dict[str, object]]:
    """Rows as dicts with floats rounded and dates as text, ordered by the fact's key."""
    def plain(value: object) -> object:
        if isinstance(value, float):
            return None if math.isnan(value) else round(value, 6)
        return value.isoformat() if hasattr(value, "isoformat") else value

    records = [{name: plain(value) for name, value in zip(names, row, strict=True)} for row in rows]
    return sorted(records, key=lambda record: tuple(str(record[column]) for column in KEY))


def test_postgres_publishes_the_same_fct_indicator_monthly_as_duckdb(
        postgres_home: Path, published_home: Path, warehouse_env: dict[str, str]) -> None:
    with duckdb.connect(str(published_home / "warehouse.duckdb"), read_only=True) as con:
        cursor = con.execute("select * from main.fct_indicator_monthly")
        names = [column[0] for column in cursor.description]
        on_duckdb = comparable(cursor.fetchall(), names)
    with connect(warehouse_env) as con:
        quoted = ", ".join(f'"{name}"' for name in names)
        on_postgres = comparable(con.execute(f"select {quoted} from marts.fct_indicator_monthly").fetchall(), names)
    assert len(on_postgres) >= 120
    assert on_postgres == on_duckdb


def probe_query(con: psycopg.Connection) -> str:
    """A query for the value of one published fact."""
    code, region, period = con.execute(
        "select indicator_code, region_code, period from marts.fct_indicator_monthly"
        " where value is not null order by 1, 2, 3 limit 1").fetchone()
    return (f"select value from marts.fct_indicator_monthly where indicator_code = '{code}'"
            f" and region_code = '{region}' and period = date '{period}'")


def test_analyst_sees_the_old_month_until_the_swap_and_the_new_one_after(
        postgres_home: Path, warehouse_env: dict[str, str], analyst: str) -> None:
    with connect(warehouse_env, user=analyst) as reader, connect(warehouse_env) as loader:
        probe = probe_query(reader)
        (old,) = reader.execute(probe).fetchone()
        postgres.start_build(loader)
        loader.execute(probe.replace("select value from marts.", "update marts_build.").replace(
            " where ", " set value = value + 1 where ", 1))
        assert reader.execute(probe).fetchone() == (old,), "the build is visible before publication"
        postgres.swap_in(loader)
        assert reader.execute(probe).fetchone() == (old + 1,), "the same session sees the new month"
        assert not loader.execute("select 1 from pg_namespace where nspname in ('marts_build', 'marts_old')").fetchall()


def test_swap_waits_until_an_analyst_transaction_on_the_old_month_ends(
        postgres_home: Path, warehouse_env: dict[str, str], analyst: str) -> None:
    count = "select count(*) from marts.fct_indicator_monthly"
    with connect(warehouse_env, user=analyst) as reader, connect(warehouse_env) as loader:
        postgres.start_build(loader)
        loader.execute("delete from marts_build.fct_indicator_monthly where region_code = '430500'")
        swap = threading.Thread(target=postgres.swap_in, args=(loader,))
        with reader.transaction():
            reader.execute("set transaction isolation level repeatable read")
            (before,) = reader.execute(count).fetchone()
            swap.start()
            swap.join(timeout=2)
            assert swap.is_alive(), "the swap must wait for the reader's lock on the old month"
            assert reader.execute(count).fetchone() == (before,)
        swap.join(timeout=60)
        assert not swap.is_alive()
        assert reader.execute(count).fetchone()[0] < before


def test_analyst_role_cannot_write_or_read_outside_marts(
        postgres_home: Path, warehouse_env: dict[str, str], analyst: str) -> None:
    with connect(warehouse_env, user=analyst) as reader:
        assert reader.execute("select count(*) from marts.fct_indicator_monthly").fetchone()[0] > 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            reader.execute("insert into marts.fct_indicator_monthly (indicator_code) values ('forged')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            reader.execute("create table marts.scratch (n integer)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            reader.execute("select count(*) from landing.observations")
