"""FastAPI dependencies: the store session, the caller (Bearer token for the API, session cookie for
pages), roles, the caller's submissions, CSRF. Every route's authorisation is one of these.

No ``from __future__ import annotations`` here: the closures' ``Depends(source)`` annotations must
be evaluated where ``source`` is in scope, or FastAPI would read them as query parameters.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Path, Request
from pydantic import AfterValidator
from sqlalchemy.orm import Session

from ingestion.report_month import ReportMonth
from portal import accounts
from portal.security import same_secret
from portal.settings import PortalSettings
from portal.store.models import Account, Submission, WebSession

SESSION_COOKIE = "yb_session"
LOGIN_CSRF_COOKIE = "yb_login_csrf"

def _report_month(text: str) -> str:
    return str(ReportMonth.parse(text))  # InvalidMonth is a ValueError: a 422 like any bad parameter


Month = Annotated[str, Path(description="report month, YYYY-MM"), AfterValidator(_report_month)]


class LoginRequired(Exception):
    """An anonymous caller asked for a page: answered 401 with the login form."""


def get_settings(request: Request) -> PortalSettings:
    return request.app.state.settings


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.store.sessions() as session:
        yield session


Db = Annotated[Session, Depends(get_db)]
Settings = Annotated[PortalSettings, Depends(get_settings)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# The JSON API: Bearer tokens only (no cookies, so no CSRF) ----------------------------------------

def api_caller(request: Request, db: Db) -> Account:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    account = accounts.account_for_token(db, token.strip()) if scheme.lower() == "bearer" else None
    if account is None:
        raise HTTPException(401, "需要有效的 API 令牌（Authorization: Bearer …）",
                            headers={"WWW-Authenticate": "Bearer"})
    return account


# Pages: the session cookie ------------------------------------------------------------------------

@dataclass(frozen=True)
class PageCaller:
    account: Account
    session: WebSession


def page_caller(request: Request, db: Db) -> PageCaller:
    session = accounts.session_for(db, request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise LoginRequired()
    request.state.csrf_token = session.csrf_token
    return PageCaller(session.account, session)


def page_account(caller: Annotated[PageCaller, Depends(page_caller)]) -> Account:
    return caller.account


def data_reader(request: Request, db: Db) -> Account | None:
    """The data API's caller (contract section 7): a token's or a session's account; ``None`` for an
    anonymous caller when the admin allows anonymous data access; 401 otherwise. The data API only
    reads, so a session cookie needs no CSRF token here."""
    from portal.office import anonymous_data_access

    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return api_caller(request, db)
    session = accounts.session_for(db, request.cookies.get(SESSION_COOKIE))
    if session is not None:
        return session.account
    if anonymous_data_access(db):
        return None
    raise HTTPException(401, "需要登录或 API 令牌（Authorization: Bearer …）", headers={"WWW-Authenticate": "Bearer"})


def _role_check(source: Callable[..., Account], roles: tuple[str, ...]) -> Callable[..., Account]:
    def check(account: Annotated[Account, Depends(source)]) -> Account:
        if account.role not in roles:
            raise HTTPException(403, "无权访问：此功能不属于您的角色")
        return account

    return check


api_reporter = _role_check(api_caller, ("reporter",))
api_reviewer = _role_check(api_caller, ("reviewer",))
page_reporter = _role_check(page_account, ("reporter",))
page_office = _role_check(page_account, ("reviewer", "admin"))
page_reviewer = _role_check(page_account, ("reviewer",))
page_admin = _role_check(page_account, ("admin",))


def _visible_submission(source: Callable[..., Account]) -> Callable[..., Submission]:
    def load(submission_id: int, account: Annotated[Account, Depends(source)], db: Db) -> Submission:
        """The submission when the caller may see it; 404 alike for missing and another unit's."""
        submission = db.get(Submission, submission_id)
        if submission is None or (account.role == "reporter" and submission.unit != account.unit):
            raise HTTPException(404, "没有这份报送")
        return submission

    return load


api_submission = _visible_submission(api_caller)
page_submission = _visible_submission(page_account)


def visible_units(account: Annotated[Account, Depends(api_caller)]) -> str | None:
    """The unit whose submissions the caller may list (None: every unit, for the office)."""
    return account.unit if account.role == "reporter" else None


def _reviewed_submission(source: Callable[..., Account]) -> Callable[..., Submission]:
    def load(submission_id: int, account: Annotated[Account, Depends(source)], db: Db) -> Submission:
        """Any submission, for the office (``source`` has already refused every other role)."""
        submission = db.get(Submission, submission_id)
        if submission is None:
            raise HTTPException(404, "没有这份报送")
        return submission

    return load


api_reviewed_submission = _reviewed_submission(api_reviewer)
page_reviewed_submission = _reviewed_submission(page_reviewer)


# CSRF: a synchronizer token per session; a double-submit cookie for the login form ----------------

def session_csrf(caller: Annotated[PageCaller, Depends(page_caller)], csrf_token: Annotated[str, Form()] = "") -> None:
    """Every signed-in form carries the session's token (anonymous callers get 401 first)."""
    if not same_secret(csrf_token, caller.session.csrf_token):
        raise HTTPException(403, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试")


def login_csrf(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
    """The login form's token must equal its cookie (set when the form was served)."""
    if not same_secret(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE)):
        raise HTTPException(403, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试")
