"""The portal's store on PostgreSQL (the deployed stack's): migrations, receipts, returns, approvals,
throttling and the audit log work there as on SQLite."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select

from portal.store.models import AuditEvent
from tests.portal_helpers import PASSWORD, ZJJ_FILE, csrf_of, make_portal, with_pending

HOST = os.environ.get("PGHOST", "127.0.0.1")


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    name = f"yuebao_p15_portal_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(host=HOST, user="postgres", dbname="postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL at {HOST}: {error}")
    with admin:
        admin.execute(f'create database "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@{HOST}:5432/{name}"
    finally:
        with psycopg.connect(host=HOST, user="postgres", dbname="postgres", autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')


def test_the_portal_runs_on_postgresql(tmp_path: Path, database_url: str) -> None:
    portal = make_portal(tmp_path, database_url=database_url)
    client = portal.client()
    url = "/api/v1/months/2024-10/submissions"
    rejected = client.post(url, headers=portal.api("reporter"),
                           files={"file": (ZJJ_FILE.name, with_pending(ZJJ_FILE.read_bytes()))}).json()
    assert rejected["status"] == "rejected" and rejected["findings"][0]["row"] == 2
    accepted = client.post(url, headers=portal.api("reporter"), files={"file": (ZJJ_FILE.name, ZJJ_FILE.read_bytes())})
    assert accepted.json()["status"] == "accepted"
    assert client.get(f"/api/v1/submissions/{rejected['id']}", headers=portal.api("other_reporter")).status_code == 404
    assert client.post(f"/api/v1/submissions/{accepted.json()['id']}/return", json={"comment": "请核实"},
                       headers=portal.api("reviewer")).status_code == 200
    assert client.post("/api/v1/months/2024-10/approve", headers=portal.api("reviewer")).json()["approved_by"] == "office"
    for _ in range(5):
        form = client.get("/login")
        client.post("/login", data={"username": "zjj", "password": "wrong", "csrf_token": csrf_of(form.text)})
    form = client.get("/login")
    locked = client.post("/login", data={"username": "zjj", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
                         follow_redirects=False)
    assert locked.status_code == 429
    with portal.app.state.store.session() as db:
        actions = {event.action for event in db.scalars(select(AuditEvent))}
    assert {"upload", "return", "approve", "login_failed", "login_throttled"} <= actions
    portal.app.state.store.dispose()


def test_migrations_are_idempotent(tmp_path: Path, database_url: str) -> None:
    from portal.store.engine import Store

    Store(database_url).dispose()
    Store(database_url).dispose()
