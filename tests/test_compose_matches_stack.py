"""docker/compose.yaml declares the topology the stack tests run (deploy/topology.py), exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from deploy.topology import INIT, Secrets, StackSettings, environment, services
from tests.conftest import load_script

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


def test_the_portal_is_a_service_started_with_the_contract_command_line(compose: dict) -> None:
    from deploy.portal import portal_argv
    from deploy.topology import PORTAL

    assert compose["services"][PORTAL.name]["command"] == PORTAL.command
    argv = portal_argv({"YUEBAO_HOME": "/data/home", "YUEBAO_INBOX": "/data/inbox",
                        "YUEBAO_PORTAL_HOST": "0.0.0.0", "YUEBAO_PORTAL_PORT": "8765"})
    assert Path(argv[0]).name == "yuebao"
    assert argv[1:] == ["portal", "--home", "/data/home", "--inbox", "/data/inbox", "--host", "0.0.0.0",
                        "--port", "8765"]
    volumes = compose["services"][PORTAL.name]["volumes"]
    assert any(volume.endswith(":/data/inbox") for volume in volumes), "the portal writes accepted files"


def test_the_portal_shares_the_postgresql_and_publication_waits_for_approval(compose: dict) -> None:
    variables = compose["x-airflow-common"]["environment"]
    assert variables["YUEBAO_PORTAL_DATABASE_URL"].startswith("postgresql+psycopg2://yuebao:")
    assert "@postgres:5432/" in variables["YUEBAO_PORTAL_DATABASE_URL"]
    assert variables["YUEBAO_APPROVAL_REQUIRED"] == "true"
    settings = StackSettings(Path("/airflow"), "postgresql+psycopg2://u@h:5432/airflow", Secrets("f", "j", "a"))
    local = environment(settings)
    assert local["YUEBAO_APPROVAL_REQUIRED"] == "true"
    assert local["YUEBAO_PORTAL_DATABASE_URL"] == "postgresql+psycopg2://u@h:5432/yuebao_portal"


def test_the_airflow_ui_links_to_the_portal_through_a_plugin() -> None:
    from deploy.topology import PLUGINS_DIR

    module = load_script(PLUGINS_DIR / "yuebao_portal_link.py")
    [view] = module.YuebaoPortalLink.external_views
    assert view["href"].startswith("http") and view["destination"] == "nav"
