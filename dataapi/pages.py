"""Indicator pages (Open SDG's idea, in the look of the data-quality reports): one HTML page per
indicator at ``/data/indicators/{code}`` and an index at ``/data/indicators``.

Each page shows the catalog definition, the home city's latest value, its series and the
counties' latest values as server-drawn SVG, the revision history, the owning department and
download links to ``/api/v1/data``. No JavaScript, nothing fetched when the page is viewed.
"""


from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

import publication
from dataapi.catalog import Catalog, Indicator, month_text
from dataapi.charts import bar_chart, series_chart
from dataapi.query import DataQuery, run_query
from dataapi.warehouse import Snapshot

TEMPLATES = Path(__file__).parent / "templates"
DQ_TEMPLATES = Path(publication.__file__).parent / "dq" / "templates"  # the shared stylesheet
BASIS_LABELS = {"ytd": "累计值（1月至当月）", "month": "当月值", "stock": "时点值", "rate": "比率"}
DIRECTION_LABELS = {"up": "越大越好", "down": "越小越好"}
SERIES_PERIODS = 24
DOWNLOAD_FORMATS = (("csv", "CSV"), ("xlsx", "Excel"), ("json", "JSON"), ("jsonstat", "JSON-stat"),
                    ("parquet", "Parquet"))


def environment() -> Environment:
    return Environment(loader=ChoiceLoader([FileSystemLoader(TEMPLATES), FileSystemLoader(DQ_TEMPLATES)]),
                       autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def indicator_page(snapshot: Snapshot, catalog: Catalog, indicator: Indicator, max_rows: int) -> dict[str, Any]:
    city = catalog.home_city
    city_rows = run_query(snapshot, catalog, DataQuery(indicators=[indicator.code], regions=[city] if city else [],
                                                       last=SERIES_PERIODS), max_rows).records() if city else []
    counties = sorted(catalog.counties_of(city)) if city else []
    county_rows = run_query(snapshot, catalog, DataQuery(indicators=[indicator.code], regions=counties, last=1),
                            max_rows).records() if counties else []
    county_period = max((row["period"] for row in county_rows), default=None)
    county_bars = sorted(((str(row["region_name"]), float(row["value"])) for row in county_rows
                          if row["period"] == county_period and row["value"] is not None),
                         key=lambda bar: -bar[1] if indicator.direction != "down" else bar[1])
    latest = city_rows[-1] if city_rows else None
    downloads = [(label, "/api/v1/data?" + urlencode({"indicator": indicator.code, "region": "city_and_counties",
                                                      "format": name, "provenance": "true"}))
                 for name, label in DOWNLOAD_FORMATS]
    return {
        "indicator": indicator, "basis_label": BASIS_LABELS.get(indicator.basis, indicator.basis),
        "direction_label": DIRECTION_LABELS.get(indicator.direction, indicator.direction),
        "city_name": catalog.regions[city].name if city in catalog.regions else "",
        "latest": latest, "latest_value": _number(latest["value"]) if latest else "—",
        "latest_yoy": _number(latest["yoy_pct"]) if latest else "—",
        "series_chart": series_chart([(str(row["period"]), float(row["value"])) for row in city_rows
                                      if row["value"] is not None], indicator.unit),
        "county_period": county_period, "county_chart": bar_chart(county_bars, indicator.unit),
        "revisions": revisions(snapshot, catalog, indicator.code),
        "downloads": downloads, "release": catalog.latest, "version": snapshot.version,
    }


def revisions(snapshot: Snapshot, catalog: Catalog, code: str, limit: int = 50) -> list[dict[str, object]]:
    months = [release.first_day for release in catalog.servable]
    if not snapshot.has("fct_revisions") or not months:
        return []
    names, rows = snapshot.fetch(
        f"select report_month, period, region_name, old_value, new_value, difference, old_source_file,"
        f" new_source_file, new_submitted_by from {snapshot.table('fct_revisions')} where indicator_code = ?"
        f" and report_month in ({', '.join('?' for _ in months)}) order by report_month desc, period desc,"
        f" region_name limit {int(limit)}", [code, *months])
    records = [dict(zip(names, row, strict=True)) for row in rows]
    for record in records:
        record["report_month"], record["period"] = month_text(record["report_month"]), month_text(record["period"])
        for key in ("old_value", "new_value", "difference"):
            record[key] = _number(record[key])
    return records


def add_pages(router: APIRouter, caller: Any, cached: Callable[..., Response]) -> None:
    templates = environment()

    @router.get("/data/indicators", response_class=HTMLResponse, tags=["pages"], summary="Indicator index")
    def index(request: Request, user: caller) -> Response:
        def build(snapshot: Snapshot, catalog: Catalog) -> Response:
            by_action: dict[str, list[Indicator]] = {}
            for item in sorted(catalog.indicators.values(), key=lambda entry: (entry.action_order, entry.code)):
                by_action.setdefault(item.action, []).append(item)
            html = templates.get_template("index.html.j2").render(
                by_action=by_action, release=catalog.latest, version=snapshot.version)
            return HTMLResponse(html)

        return cached(request, user, build)

    @router.get("/data/indicators/{code}", response_class=HTMLResponse, tags=["pages"], summary="One indicator's page")
    def page(code: str, request: Request, user: caller) -> Response:
        def build(snapshot: Snapshot, catalog: Catalog) -> Response:
            indicator = catalog.indicators.get(code)
            if indicator is None:
                raise HTTPException(404, f"unknown indicator: {code}")
            context = indicator_page(snapshot, catalog, indicator, 100_000)
            return HTMLResponse(templates.get_template("indicator.html.j2").render(**context))

        return cached(request, user, build)
