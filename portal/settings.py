"""The portal's settings: one frozen object, built from the command line and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from yuebao import SEEDS_DIR
from yuebao.settings import Settings

DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def database_url(home: Path) -> str:
    """The store's URL: ``YUEBAO_PORTAL_DATABASE_URL`` (the deployment's PostgreSQL) or SQLite under home."""
    return os.environ.get("YUEBAO_PORTAL_DATABASE_URL") or f"sqlite:///{home / 'portal' / 'portal.sqlite'}"


@dataclass(frozen=True)
class PortalSettings:
    home: Path
    inbox: Path
    # SQLAlchemy URL of the portal's store; SQLite under <home> unless the deployment gives one.
    database_url: str = ""
    catalog_dir: Path = SEEDS_DIR
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    # Cookies marked Secure (behind HTTPS in production; plain HTTP on 127.0.0.1 otherwise).
    secure_cookies: bool = False
    session_hours: int = 10
    # Login throttling: this many failures within the window lock the account (per IP: the second).
    max_failures_per_account: int = 5
    max_failures_per_ip: int = 20
    failure_window_seconds: int = 15 * 60
    # The deployment's settings the portal shares with the DAG: the due day's default, the SMTP
    # connection, where the DAG's approval is answered.
    deployment: Settings = Settings()
    # This process has Airflow configured (AIRFLOW_HOME, a metadata database or the stack's API):
    # mail goes through the Airflow SMTP connection, approvals answer the DAG's waiting task. Else
    # mail is written to the outbox folder and the DAG finds the approval in approvals.jsonl.
    airflow_configured: bool = False

    def __post_init__(self) -> None:
        if not self.database_url:
            object.__setattr__(self, "database_url", database_url(self.home))

    @classmethod
    def from_env(cls, home: Path, inbox: Path, **overrides: object) -> PortalSettings:
        """Settings for ``home``/``inbox``; ``YUEBAO_PORTAL_DATABASE_URL``, ``YUEBAO_MAX_UPLOAD_MB`` and
        ``YUEBAO_PORTAL_SECURE_COOKIES`` override the defaults."""
        deployment = Settings.from_environ()
        env: dict[str, object] = {"deployment": deployment, "airflow_configured": bool(
            deployment.airflow_api_url or os.environ.get("AIRFLOW_HOME")
            or os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"))}
        if megabytes := os.environ.get("YUEBAO_MAX_UPLOAD_MB"):
            env["max_upload_bytes"] = int(float(megabytes) * 1024 * 1024)
        if os.environ.get("YUEBAO_PORTAL_SECURE_COOKIES", "").lower() in ("1", "true", "yes"):
            env["secure_cookies"] = True
        return cls(home=home, inbox=inbox, **(env | overrides))  # type: ignore[arg-type]

    @property
    def portal_dir(self) -> Path:
        """The portal's own files: its upload archive, temporary uploads, SQLite store."""
        return self.home / "portal"
