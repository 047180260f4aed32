"""Who may read, how often, HTTP caching per published version, and reading while a load swaps
the warehouse."""

from __future__ import annotations

import csv
import io
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dataapi import DuckDBWarehouse, PostgresWarehouse
from dataapi.ratelimit import TokenBuckets
from tests.dataapi.conftest import OCTOBER_NEW, SEPTEMBER_BEFORE, SEPTEMBER_REVISED, build_app, token_reader
from yuebao.targets import postgres

ROUTES = ["/api/v1/data?indicator=retail_sales", "/api/v1/meta/indicators", "/api/v1/meta/releases",
          "/data/indicators", "/data/indicators/retail_sales"]


@pytest.mark.parametrize("route", ROUTES)
def test_every_route_asks_the_portals_reader(api_warehouses, route: str) -> None:
    client = TestClient(build_app(DuckDBWarehouse(api_warehouses["sample"]), reader=token_reader))
    assert client.get(route).status_code == 401
    signed_in = client.get(route, headers={"Authorization": "Bearer analyst"})
    assert signed_in.status_code == 200
    assert signed_in.headers["cache-control"].startswith("private")


def test_anonymous_answers_may_be_cached_publicly(open_client) -> None:
    response = open_client("sample").get(ROUTES[0])
    assert response.headers["cache-control"] == "public, max-age=60, must-revalidate"


def test_same_version_revalidates_with_304_and_a_new_one_gets_200(api_warehouses, tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    shutil.copyfile(api_warehouses["sample"], published)
    client = TestClient(build_app(DuckDBWarehouse(published)))
    first = client.get(ROUTES[0])
    etag = first.headers["etag"]
    again = client.get(ROUTES[0], headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(ROUTES[0] + "&format=json", headers={"If-None-Match": etag}).status_code == 200
    shutil.copyfile(api_warehouses["revised"], tmp_path / "next.duckdb")
    os.replace(tmp_path / "next.duckdb", published)  # a load publishes 2024-11
    after = client.get(ROUTES[0], headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    assert after.headers["x-yuebao-release"] == "2024-11"


def test_too_many_requests_get_429_with_retry_after(api_warehouses) -> None:
    client = TestClient(build_app(DuckDBWarehouse(api_warehouses["sample"]), rate_per_second=0.5, rate_burst=3))
    answers = [client.get("/api/v1/meta/actions").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get("/api/v1/meta/actions")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1


def test_each_caller_has_its_own_bucket() -> None:
    now = [0.0]
    buckets = TokenBuckets(rate=1, burst=2, clock=lambda: now[0])
    assert [buckets.take("user:a") for _ in range(3)] == [0, 0, 1]
    assert buckets.take("user:b") == 0
    now[0] += 1.0
    assert buckets.take("user:a") == 0


def city_values(response) -> tuple[str, list[float]]:
    assert response.status_code == 200, response.text
    found = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    return response.headers["x-yuebao-release"], sorted(float(row["value"]) for row in found)


VERSIONS = {"2024-10": [SEPTEMBER_BEFORE], "2024-11": sorted([SEPTEMBER_REVISED, OCTOBER_NEW])}
SERIES = "/api/v1/data?indicator=retail_sales&region=city"


def serve_while(swap_once, client: TestClient, requests: int = 60, swaps_wanted: int = 3,
                patience: float = 120.0) -> list[tuple[str, list[float]]]:
    """Read from 8 threads while another thread keeps calling ``swap_once``, until at least
    ``requests`` answers arrived and ``swaps_wanted`` loads happened meanwhile."""
    stop = threading.Event()
    swaps = [0]
    answers: list[tuple[str, list[float]]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + patience

    def keep_swapping() -> None:
        while not stop.wait(0.1):  # a load every 100 ms: far more often than any real one
            swap_once(swaps[0])
            swaps[0] += 1

    def keep_reading() -> None:
        while time.monotonic() < deadline:
            with lock:
                if len(answers) >= requests and swaps[0] >= swaps_wanted:
                    return
            answer = city_values(client.get(SERIES))
            with lock:
                answers.append(answer)

    swapper = threading.Thread(target=keep_swapping)
    swapper.start()
    try:
        with ThreadPoolExecutor(8) as pool:
            for future in [pool.submit(keep_reading) for _ in range(8)]:
                future.result()
    finally:
        stop.set()
        swapper.join()
    assert swaps[0] >= swaps_wanted, "the loads did not overlap the requests"
    return answers


def test_reading_while_loads_swap_the_duckdb_file(api_warehouses, tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    shutil.copyfile(api_warehouses["sample"], published)
    client = TestClient(build_app(DuckDBWarehouse(published)))

    def swap_once(count: int) -> None:  # what publication does: a complete file, then one rename
        staged = tmp_path / f"build-{count}.duckdb"
        shutil.copyfile(api_warehouses["revised" if count % 2 == 0 else "sample"], staged)
        os.replace(staged, published)

    answers = serve_while(swap_once, client)
    for release, values in answers:
        assert values == VERSIONS[release], "a response mixed two published versions"
    assert {release for release, _ in answers} == set(VERSIONS)


def test_reading_while_loads_swap_the_postgres_schema(open_client, postgres_marts) -> None:
    env = postgres_marts
    conninfo = f"host={env['PGHOST']} port={env['PGPORT']} user={env['PGUSER']} dbname={env['PGDATABASE']}"
    schema = "marts_swapped"
    with postgres_connection(env) as admin:
        admin.execute(f"drop schema if exists {schema} cascade")
        admin.execute(f"create schema {schema}")
        for name in ("dim_action", "dim_department", "dim_indicator", "dim_region", "fct_indicator_as_published",
                     "fct_indicator_monthly", "fct_revisions", "pub_releases"):
            admin.execute(f"create table {schema}.{name} as select * from marts_sample.{name}")
    client = TestClient(build_app(PostgresWarehouse(conninfo, schema=schema)))

    def swap_once(count: int) -> None:  # yuebao/targets/postgres.py's swap, on this test's schema names
        source = "marts_revised" if count % 2 == 0 else "marts_sample"
        with postgres_connection(env) as loader, loader.transaction():
            loader.execute(f"drop schema if exists {schema}_build cascade")
            loader.execute(f"create schema {schema}_build")
            for name in postgres.tables(loader, schema):
                loader.execute(f"create table {schema}_build.{name} as select * from {source}.{name}")
            loader.execute(f"alter schema {schema} rename to {schema}_old")
            loader.execute(f"alter schema {schema}_build rename to {schema}")
            loader.execute(f"drop schema {schema}_old cascade")

    answers = serve_while(swap_once, client)
    for release, values in answers:
        assert values == VERSIONS[release], "a response mixed two published versions"


def postgres_connection(env: dict[str, str]):
    import psycopg

    return psycopg.connect(host=env["PGHOST"], port=env["PGPORT"], user=env["PGUSER"], dbname=env["PGDATABASE"],
                           autocommit=True)


def test_postgres_sees_an_approval_table_created_after_it_started(postgres_marts) -> None:
    env = postgres_marts
    conninfo = f"host={env['PGHOST']} port={env['PGPORT']} user={env['PGUSER']} dbname={env['PGDATABASE']}"
    schema = "marts_late_approval"
    with postgres_connection(env) as admin:
        admin.execute(f"drop schema if exists {schema} cascade")
        admin.execute(f"create schema {schema}")
        for name in postgres.tables(admin, "marts_revised"):
            admin.execute(f"create table {schema}.{name} as select * from marts_revised.{name}")
        client = TestClient(build_app(PostgresWarehouse(conninfo, schema=schema)))
        before = client.get("/api/v1/meta/releases")
        assert [item["report_month"] for item in before.json()["data"]] == ["2024-10", "2024-11"]
        admin.execute(f"create table {schema}.pub_release_approvals as select * from marts_approved.pub_release_approvals")
        after = client.get("/api/v1/meta/releases", headers={"If-None-Match": before.headers["etag"]})
        assert after.status_code == 200
        assert [(item["report_month"], item["approved_by"]) for item in after.json()["data"]] == [("2024-10", "张审核")]
        admin.execute(f"drop schema {schema} cascade")


def test_an_answer_beyond_the_row_limit_is_422(api_warehouses) -> None:
    client = TestClient(build_app(DuckDBWarehouse(api_warehouses["sample"]), max_rows=3))
    for data_format in ("csv", "json"):
        response = client.get("/api/v1/data", params={"indicator": "retail_sales", "format": data_format})
        assert response.status_code == 422 and "more than 3 rows" in response.json()["detail"]
    assert client.get("/api/v1/data", params={"indicator": "retail_sales", "region": "city"}).status_code == 200


class CountingWarehouse(DuckDBWarehouse):
    """Counts the snapshots opened (queries run against the warehouse)."""

    opened = 0

    def snapshot(self):
        self.opened += 1
        return super().snapshot()


def test_an_answer_is_kept_until_the_next_publication(api_warehouses, tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    shutil.copyfile(api_warehouses["sample"], published)
    warehouse = CountingWarehouse(published)
    client = TestClient(build_app(warehouse))
    first, second = client.get(SERIES), client.get(SERIES)
    assert warehouse.opened == 1
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    assert second.headers["content-type"] == "text/csv; charset=utf-8"
    shutil.copyfile(api_warehouses["revised"], tmp_path / "next.duckdb")
    os.replace(tmp_path / "next.duckdb", published)
    assert city_values(client.get(SERIES)) == ("2024-11", VERSIONS["2024-11"])
    assert warehouse.opened == 2

    uncached = CountingWarehouse(published)
    plain = TestClient(build_app(uncached, response_cache_mb=0))
    plain.get(SERIES)
    plain.get(SERIES)
    assert uncached.opened == 2


def test_postgres_answers_revalidate_with_304(open_client) -> None:
    client = open_client("sample", "postgres")
    first = client.get(ROUTES[0])
    assert first.status_code == 200
    again = client.get(ROUTES[0], headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]
