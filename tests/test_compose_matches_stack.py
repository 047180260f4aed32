"""docker/compose.yaml declares the topology the stack tests run (deploy/topology.py), exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from deploy.topology import INIT, Secrets, StackSettings, environment, services

COMPOSE = Path(__file__).resolve().parent.parent / "docker" / "compose.yaml"
BACKING_SERVICES = {"postgres", "redis"}
INIT_ONLY_VARIABLES = {"YUEBAO_ADMIN_PASSWORD"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def stack_environment() -> set[str]:
    settings = StackSettings(Path("/airflow"), "postgresql+psycopg2://u@h/db", Secrets("f", "j", "a"),
                             executor="CeleryExecutor")
    return set(environment(settings))


def test_compose_runs_the_stack_services_with_the_same_commands(compose: dict) -> None:
    declared = {name: service.get("command") for name, service in compose["services"].items()}
    tested = {service.name: service.command for service in [INIT, *services("CeleryExecutor")]}
    assert set(declared) == set(tested) | BACKING_SERVICES
    assert {name: declared[name] for name in tested} == tested


def test_every_airflow_service_gets_the_stack_environment(compose: dict, stack_environment: set[str]) -> None:
    for service in [INIT, *services("CeleryExecutor")]:
        variables = set(compose["services"][service.name]["environment"])
        extra = INIT_ONLY_VARIABLES if service is INIT else set()
        assert variables == stack_environment | extra, f"{service.name}: {sorted(variables ^ stack_environment)}"


def test_compose_uses_celery_on_redis_and_postgres_metadata(compose: dict) -> None:
    variables = compose["x-airflow-common"]["environment"]
    assert variables["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert variables["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:")
    assert variables["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert variables["AIRFLOW__CELERY__RESULT_BACKEND"] == "db+" + variables["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]


def test_no_secret_is_committed_in_the_compose_file(compose: dict) -> None:
    variables = compose["x-airflow-common"]["environment"]
    for name in ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "PGPASSWORD"):
        assert variables[name].startswith("${"), f"{name} must come from docker/.env"
