"""Logging in and out, the landing redirect and the health check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from portal import accounts
from portal.deps import (
    SESSION_COOKIE,
    Db,
    PageCaller,
    Settings,
    client_ip,
    login_csrf,
    page_caller,
    session_csrf,
)
from portal.pages import home_path, login_page
from portal.schemas import Health

router = APIRouter()


@router.get("/api/v1/health", response_model=Health, tags=["public"])
def health() -> Health:
    return Health()


@router.get("/", tags=["public"])
def landing(request: Request, db: Db) -> Response:
    session = accounts.session_for(db, request.cookies.get(SESSION_COOKIE))
    return RedirectResponse(home_path(session.account.role) if session else "/login", status_code=303)


@router.get("/login", tags=["public"])
def login_form(request: Request) -> Response:
    return login_page(request)


@router.post("/login", dependencies=[Depends(login_csrf)], tags=["public"])
def login(request: Request, db: Db, settings: Settings, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=1024)]) -> Response:
    outcome = accounts.login(db, settings, username.strip(), password, client_ip(request))
    if outcome.account is None:
        db.commit()
        if outcome.throttled:
            return login_page(request, 429, "登录失败次数过多，账户已暂时锁定，请 15 分钟后再试。")
        return login_page(request, 401, "用户名或密码错误。")
    token = accounts.open_session(db, settings, outcome.account)
    db.commit()
    response = RedirectResponse(home_path(outcome.account.role), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=settings.secure_cookies,
                        max_age=settings.session_hours * 3600)
    return response


@router.post("/logout", dependencies=[Depends(session_csrf)])
def logout(request: Request, db: Db, caller: Annotated[PageCaller, Depends(page_caller)]) -> Response:
    accounts.close_session(db, request.cookies.get(SESSION_COOKIE))
    db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
