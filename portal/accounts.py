"""Accounts, login with throttling, web sessions and API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import audit
from portal.security import (
    check_password_strength,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)
from portal.settings import PortalSettings
from portal.store.models import Account, ApiToken, LoginAttempt, WebSession
from portal.units import OFFICE_ROLES, find_unit

ROLES = ("reporter", *OFFICE_ROLES)


class AccountError(ValueError):
    """An account cannot be created as asked; the message says why (in Chinese, for the page)."""


def create_account(db: Session, settings: PortalSettings, username: str, unit: str, role: str, password: str,
                   actor: str | None) -> Account:
    username = username.strip()
    if not username or len(username) > 64 or not username.replace("_", "").replace("-", "").replace(".", "").isalnum():
        raise AccountError("用户名只能包含字母、数字、下划线、点和连字符")
    if role not in ROLES:
        raise AccountError(f"角色须为 {'、'.join(ROLES)} 之一")
    if role == "reporter":
        found = find_unit(settings.catalog_dir, unit)
        if found is None:
            raise AccountError(f"“{unit}”不是目录中的部门、工作专班或县市区标准名称")
        unit = found.name
    elif not unit.strip():
        raise AccountError("请填写审核人或管理员所在单位")
    if reason := check_password_strength(password):
        raise AccountError(reason)
    if db.scalar(select(Account).where(Account.username == username)) is not None:
        raise AccountError(f"用户名 {username} 已存在")
    account = Account(username=username, unit=unit.strip(), role=role, password_hash=hash_password(password),
                      is_active=True, created_at=datetime.now(UTC))
    db.add(account)
    audit.record(db, "account_created", actor, target=username, detail=f"{role} · {unit}")
    return account


def reset_password(db: Session, account: Account, password: str, actor: str | None, ip: str | None = None) -> None:
    """A new password for ``account``; its open sessions end (the old password may be known)."""
    if reason := check_password_strength(password):
        raise AccountError(reason)
    account.password_hash = hash_password(password)
    db.query(WebSession).filter(WebSession.account_id == account.id).delete()
    audit.record(db, "account_password_reset", actor, ip=ip, target=account.username)


@dataclass(frozen=True)
class LoginOutcome:
    account: Account | None
    throttled: bool = False


def _recent_failures(db: Session, column: object, value: str, since: datetime) -> int:
    return db.scalar(select(func.count()).select_from(LoginAttempt).where(
        column == value, LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False))) or 0


def login(db: Session, settings: PortalSettings, username: str, password: str, ip: str) -> LoginOutcome:
    """Check a password, throttled per account and per IP; every attempt is counted and audited."""
    now = datetime.now(UTC)
    since = now - timedelta(seconds=settings.failure_window_seconds)
    # Attempts older than a day count for nothing (the audit log keeps every login for people).
    db.query(LoginAttempt).filter(LoginAttempt.at < now - timedelta(days=1)).delete()
    if (_recent_failures(db, LoginAttempt.username, username, since) >= settings.max_failures_per_account
            or _recent_failures(db, LoginAttempt.ip, ip, since) >= settings.max_failures_per_ip):
        db.add(LoginAttempt(username=username[:64], ip=ip, at=now, succeeded=False))
        audit.record(db, "login_throttled", username[:64], ip=ip)
        return LoginOutcome(None, throttled=True)
    account = db.scalar(select(Account).where(Account.username == username, Account.is_active.is_(True)))
    ok = verify_password(password, account.password_hash if account else None)
    db.add(LoginAttempt(username=username[:64], ip=ip, at=now, succeeded=ok))
    audit.record(db, "login" if ok else "login_failed", username[:64], ip=ip)
    return LoginOutcome(account if ok else None)


def open_session(db: Session, settings: PortalSettings, account: Account) -> str:
    """A new web session; returns the cookie value (only its digest is stored)."""
    token = new_token()
    now = datetime.now(UTC)
    db.add(WebSession(token_sha256=token_digest(token), account_id=account.id, csrf_token=new_token(),
                      created_at=now, expires_at=now + timedelta(hours=settings.session_hours)))
    return token


def session_for(db: Session, cookie: str | None) -> WebSession | None:
    if not cookie:
        return None
    found = db.scalar(select(WebSession).where(WebSession.token_sha256 == token_digest(cookie)))
    if found is None or found.expires_at <= datetime.now(UTC) or not found.account.is_active:
        return None
    return found


def close_session(db: Session, cookie: str | None) -> None:
    if found := session_for(db, cookie):
        db.delete(found)


def create_api_token(db: Session, account: Account, actor: str | None) -> str:
    """A new API token for ``account``; returned once, stored as its SHA-256."""
    token = new_token()
    db.add(ApiToken(token_sha256=token_digest(token), account_id=account.id, created_at=datetime.now(UTC)))
    audit.record(db, "token_created", actor, target=account.username)
    return token


def account_for_token(db: Session, token: str | None) -> Account | None:
    if not token:
        return None
    found = db.scalar(select(ApiToken).where(ApiToken.token_sha256 == token_digest(token),
                                             ApiToken.revoked_at.is_(None)))
    return found.account if found is not None and found.account.is_active else None
