"""``GET /api/v1/data`` as a query on one snapshot: parameters in, a ``Table`` of rows out.

The column names and their order are part of the API (``COLUMNS``, pinned by a test): new
columns may only be added at the end, and only under a new request flag.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from dataapi.catalog import Catalog, Release, month_start, month_text
from dataapi.warehouse import Snapshot

# name, description — the documented schema of a data row (docs/analysts.md).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("period", "reference month, YYYY-MM (1-9月 → 2024-09)"),
    ("region_code", "GB/T 2260 code"),
    ("region_name", "standard name"),
    ("indicator_code", "catalog code"),
    ("indicator_name", "standard name"),
    ("unit", "the indicator's canonical unit"),
    ("basis", "ytd, month, stock or rate (of the indicator)"),
    ("measure", "value (as the basis says) or value_month (the month's own part of a ytd value)"),
    ("value", "the figure, in unit"),
    ("yoy_pct", "year-on-year growth in % (NULL for measure=value_month of a ytd indicator)"),
)
PROVENANCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("department", "department that owns the indicator"),
    ("submitted_by", "department that sent the file"),
    ("report_month", "report month of that file, YYYY-MM"),
    ("source_file", "original file name"),
    ("source_sheet", "sheet (empty for CSV)"),
    ("source_row", "row in the file, as a spreadsheet shows it"),
)
CODE_COLUMNS = {"region_code", "indicator_code"}
NAME_COLUMNS = {"region_name", "indicator_name"}
MEASURES = ("value", "value_month")
LABELS = ("both", "code", "name")

_FACT_COLUMNS = ("period, region_code, region_name, indicator_code, indicator_name, unit, basis, value, value_month,"
                 " yoy_pct, department, submitted_by, source_report_month, source_file, source_sheet, source_row")


class QueryTooLarge(ValueError):
    """More rows than a response may carry (HTTP 422)."""


@dataclass(frozen=True)
class DataQuery:
    indicators: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    start: str | None = None  # YYYY-MM
    end: str | None = None
    last: int | None = None
    common: bool = False
    measure: str = "value"
    as_of: str | None = None
    updated_after: datetime.datetime | None = None  # aware, UTC
    provenance: bool = False
    labels: str = "both"

    def columns(self) -> list[str]:
        names = [name for name, _ in COLUMNS]
        if self.provenance:
            names += [name for name, _ in PROVENANCE_COLUMNS]
        if self.labels == "code":
            names = [name for name in names if name not in NAME_COLUMNS]
        elif self.labels == "name":
            names = [name for name in names if name not in CODE_COLUMNS]
        return names


@dataclass(frozen=True)
class Table:
    """Rows of a data response, in ``columns`` order, plus what version and release they are from."""

    columns: list[str]
    rows: list[tuple]
    version: str
    release: Release | None
    units: dict[str, str] = field(default_factory=dict)

    def records(self) -> list[dict[str, object]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class NotPublished(LookupError):
    """``as_of`` names a month before anything was published, or one not yet published (HTTP 404)."""


def _in_list(column: str, values: set[str], params: list[object]) -> str:
    params.extend(sorted(values))
    return f"{column} in ({', '.join('?' for _ in values)})"


def _release_for(query: DataQuery, catalog: Catalog) -> Release | None:
    latest = catalog.latest
    if latest is None:
        raise NotPublished("nothing is published yet")
    if query.as_of is None:
        return latest
    if query.as_of > latest.report_month:
        raise NotPublished(f"as_of={query.as_of}: not published (latest published: {latest.report_month})")
    release = catalog.release_as_of(query.as_of)
    if release is None:
        raise NotPublished(f"as_of={query.as_of}: nothing was published by then "
                           f"(first: {catalog.servable[0].report_month})")
    return release


def run_query(snapshot: Snapshot, catalog: Catalog, query: DataQuery, max_rows: int) -> Table:
    release = _release_for(query, catalog)
    indicator_codes = catalog.indicator_codes(query.indicators, query.actions, query.departments)
    region_codes = catalog.region_codes(query.regions)
    columns = query.columns()
    if indicator_codes == set() or region_codes == set():
        return Table(columns, [], snapshot.version, release)
    changed_in: list[Release] = []
    if query.updated_after is not None:
        changed_in = [item for item in catalog.servable if item.report_month <= release.report_month
                      and _published_at(item) is not None and _published_at(item) > query.updated_after]
        if not changed_in:
            return Table(columns, [], snapshot.version, release)

    params: list[object] = []
    filters = ["1 = 1"]
    if indicator_codes is not None:
        filters.append(_in_list("indicator_code", indicator_codes, params))
    if region_codes is not None:
        filters.append(_in_list("region_code", region_codes, params))
    if query.start:
        filters.append("period >= ?")
        params.append(month_start(query.start))
    if query.end:
        filters.append("period <= ?")
        params.append(month_start(query.end))
    if query.measure == "value_month":
        filters.append("basis in ('ytd', 'month')")
    published = snapshot.table("fct_indicator_as_published")
    if changed_in:
        months = ", ".join("?" for _ in changed_in)
        filters.append(f"exists (select 1 from {published} as changed where changed.indicator_code = facts.indicator_code"
                       " and changed.region_code = facts.region_code and changed.period = facts.period"
                       f" and changed.report_month in ({months}))")
        params.extend(item.first_day for item in changed_in)
    where = " and ".join(filters)

    if query.as_of is None and catalog.serves_everything:
        source = f"select {_FACT_COLUMNS} from {snapshot.table('fct_indicator_monthly')} as facts where {where}"
        source_params = params
    else:  # as published in the release: each key's row with the greatest report_month <= it
        source = (f"select {_FACT_COLUMNS} from (select facts.*, row_number() over (partition by indicator_code,"
                  f" region_code, period order by report_month desc) as recency from {published} as facts"
                  f" where facts.report_month <= ? and {where}) as as_published where recency = 1")
        source_params = [release.first_day, *params]

    steps = [f"selected as ({source})"]
    last_source = "selected"
    if query.common:
        steps.append("series as (select count(*) as series_count from"
                     " (select distinct indicator_code, region_code from selected) as distinct_series)")
        steps.append("common_periods as (select period from selected group by period"
                     " having count(*) = (select series_count from series))")
        steps.append("in_common as (select * from selected where period in (select period from common_periods))")
        last_source = "in_common"
    final_filter = ""
    tail_params: list[object] = []
    if query.last is not None:
        steps.append(f"ranked as (select {last_source}.*, row_number() over (partition by indicator_code, region_code"
                     f" order by period desc) as recency_rank from {last_source})")
        last_source = "ranked"
        final_filter = " where recency_rank <= ?"
        tail_params.append(query.last)
    sql = (f"with {', '.join(steps)} select {_FACT_COLUMNS} from {last_source}{final_filter}"
           f" order by indicator_code, region_code, period limit {int(max_rows) + 1}")
    _, rows = snapshot.fetch(sql, [*source_params, *tail_params])
    if len(rows) > max_rows:
        raise QueryTooLarge(f"more than {max_rows} rows: narrow the query (indicator, region, from/to or last)")
    return Table(columns, [_shape(row, query, columns) for row in rows], snapshot.version, release,
                 units={code: catalog.indicators[code].unit for code in {row[3] for row in rows}
                        if code in catalog.indicators})


def _published_at(release: Release) -> datetime.datetime | None:
    return release.published_at


def _shape(row: tuple, query: DataQuery, columns: list[str]) -> tuple:
    (period, region_code, region_name, indicator_code, indicator_name, unit, basis, value, value_month, yoy_pct,
     department, submitted_by, source_report_month, source_file, source_sheet, source_row) = row
    if query.measure == "value_month":
        value = value_month
        if basis == "ytd":
            yoy_pct = None  # the growth of the year to date, not of the month
    full = {
        "period": month_text(period), "region_code": region_code, "region_name": region_name,
        "indicator_code": indicator_code, "indicator_name": indicator_name, "unit": unit, "basis": basis,
        "measure": query.measure, "value": _number(value), "yoy_pct": _number(yoy_pct),
        "department": department, "submitted_by": submitted_by, "report_month": month_text(source_report_month),
        "source_file": source_file, "source_sheet": source_sheet,
        "source_row": int(source_row) if source_row is not None else None,
    }
    return tuple(full[name] for name in columns)


def _number(value: object) -> float | None:
    return None if value is None else float(value)
