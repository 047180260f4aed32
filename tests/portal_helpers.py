"""A portal on temporary folders with one account per role, for the portal tests."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from unittest.mock import patch

from fastapi import FastAPI
from fastapi.testclient import TestClient

from portal import accounts
from portal.app import create_app
from portal.security import hash_password
from portal.settings import PortalSettings

ROOT = Path(__file__).resolve().parent.parent
ZJJ_FILE = ROOT / "samples" / "inbox" / "2024-10" / "市住建局_2024年10月.csv"
PASSWORD = "correct horse battery"
CALLERS = ("anonymous", "other_reporter", "reporter", "reviewer", "admin")
ACCOUNTS = {"other_reporter": ("swj", "市商务局", "reporter"), "reporter": ("zjj", "市住建局", "reporter"),
            "reviewer": ("office", "市八大行动协调办", "reviewer"), "admin": ("root", "市八大行动协调办", "admin")}


def with_pending(data: bytes) -> bytes:
    """The 市住建局 sample with its first value (939, row 2, column E) replaced by 待核实."""
    return data.replace(b",939,", ",待核实,".encode(), 1)


@dataclass
class Portal:
    app: FastAPI
    settings: PortalSettings
    tokens: dict[str, str] = field(default_factory=dict)
    signed_in: dict[str, tuple[TestClient, str]] = field(default_factory=dict)

    def client(self) -> TestClient:
        return TestClient(self.app)

    def api(self, caller: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[caller]}"} if caller in self.tokens else {}

    def session(self, caller: str) -> tuple[TestClient, str]:
        """Like ``login``, signed in once per caller and reused (Argon2 is slow on purpose)."""
        if caller not in self.signed_in:
            self.signed_in[caller] = self.login(caller)
        return self.signed_in[caller]

    def login(self, caller: str, client: TestClient | None = None) -> tuple[TestClient, str]:
        """A client signed in as ``caller`` and its session's CSRF token."""
        client = client or self.client()
        if caller == "anonymous":
            return client, ""
        form = client.get("/login")
        response = client.post("/login", data={"username": ACCOUNTS[caller][0], "password": PASSWORD,
                                               "csrf_token": csrf_of(form.text)}, follow_redirects=False)
        assert response.status_code == 303, response.text
        page = client.get(response.headers["location"])
        return client, csrf_of(page.text)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return match.group(1) if match else ""


@lru_cache(maxsize=1)
def password_hash() -> str:
    """PASSWORD's Argon2 hash, computed once: hashing is slow on purpose, and tests make many portals."""
    return hash_password(PASSWORD)


def make_portal(tmp_path: Path, **overrides: object) -> Portal:
    settings = PortalSettings(home=tmp_path / "home", inbox=tmp_path / "inbox", **overrides)  # type: ignore[arg-type]
    app = create_app(settings)
    portal = Portal(app, settings)
    with app.state.store.session() as db, patch.object(accounts, "hash_password", lambda _: password_hash()):
        for caller, (username, unit, role) in ACCOUNTS.items():
            account = accounts.create_account(db, settings, username, unit, role, PASSWORD, actor="test")
            db.flush()
            portal.tokens[caller] = accounts.create_api_token(db, account, actor="test")
    return portal
