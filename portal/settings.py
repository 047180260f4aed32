"""The portal's settings: one frozen object, built from the command line and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from yuebao import SEEDS_DIR

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

    def __post_init__(self) -> None:
        if not self.database_url:
            object.__setattr__(self, "database_url", database_url(self.home))

    @classmethod
    def from_env(cls, home: Path, inbox: Path, **overrides: object) -> PortalSettings:
        """Settings for ``home``/``inbox``; ``YUEBAO_PORTAL_DATABASE_URL``, ``YUEBAO_MAX_UPLOAD_MB`` and
        ``YUEBAO_PORTAL_SECURE_COOKIES`` override the defaults."""
        env: dict[str, object] = {}
        if megabytes := os.environ.get("YUEBAO_MAX_UPLOAD_MB"):
            env["max_upload_bytes"] = int(float(megabytes) * 1024 * 1024)
        if os.environ.get("YUEBAO_PORTAL_SECURE_COOKIES", "").lower() in ("1", "true", "yes"):
            env["secure_cookies"] = True
        return cls(home=home, inbox=inbox, **(env | overrides))  # type: ignore[arg-type]

    @property
    def portal_dir(self) -> Path:
        """The portal's own files: its upload archive, temporary uploads, SQLite store."""
        return self.home / "portal"
