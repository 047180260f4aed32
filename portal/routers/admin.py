"""The administrator: accounts, the units they belong to, the due day, the distribution lines."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from portal import audit, office
from portal.accounts import ROLES, AccountError, create_account, reset_password
from portal.deps import Db, Settings, client_ip, page_admin, session_csrf
from portal.pages import render
from portal.settings import PortalSettings
from portal.store.models import Account, AuditEvent
from portal.units import reporting_units
from yuebao.home import DISTRIBUTION_FILE

router = APIRouter()


def distribution_path(settings: PortalSettings) -> Path:
    """``<home>/distribution.txt``: the bulletin's 报/送 lines, one a line, as the admin set them."""
    return settings.home / DISTRIBUTION_FILE


def _admin_page(request: Request, db: Db, settings: Settings, account: Account, message: str = "",
                status_code: int = 200) -> Response:
    path = distribution_path(settings)
    return render(request, "admin.html", {
        "account": account, "accounts": list(db.scalars(select(Account).order_by(Account.role, Account.username))),
        "units": reporting_units(settings.catalog_dir), "roles": ROLES, "reminder_day": office.reminder_day(db, settings.deployment.reminder_day),
        "anonymous_data": office.anonymous_data_access(db),
        "distribution": path.read_text(encoding="utf-8") if path.is_file() else "",
        "events": list(db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(50))),
        "message": message}, status_code=status_code)


@router.get("/admin")
def admin_page(request: Request, db: Db, settings: Settings,
               account: Annotated[Account, Depends(page_admin)]) -> Response:
    return _admin_page(request, db, settings, account)


@router.post("/admin/accounts", dependencies=[Depends(session_csrf)])
def add_account(request: Request, db: Db, settings: Settings, account: Annotated[Account, Depends(page_admin)],
                username: Annotated[str, Form(max_length=64)], unit: Annotated[str, Form(max_length=128)],
                role: Annotated[str, Form(max_length=16)], password: Annotated[str, Form(max_length=1024)]) -> Response:
    try:
        create_account(db, settings, username, unit, role, password, account.username)
    except AccountError as error:
        db.rollback()
        return _admin_page(request, db, settings, account, str(error), 422)
    db.commit()
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/accounts/{account_id}/active", dependencies=[Depends(session_csrf)])
def set_active(account_id: int, request: Request, db: Db, account: Annotated[Account, Depends(page_admin)],
               active: Annotated[bool, Form()]) -> Response:
    target = db.get(Account, account_id)
    if target is None:
        raise HTTPException(404, "没有这个账户")
    target.is_active = active
    audit.record(db, "account_enabled" if active else "account_disabled", account.username, ip=client_ip(request),
                 target=target.username)
    db.commit()
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/accounts/{account_id}/password", dependencies=[Depends(session_csrf)])
def set_password(account_id: int, request: Request, db: Db, settings: Settings,
                 account: Annotated[Account, Depends(page_admin)],
                 password: Annotated[str, Form(max_length=1024)]) -> Response:
    target = db.get(Account, account_id)
    if target is None:
        raise HTTPException(404, "没有这个账户")
    try:
        reset_password(db, target, password, account.username, client_ip(request))
    except AccountError as error:
        db.rollback()
        return _admin_page(request, db, settings, account, str(error), 422)
    db.commit()
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/settings", dependencies=[Depends(session_csrf)])
def save_settings(request: Request, db: Db, account: Annotated[Account, Depends(page_admin)],
                  reminder_day: Annotated[int, Form(ge=1, le=28)],
                  anonymous_data: Annotated[bool, Form()] = False) -> Response:
    office.set_setting(db, "reminder_day", str(reminder_day))
    office.set_setting(db, "anonymous_data_access", "true" if anonymous_data else "false")
    audit.record(db, "setting_changed", account.username, ip=client_ip(request), target="settings",
                 detail=f"reminder_day={reminder_day} anonymous_data_access={anonymous_data}")
    db.commit()
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/distribution", dependencies=[Depends(session_csrf)])
def save_distribution(request: Request, db: Db, settings: Settings, account: Annotated[Account, Depends(page_admin)],
                      lines: Annotated[str, Form(max_length=4000)]) -> Response:
    text = "\n".join(line.strip() for line in lines.splitlines() if line.strip()) + "\n"
    path = distribution_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".distribution-", suffix=".part")
    with os.fdopen(handle, "w", encoding="utf-8") as target:
        target.write(text)
    os.replace(temporary, path)
    audit.record(db, "setting_changed", account.username, ip=client_ip(request), target="distribution",
                 detail=text[:500])
    db.commit()
    return RedirectResponse("/admin", status_code=303)
