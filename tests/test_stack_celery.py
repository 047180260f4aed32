"""The production topology for real: API server, scheduler, DAG processor, triggerer and a Celery
worker on loopback (Redis broker, PostgreSQL metadata and result backend) load the sample month
through the REST API; publication waits for the release approval (required in the deployed stack)
until a reviewer approves through the portal's function, which answers the waiting task over REST.
The portal service starts with the stack once the `portal` package is there."""

from __future__ import annotations

import csv
import json
import secrets
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest
import redis

from deploy.credentials import load_or_create_secrets
from deploy.metadata_db import drop_database
from deploy.services import POSTGRES, REDIS, missing
from deploy.stack import Stack, portal_installed
from deploy.topology import ADMIN_USER, StackSettings
from tests.conftest import EXPECTED_2024_10, SAMPLE_INBOX
from yuebao.approval import TASK_ID, record_approval

DAG_ID = "yuebao_monthly"
RUN_TIMEOUT_SECONDS = 360


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def celery_stack(tmp_path: Path) -> Iterator[Stack]:
    """The stack on a fresh metadata database and Celery queue; everything stopped and dropped after."""
    if problems := missing(POSTGRES, REDIS):
        pytest.fail("; ".join(problems))
    name = f"yuebao_it_{secrets.token_hex(4)}"
    airflow_home = tmp_path / "airflow"
    settings = StackSettings(
        airflow_home=airflow_home,
        metadata_url=f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}",
        secrets=load_or_create_secrets(airflow_home),
        executor="CeleryExecutor",
        api_port=free_port(), worker_log_port=free_port(), trigger_log_port=free_port(),
        queue=name, worker_concurrency=2,
        yuebao_home=tmp_path / "home", yuebao_inbox=SAMPLE_INBOX,
        task_retries=0, run_schedules=False,
        approval_required=True,
        portal=portal_installed(), portal_port=free_port(),
        portal_database_url=f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}_portal",
    )
    stack = Stack(settings)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        drop_database(settings.metadata_url)
        drop_database(settings.portal_database_url)
        broker = redis.Redis.from_url(settings.broker_url)
        for key in broker.scan_iter(f"*{name}*"):  # the queue and kombu's bindings of it
            broker.delete(key)


def api_client(stack: Stack) -> httpx.Client:
    """An authenticated client: a JWT from the SimpleAuthManager's admin credentials."""
    settings = stack.settings
    password = json.loads(settings.passwords_file.read_text())[ADMIN_USER]
    token = httpx.post(f"{settings.api_url}/auth/token", json={"username": ADMIN_USER, "password": password})
    token.raise_for_status()
    return httpx.Client(base_url=f"{settings.api_url}/api/v2", timeout=30,
                        headers={"Authorization": f"Bearer {token.json()['access_token']}"})


def wait_for(condition, timeout_seconds: float, what: str):
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout_seconds:.0f} s waiting for {what}")


def test_celery_stack_loads_the_sample_month_through_the_rest_api(celery_stack: Stack, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    with api_client(celery_stack) as api:
        wait_for(lambda: api.get(f"/dags/{DAG_ID}").status_code == 200, 120, "the DAG processor to parse the DAG")
        api.patch(f"/dags/{DAG_ID}", json={"is_paused": False}).raise_for_status()
        created = api.post(f"/dags/{DAG_ID}/dagRuns", json={
            "logical_date": None, "conf": {"month": "2024-10", "inbox": str(SAMPLE_INBOX), "home": str(home)},
        })
        created.raise_for_status()
        run_id = created.json()["dag_run_id"]

        def approval_state() -> str | None:
            answer = api.get(f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{TASK_ID}")
            state = answer.json().get("state") if answer.status_code == 200 else None
            return state if state in ("awaiting_input", "failed", "upstream_failed") else None

        assert wait_for(approval_state, RUN_TIMEOUT_SECONDS, "the approval task to wait") == "awaiting_input"
        assert not (home / "warehouse.duckdb").exists(), "published before the approval"
        assert (home / "build" / "2024-10" / "draft" / "bulletin.html").exists(), "the draft to review"
        monkeypatch.setenv("YUEBAO_AIRFLOW_API_URL", celery_stack.settings.api_url)
        monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE",
                           str(celery_stack.settings.passwords_file))
        record_approval(home, "2024-10", "王科长", "同意发布")

        def finished() -> str | None:
            state = api.get(f"/dags/{DAG_ID}/dagRuns/{run_id}").json()["state"]
            return state if state in ("success", "failed") else None

        state = wait_for(finished, RUN_TIMEOUT_SECONDS, f"DAG run {run_id}")
        tasks = api.get(f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances").json()["task_instances"]
        summary = {task["task_id"]: (task["state"], task["executor"] or task["queue"]) for task in tasks}
    assert state == "success", f"{summary}\n{celery_stack.supervisor.log_tail('airflow-worker', 60)}"
    assert {task["queue"] for task in tasks} == {celery_stack.settings.queue}, "tasks ran on the Celery queue"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        published = set(con.execute(
            "select region_name, indicator_name, strftime(period, '%Y-%m') from fct_indicator_monthly").fetchall())
        approvals = con.execute("select report_month, approved_by, comment from pub_release_approvals").fetchall()
    assert approvals == [("2024-10", "王科长", "同意发布")]
    with EXPECTED_2024_10.open(encoding="utf-8") as handle:
        expected = {(row["region_name"], row["indicator_name"], row["period"]) for row in csv.DictReader(handle)}
    assert len(expected) == 120
    assert expected <= published, f"missing facts: {sorted(expected - published)[:5]}"
