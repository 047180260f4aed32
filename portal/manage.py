"""What the commands do to the store: add an account, issue an API token, set up the demo accounts."""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import select

from portal import accounts, audit
from portal.security import hash_password
from portal.settings import PortalSettings
from portal.store.engine import Store
from portal.store.models import Account

DEMO_ACCOUNTS = (("demo_reviewer", "市八大行动协调办", "reviewer"), ("demo_zjj", "市住建局", "reporter"))


def _settings(home: Path) -> PortalSettings:
    return PortalSettings.from_env(home=home, inbox=home / "inbox")


def add_user(home: Path, username: str, unit: str, role: str, password: str) -> Account:
    settings = _settings(home)
    store = Store(settings.database_url)
    try:
        with store.session() as db:
            return accounts.create_account(db, settings, username, unit, role, password, actor="yuebao user add")
    finally:
        store.dispose()


class UnknownAccount(LookupError):
    pass


def create_token(home: Path, username: str) -> str:
    store = Store(_settings(home).database_url)
    try:
        with store.session() as db:
            account = db.scalar(select(Account).where(Account.username == username, Account.is_active.is_(True)))
            if account is None:
                raise UnknownAccount(username)
            return accounts.create_api_token(db, account, actor="yuebao token create")
    finally:
        store.dispose()


def demo_accounts(settings: PortalSettings, store: Store) -> list[tuple[str, str, str]]:
    """A demo reviewer and a 市住建局 reporter with fresh random passwords: (username, role, password)."""
    created = []
    with store.session() as db:
        for username, unit, role in DEMO_ACCOUNTS:
            password = secrets.token_urlsafe(12)
            account = db.scalar(select(Account).where(Account.username == username))
            if account is None:
                accounts.create_account(db, settings, username, unit, role, password, actor="yuebao portal --demo")
            else:
                account.password_hash = hash_password(password)
                account.is_active = True
                audit.record(db, "account_password_reset", "yuebao portal --demo", target=username)
            created.append((username, role, password))
    return created
