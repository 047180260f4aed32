"""The portal application: ``create_app(settings)`` wires the store, the routers and the templates."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from starlette.exceptions import HTTPException as StarletteHTTPException

from dataapi import DataApiSettings, make_router
from portal.deps import LoginRequired, data_reader
from portal.office import default_mailer
from portal.pages import login_page
from portal.routers import admin, auth, review, submissions
from portal.settings import PortalSettings
from portal.store.engine import Store

HERE = Path(__file__).resolve().parent
DQ_TEMPLATES = HERE.parent / "publication" / "dq" / "templates"
MAX_FILES_PER_FORM = 10  # files one upload form may carry; the body limit is this many times the file limit
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                               "script-src 'self'; frame-ancestors 'self'; form-action 'self'",
}


def make_templates() -> Jinja2Templates:
    # The data-quality reports' stylesheet is included from where it lives: one look for both.
    loader = ChoiceLoader([FileSystemLoader(HERE / "templates"), FileSystemLoader(DQ_TEMPLATES)])
    environment = Environment(loader=loader, autoescape=True)
    return Jinja2Templates(env=environment)


def create_app(settings: PortalSettings, store: Store | None = None) -> FastAPI:
    app = FastAPI(title="月报报送平台", version="1", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.store = store or Store(settings.database_url)
    app.state.templates = make_templates()
    app.state.mailer_factory = lambda month: default_mailer(settings, month)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in (auth.router, submissions.router, review.router, admin.router):
        app.include_router(router)
    # The analysts' data API (contract section 7) over this home's published warehouse; callers as the
    # portal knows them (deps.data_reader: token, session, or anonymous when the admin allows it).
    app.include_router(make_router(data_reader, settings=replace(DataApiSettings.from_env(), home=settings.home)))

    @app.middleware("http")
    async def body_limit(request: Request, call_next):  # type: ignore[no-untyped-def]
        """Refuse an oversized body before it is read (each file is also counted as it is stored)."""
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > settings.max_upload_bytes * MAX_FILES_PER_FORM + 1024 * 1024:
            return JSONResponse({"detail": f"请求超过 {settings.max_upload_bytes // (1024 * 1024)} MB 上限"},
                                status_code=413)
        return await call_next(request)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _error: LoginRequired) -> Response:
        return login_page(request, status_code=401, message="请先登录。")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=error.headers)
        return request.app.state.templates.TemplateResponse(
            request, "error.html", {"status": error.status_code, "detail": error.detail},
            status_code=error.status_code, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": jsonable_errors(error)}, status_code=422)
        return request.app.state.templates.TemplateResponse(
            request, "error.html", {"status": 422, "detail": "请求无效：" + "; ".join(
                str(item.get("msg", "")) for item in error.errors())}, status_code=422)

    return app


def jsonable_errors(error: RequestValidationError) -> list[dict[str, object]]:
    return [{"loc": list(item.get("loc", ())), "msg": str(item.get("msg", ""))} for item in error.errors()]
