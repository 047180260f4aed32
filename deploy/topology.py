"""The production topology, defined once: which Airflow processes run, with which command and settings.

`deploy.stack` starts exactly these processes on this machine (the submission portal among them,
behind the same PostgreSQL, linked from the Airflow UI by the plugin in ``plugins/``); ``docker/compose.yaml`` declares
the same services, commands and environment variables (``tests/test_compose_matches_stack.py``
compares them). Commands are written as a container's ``command:`` for the official Airflow
image (``["python", ...]`` runs as is); locally ``python`` is this venv's interpreter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from yuebao import DAGS_DIR, PROJECT_ROOT

PLUGINS_DIR = PROJECT_ROOT / "plugins"

Executor = Literal["LocalExecutor", "CeleryExecutor"]
ADMIN_USER = "admin"
# libpq variables of the PostgreSQL warehouse target (defaults as in dbt_project/profiles.yml).
WAREHOUSE_DEFAULTS = {"PGHOST": "127.0.0.1", "PGPORT": "5432", "PGUSER": "postgres", "PGPASSWORD": "",
                      "PGDATABASE": "postgres"}


@dataclass(frozen=True)
class Service:
    name: str
    command: list[str]


# One-shot: create the metadata database if missing, migrate it, write the admin's credentials.
INIT = Service("airflow-init", ["python", "-m", "deploy.stack", "init"])
AIRFLOW = ["airflow"]
API_SERVER = Service("airflow-api-server", [*AIRFLOW, "api-server"])
SCHEDULER = Service("airflow-scheduler", [*AIRFLOW, "scheduler"])
DAG_PROCESSOR = Service("airflow-dag-processor", [*AIRFLOW, "dag-processor"])
TRIGGERER = Service("airflow-triggerer", [*AIRFLOW, "triggerer"])
CELERY_WORKER = Service("airflow-worker", [*AIRFLOW, "celery", "worker"])
# The submission portal: `yuebao portal --home $YUEBAO_HOME --inbox $YUEBAO_INBOX` (deploy/portal.py).
PORTAL = Service("yuebao-portal", ["python", "-m", "deploy.portal"])


@dataclass(frozen=True)
class Secrets:
    """Values every process must share; generated once per deployment, never committed."""

    fernet_key: str
    jwt_secret: str
    api_secret_key: str


@dataclass(frozen=True)
class StackSettings:
    airflow_home: Path
    metadata_url: str  # SQLAlchemy URL of the PostgreSQL metadata database
    secrets: Secrets
    executor: Executor = "LocalExecutor"
    api_host: str = "127.0.0.1"
    api_port: int = 8080
    broker_url: str = "redis://127.0.0.1:6379/0"
    queue: str = "default"
    worker_concurrency: int = 2
    worker_log_port: int = 8793
    trigger_log_port: int = 8794
    dags_folder: Path = DAGS_DIR
    yuebao_home: Path = PROJECT_ROOT / ".demo"
    yuebao_inbox: Path = PROJECT_ROOT / "samples" / "inbox"
    task_retries: int = 2
    run_schedules: bool = True  # False: only triggered runs (tests), no run for the latest cron time
    target: str = "duckdb"  # yuebao's warehouse: duckdb, or postgres through the libpq variables
    warehouse: dict[str, str] = field(default_factory=lambda: dict(WAREHOUSE_DEFAULTS))
    plugins_folder: Path = PLUGINS_DIR  # the Airflow UI's link to the portal (an external view)
    # Publication waits for a reviewer's approval (yuebao/approval.py): on in production.
    approval_required: bool = True
    portal: bool = True  # run the submission portal as a service of the stack
    portal_host: str = "127.0.0.1"
    portal_port: int = 8765
    # SQLAlchemy URL of the portal's store: a database on the same PostgreSQL as the metadata.
    portal_database_url: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        return f"http://{self.api_host}:{self.api_port}"

    @property
    def portal_url(self) -> str:
        return f"http://{self.portal_host}:{self.portal_port}"

    @property
    def passwords_file(self) -> Path:
        return self.airflow_home / "simple_auth_manager_passwords.json.generated"

    @property
    def run_dir(self) -> Path:
        """PID and log files of the supervised processes."""
        return self.airflow_home / "run"


def services(executor: Executor, portal: bool = True) -> list[Service]:
    """The long-running processes of the stack, in start order."""
    core = [API_SERVER, SCHEDULER, DAG_PROCESSOR, TRIGGERER]
    airflow = [*core, CELERY_WORKER] if executor == "CeleryExecutor" else core
    return [*airflow, PORTAL] if portal else airflow


def portal_database_url(metadata_url: str) -> str:
    """The portal's database beside the metadata database: same server and user, ``yuebao_portal``."""
    return metadata_url.rsplit("/", 1)[0] + "/yuebao_portal"


def result_backend(metadata_url: str) -> str:
    """Celery keeps task results in the metadata database (``db+`` SQLAlchemy backend)."""
    return "db+" + metadata_url


def environment(settings: StackSettings) -> dict[str, str]:
    """Every process's settings; the compose file sets the same variables (values for containers)."""
    env = {
        "AIRFLOW_HOME": str(settings.airflow_home),
        "AIRFLOW__CORE__EXECUTOR": settings.executor,
        "AIRFLOW__CORE__DAGS_FOLDER": str(settings.dags_folder),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(settings.plugins_folder),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__FERNET_KEY": settings.secrets.fernet_key,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{settings.api_url}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(settings.passwords_file),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": settings.metadata_url,
        "AIRFLOW__API__HOST": settings.api_host,
        "AIRFLOW__API__PORT": str(settings.api_port),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API__SECRET_KEY": settings.secrets.api_secret_key,
        "AIRFLOW__API_AUTH__JWT_SECRET": settings.secrets.jwt_secret,
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(settings.worker_log_port),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(settings.trigger_log_port),
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": str(settings.run_schedules),
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": settings.queue,
        "AIRFLOW__CELERY__BROKER_URL": settings.broker_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": result_backend(settings.metadata_url),
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(settings.worker_concurrency),
        "YUEBAO_HOME": str(settings.yuebao_home),
        "YUEBAO_INBOX": str(settings.yuebao_inbox),
        "YUEBAO_TASK_RETRIES": str(settings.task_retries),
        "YUEBAO_TARGET": settings.target,
        "YUEBAO_APPROVAL_REQUIRED": str(settings.approval_required).lower(),
        "YUEBAO_AIRFLOW_API_URL": settings.api_url,
        "YUEBAO_PORTAL_URL": settings.portal_url,
        "YUEBAO_PORTAL_HOST": settings.portal_host,
        "YUEBAO_PORTAL_PORT": str(settings.portal_port),
        "YUEBAO_PORTAL_DATABASE_URL": settings.portal_database_url or portal_database_url(settings.metadata_url),
    }
    return env | settings.warehouse | settings.extra_env
