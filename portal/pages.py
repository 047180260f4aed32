"""Helpers shared by the page routers: rendering with the caller and CSRF token, the current month."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from ingestion.report_month import ReportMonth
from portal.deps import LOGIN_CSRF_COOKIE
from portal.security import new_token
from portal.settings import PortalSettings

ROLE_LABELS = {"reporter": "报送单位", "reviewer": "审核", "admin": "管理员"}


def current_month() -> str:
    """The report month being collected now (the month before today's, Beijing time)."""
    return str(ReportMonth.before(datetime.now(UTC)))


def home_path(role: str) -> str:
    if role == "reporter":
        return f"/months/{current_month()}"
    return "/admin" if role == "admin" else f"/review/{current_month()}"


def neighbours(month: str) -> tuple[str, str]:
    """The report months before and after ``month``."""
    parsed = ReportMonth.parse(month)
    return str(parsed.previous()), str(parsed.next())


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """A page with the signed-in account and the session's CSRF token in its context."""
    context = {"csrf_token": getattr(request.state, "csrf_token", ""), "role_labels": ROLE_LABELS,
               "current_month": current_month()} | context
    if "month" in context:
        context["previous_month"], context["next_month"] = neighbours(context["month"])
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)


def login_page(request: Request, status_code: int = 200, message: str = "") -> HTMLResponse:
    """The login form with a double-submit CSRF cookie (no session exists yet to hold a token)."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_token()
    response = request.app.state.templates.TemplateResponse(
        request, "login.html", {"csrf_token": token, "message": message}, status_code=status_code)
    settings: PortalSettings = request.app.state.settings
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=settings.secure_cookies)
    return response
