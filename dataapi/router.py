"""The data API's routes: ``GET /api/v1/data``, the metadata under ``/api/v1/meta/``, the indicator pages.

``make_router(reader)`` is what the portal mounts. ``reader`` is the portal's dependency for the
caller: it returns the user (or ``None`` for an anonymous caller when the admin opened published
data to the public) and raises 401 otherwise. Every route depends on it, then on the rate limit.
"""


import dataclasses
import datetime
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from dataapi import metadata
from dataapi.catalog import Catalog, CatalogCache, UnknownValue
from dataapi.formats import FORMATS, TooLargeForSpreadsheet, csv_response
from dataapi.pages import add_pages
from dataapi.query import LABELS, MEASURES, DataQuery, NotPublished, QueryTooLarge, export_csv, run_query
from dataapi.ratelimit import TokenBuckets
from dataapi.responses import Kept, ResponseCache
from dataapi.settings import DataApiSettings
from dataapi.warehouse import (
    DuckDBWarehouse,
    PostgresWarehouse,
    Snapshot,
    WarehouseUnavailable,
    open_warehouse,
)
from ingestion.report_month import InvalidMonth, ReportMonth

MAX_LAST = 1200


@dataclass
class DataService:
    """What the routes share: the warehouse, the catalogs of its versions, settings, rate limits."""

    warehouse: DuckDBWarehouse | PostgresWarehouse
    settings: DataApiSettings
    catalogs: CatalogCache
    limiter: TokenBuckets
    responses: ResponseCache | None

    @contextmanager
    def read(self) -> Iterator[tuple[Snapshot, Catalog]]:
        try:
            with self.warehouse.snapshot() as snapshot:
                yield snapshot, self.catalogs.get(snapshot)
        except WarehouseUnavailable as unavailable:
            raise HTTPException(503, str(unavailable), headers={"Retry-After": "5"}) from unavailable

    def current_version(self) -> str | None:
        try:
            return self.warehouse.version()
        except WarehouseUnavailable:
            return None


def _caller_key(request: Request, user: object) -> str:
    if user is not None:
        for attribute in ("username", "id", "name"):
            if (value := getattr(user, attribute, None)) is not None:
                return f"user:{value}"
        if isinstance(user, dict) and user.get("username"):
            return f"user:{user['username']}"
        return f"user:{user!r}"
    return f"ip:{request.client.host if request.client else 'unknown'}"


def _etag(version: str, request: Request) -> str:
    query = "&".join(sorted(f"{key}={value}" for key, value in request.query_params.multi_items()))
    digest = hashlib.sha256(f"{version}|{request.url.path}|{query}".encode()).hexdigest()[:20]
    return f'W/"{digest}"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags or etag.removeprefix("W/") in tags


def _split(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def _month(name: str, raw: str | None) -> str | None:
    if raw is None or raw == "":
        return None
    try:
        return str(ReportMonth.parse(raw))
    except InvalidMonth:
        raise HTTPException(422, f"{name}: expected a month as YYYY-MM, got {raw!r}") from None


def _timestamp(raw: str | None) -> datetime.datetime | None:
    if not raw:
        return None
    try:
        moment = datetime.datetime.fromisoformat(raw.replace(" ", "+").replace("Z", "+00:00"))
    except ValueError:
        raise HTTPException(422, f"updated_after: expected an ISO 8601 timestamp such as 2024-11-05T08:00:00Z,"
                                 f" got {raw!r}") from None
    return moment.replace(tzinfo=datetime.UTC) if moment.tzinfo is None else moment.astimezone(datetime.UTC)


def _choice(name: str, raw: str, allowed: tuple[str, ...]) -> str:
    if raw not in allowed:
        raise HTTPException(422, f"{name}: expected one of {', '.join(allowed)}, got {raw!r}")
    return raw


def _flag(name: str, raw: str | None) -> bool:
    if raw is None or raw == "":
        return False
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise HTTPException(422, f"{name}: expected true or false, got {raw!r}")


def make_router(reader: Callable[..., object], *, warehouse: DuckDBWarehouse | PostgresWarehouse | None = None,
                settings: DataApiSettings | None = None) -> APIRouter:
    """The data API and the indicator pages over the published warehouse.

    ``warehouse`` defaults to the one ``settings`` (default: from the environment) names.
    """
    settings = settings or DataApiSettings.from_env()
    service = DataService(
        warehouse=warehouse or open_warehouse(settings.home, settings.target), settings=settings,
        catalogs=CatalogCache(settings.home_city), limiter=TokenBuckets(settings.rate_per_second, settings.rate_burst),
        responses=ResponseCache(settings.response_cache_mb * 2**20) if settings.response_cache_mb > 0 else None)

    def caller(request: Request, user: Annotated[object, Depends(reader)]) -> object:
        """The portal's caller, within the rate limit."""
        wait = service.limiter.take(_caller_key(request, user))
        if wait:
            raise HTTPException(429, f"too many requests: retry in {wait:.0f} s",
                                headers={"Retry-After": f"{wait:.0f}"})
        return user

    Caller = Annotated[object, Depends(caller)]
    router = APIRouter()

    def cached(request: Request, user: object, build: Callable[[Snapshot, Catalog], Response]) -> Response:
        """Answer 304 when the client has this version; else build the response on one snapshot."""
        cache_control = (f"{'private' if user is not None else 'public'}, max-age={settings.max_age_seconds},"
                         " must-revalidate")
        asked = request.headers.get("if-none-match")
        version = service.current_version() if asked or service.responses else None
        if version is not None and _matches(asked, _etag(version, request)):
            return Response(status_code=304, headers={"ETag": _etag(version, request), "Cache-Control": cache_control})
        kept = service.responses.get(_etag(version, request)) if version and service.responses else None
        if kept is None:
            with service.read() as (snapshot, catalog):
                response = build(snapshot, catalog)
                etag = _etag(snapshot.version, request)
            kept = Kept(bytes(response.body), response.media_type or "", {
                key: value for key, value in response.headers.items()
                if key.lower() not in ("content-length", "content-type")}, response.status_code)
            if service.responses:
                service.responses.put(etag, kept)
        else:
            etag = _etag(str(version), request)
        return Response(kept.body, status_code=kept.status_code, media_type=kept.media_type, headers=kept.headers | {
            "ETag": etag, "Cache-Control": cache_control, "Vary": "Authorization, Cookie"})

    @router.get("/api/v1/data", tags=["data"], summary="Published indicator values")
    def data(
        request: Request,
        user: Caller,
        indicator: Annotated[str | None, Query(description="codes or names, comma-separated; * is a wildcard")] = None,
        region: Annotated[str | None, Query(description="codes, names, county, prefecture, province, city,"
                                                        " city_and_counties")] = None,
        action: Annotated[str | None, Query(description="action names (or their order 1-8)")] = None,
        department: Annotated[str | None, Query(description="owning department (name, code or alias)")] = None,
        from_: Annotated[str | None, Query(alias="from", description="first period, YYYY-MM")] = None,
        to: Annotated[str | None, Query(description="last period, YYYY-MM")] = None,
        last: Annotated[int | None, Query(ge=1, le=MAX_LAST, description="N most recent periods per series")] = None,
        common: Annotated[str | None, Query(description="true: only periods every selected series has")] = None,
        measure: Annotated[str, Query(description="value, or value_month (the month's own part)")] = "value",
        as_of: Annotated[str | None, Query(description="as published in report month YYYY-MM")] = None,
        updated_after: Annotated[str | None, Query(description="ISO timestamp: only facts published after it")] = None,
        format: Annotated[str, Query(description="csv, json, xlsx, parquet, jsonstat")] = "csv",
        labels: Annotated[str, Query(description="both, code or name")] = "both",
        provenance: Annotated[str | None, Query(description="true: add department and source columns")] = None,
        bom: Annotated[str | None, Query(description="true: CSV starts with a UTF-8 BOM (for Excel)")] = None,
    ) -> Response:
        query = DataQuery(
            indicators=_split(indicator), regions=_split(region), actions=_split(action),
            departments=_split(department), start=_month("from", from_), end=_month("to", to), last=last,
            common=_flag("common", common), measure=_choice("measure", measure, MEASURES),
            as_of=_month("as_of", as_of), updated_after=_timestamp(updated_after),
            provenance=_flag("provenance", provenance), labels=_choice("labels", labels, LABELS))
        chosen = _choice("format", format, ("csv", *FORMATS))
        with_bom = _flag("bom", bom)
        if query.start and query.end and query.start > query.end:
            raise HTTPException(422, f"from ({query.start}) is after to ({query.end})")
        if chosen == "jsonstat":
            query = dataclasses.replace(query, labels="both")

        def build(snapshot: Snapshot, catalog: Catalog) -> Response:
            try:
                if chosen == "csv":
                    body, release = export_csv(snapshot, catalog, query, settings.max_rows)
                    rendered = csv_response(body, bom=with_bom)
                else:
                    table = run_query(snapshot, catalog, query, settings.max_rows)
                    rendered, release = FORMATS[chosen](table), table.release
            except UnknownValue as unknown:
                raise HTTPException(404, str(unknown)) from unknown
            except NotPublished as missing:
                raise HTTPException(404, str(missing)) from missing
            except (QueryTooLarge, TooLargeForSpreadsheet) as large:
                raise HTTPException(422, str(large)) from large
            headers = {"X-Yuebao-Release": release.report_month if release else ""}
            if rendered.filename:
                headers["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
            return Response(rendered.body, media_type=rendered.media_type, headers=headers)

        return cached(request, user, build)

    def meta(path: str, summary: str, rows: Callable[[Snapshot, Catalog], list[dict[str, object]]]) -> None:
        def endpoint(request: Request, user: Caller) -> Response:
            def build(snapshot: Snapshot, catalog: Catalog) -> Response:
                body = {"version": snapshot.version, "data": rows(snapshot, catalog)}
                return Response(json.dumps(body, ensure_ascii=False, default=str).encode("utf-8"),
                                media_type="application/json")

            return cached(request, user, build)

        router.add_api_route(f"/api/v1/meta/{path}", endpoint, methods=["GET"], tags=["metadata"], summary=summary)

    meta("indicators", "The indicator catalog, with the periods each has", metadata.indicators)
    meta("regions", "Regions, their level and hierarchy", metadata.regions)
    meta("actions", "The eight actions", metadata.actions)
    meta("departments", "Departments that own indicators", metadata.departments)
    meta("periods", "Reference periods with published values", metadata.periods)
    meta("releases", "Published report months: when, approved by whom, revisions", metadata.releases)

    add_pages(router, Caller, cached)
    return router

