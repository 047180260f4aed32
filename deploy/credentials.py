"""Secrets and the admin's password: from the environment, else generated once and kept 0600.

Nothing here is ever committed: a fresh AIRFLOW_HOME gets fresh values on first start.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from deploy.topology import Secrets

SECRETS_FILE = "yuebao-secrets.json"
PASSWORD_VARIABLE = "YUEBAO_ADMIN_PASSWORD"
# An operator's own values win over generated ones (compose passes them from its .env file).
SECRET_VARIABLES = {
    "fernet_key": "AIRFLOW__CORE__FERNET_KEY",
    "jwt_secret": "AIRFLOW__API_AUTH__JWT_SECRET",
    "api_secret_key": "AIRFLOW__API__SECRET_KEY",
}


def write_private(path: Path, text: str) -> None:
    """Write a file readable by its owner only (created 0600, never world-readable in between)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def load_or_create_secrets(airflow_home: Path) -> Secrets:
    from cryptography.fernet import Fernet

    path = airflow_home / SECRETS_FILE
    stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    generated = {
        "fernet_key": stored.get("fernet_key") or Fernet.generate_key().decode(),
        "jwt_secret": stored.get("jwt_secret") or secrets.token_urlsafe(32),
        "api_secret_key": stored.get("api_secret_key") or secrets.token_urlsafe(32),
    }
    if generated != stored:
        write_private(path, json.dumps(generated))
    return Secrets(**{name: os.environ.get(variable) or generated[name]
                      for name, variable in SECRET_VARIABLES.items()})


def ensure_admin_password(passwords_file: Path, user: str) -> str:
    """The admin's password for Airflow's SimpleAuthManager file: $YUEBAO_ADMIN_PASSWORD, else the
    stored one, else a generated one; the file is (re)written 0600."""
    stored = json.loads(passwords_file.read_text(encoding="utf-8") or "{}") if passwords_file.exists() else {}
    password = os.environ.get(PASSWORD_VARIABLE) or stored.get(user) or secrets.token_urlsafe(12)
    if stored.get(user) != password or (passwords_file.stat().st_mode & 0o077):
        write_private(passwords_file, json.dumps(stored | {user: password}) + "\n")
    return password
