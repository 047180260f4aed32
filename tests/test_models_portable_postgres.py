"""The dbt models are portable: the sample month built on PostgreSQL gives DuckDB's facts.

The published sample warehouse's landing tables are copied into a throwaway PostgreSQL schema
(psycopg2 COPY), `dbt build --target postgres` runs with every schema prefixed, and
fct_indicator_monthly is compared with the DuckDB build. The schemas are dropped at the end.
Connection: PGHOST (127.0.0.1), PGPORT, PGUSER (postgres), PGPASSWORD, PGDATABASE (test).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingestion.landing import TABLES
from yuebao import DBT_PROJECT_DIR

DBT = str(Path(sys.executable).with_name("dbt"))
PG_TYPES = {"varchar": "text", "double": "double precision"}
COMPARED = ["observation_key", "value", "value_month", "yoy_pct", "rank_province", "rank_subregion",
            "completion_pct", "schedule_pct", "completion_gap_pp", "vs_province_pp",
            "is_value_month_missing", "is_yoy_discrepant", "is_rank_discrepant", "source_file", "source_row"]
PG_ENV = {"PGHOST": "127.0.0.1", "PGUSER": "postgres", "PGDATABASE": "test"}


def pg_connect():
    psycopg2 = pytest.importorskip("psycopg2")
    settings = {key: os.environ.get(key, default) for key, default in PG_ENV.items()}
    try:
        return psycopg2.connect(host=settings["PGHOST"], user=settings["PGUSER"], dbname=settings["PGDATABASE"],
                                port=os.environ.get("PGPORT", "5432"), password=os.environ.get("PGPASSWORD"),
                                connect_timeout=5)
    except psycopg2.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {settings} (set PGHOST/PGUSER/PGDATABASE): {exc}")


def copy_landing(duckdb_path: Path, pg, schema: str) -> None:
    """Create the landing tables in ``schema`` and COPY the DuckDB warehouse's rows into them."""
    with duckdb.connect(str(duckdb_path), read_only=True) as source, pg.cursor() as cursor:
        cursor.execute(f"create schema {schema}")
        for table, columns in TABLES.items():
            name = f"{schema}.{table.split('.')[1]}"
            body = ", ".join(f"{column} {PG_TYPES.get(kind, kind)}" for column, kind in columns.items())
            cursor.execute(f"create table {name} ({body})")
            frame = source.execute(f"select {', '.join(columns)} from {table}").df()
            buffer = io.StringIO()
            frame.to_csv(buffer, index=False, header=False)
            buffer.seek(0)
            cursor.copy_expert(f"copy {name} from stdin with (format csv)", buffer)
    pg.commit()


@pytest.fixture(scope="module")
def postgres_build(published_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    pg = pg_connect()
    prefix = f"yb_test_{uuid.uuid4().hex[:8]}_"
    schemas = [f"{prefix}{name}" for name in ("landing", "marts", "staging", "intermediate", "reference")]
    try:
        copy_landing(published_home / "warehouse.duckdb", pg, f"{prefix}landing")
        workdir = tmp_path_factory.mktemp("dbt_pg")
        env = PG_ENV | dict(os.environ) | {
            "YUEBAO_DBT_TARGET": "postgres", "YUEBAO_PG_SCHEMA": f"{prefix}marts",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        variables = (f"{{report_month: '2024-10-01', landing_schema: '{prefix}landing', "
                     f"schema_prefix: '{prefix}'}}")
        completed = subprocess.run(
            [DBT, "build", "--target", "postgres", "--project-dir", str(DBT_PROJECT_DIR),
             "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(workdir / "target"),
             "--log-path", str(workdir / "logs"), "--vars", variables],
            env=env, capture_output=True, text=True, timeout=900, check=False)
        assert completed.returncode == 0, completed.stdout[-4000:]
        yield pg, f"{prefix}marts"
    finally:
        pg.rollback()
        with pg.cursor() as cursor:
            for schema in schemas:
                cursor.execute(f"drop schema if exists {schema} cascade")
        pg.commit()
        pg.close()


def facts(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[COMPARED].sort_values("observation_key").reset_index(drop=True)
    numeric = ["value", "value_month", "yoy_pct", "rank_province", "rank_subregion", "completion_pct",
               "schedule_pct", "completion_gap_pp", "vs_province_pp", "source_row"]
    frame[numeric] = frame[numeric].astype("float64")
    return frame.astype({flag: bool for flag in COMPARED if flag.startswith("is_")})


@pytest.mark.slow
def test_fct_indicator_monthly_on_postgres_equals_duckdb(postgres_build, published_home: Path) -> None:
    pg, marts = postgres_build
    with pg.cursor() as cursor:
        cursor.execute(f"select {', '.join(COMPARED)} from {marts}.fct_indicator_monthly")
        on_postgres = pd.DataFrame(cursor.fetchall(), columns=COMPARED)
    with duckdb.connect(str(published_home / "warehouse.duckdb"), read_only=True) as con:
        on_duckdb = con.execute(f"select {', '.join(COMPARED)} from fct_indicator_monthly").df()
    assert len(on_postgres) == len(on_duckdb) > 100
    pd.testing.assert_frame_equal(facts(on_postgres), facts(on_duckdb), check_exact=False, rtol=1e-9)


@pytest.mark.slow
def test_report_month_view_and_revisions_build_on_postgres(postgres_build) -> None:
    pg, marts = postgres_build
    with pg.cursor() as cursor:
        cursor.execute(f"select count(*), count(distinct indicator_code) from {marts}.rpt_indicator_report_month")
        rows, indicators = cursor.fetchone()
        cursor.execute(f"select count(*) from {marts}.fct_revisions")
        (revisions,) = cursor.fetchone()
    assert rows > 100 and indicators > 50
    assert revisions == 0
