"""``GET /api/v1/data`` as a query on one snapshot: parameters in, a ``Table`` of rows out.

The column names and their order are part of the API (``COLUMNS``, pinned by a test): new
columns may only be added at the end, and only under a new request flag.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from dataapi.catalog import Catalog, Release, month_start
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


@dataclass(frozen=True)
class Plan:
    """The SQL of one data query on one snapshot (``sql`` None: the answer is empty)."""

    sql: str | None
    params: list[object]
    columns: list[str]
    release: Release | None
    indicator_codes: set[str] | None


def plan_query(snapshot: Snapshot, catalog: Catalog, query: DataQuery, max_rows: int,
               text_guard: bool = False) -> Plan:
    """Resolve the filters against the catalog and write the query; rows come out in their final
    shape (``query.columns()``), so formats need no per-row work. ``text_guard`` prefixes text
    that a spreadsheet would run as a formula with ``'`` (for CSV)."""
    release = _release_for(query, catalog)
    indicator_codes = catalog.indicator_codes(query.indicators, query.actions, query.departments)
    region_codes = catalog.region_codes(query.regions)
    columns = query.columns()
    empty = Plan(None, [], columns, release, indicator_codes)
    if indicator_codes == set() or region_codes == set():
        return empty
    changed_in: list[Release] = []
    if query.updated_after is not None:
        changed_in = [item for item in catalog.servable if item.report_month <= release.report_month
                      and item.published_at is not None and item.published_at > query.updated_after]
        if not changed_in:
            return empty

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
    outputs = _output_expressions(snapshot, query, text_guard)
    select = ", ".join(f"{outputs[name]} as {name}" for name in columns)
    sql = (f"with {', '.join(steps)} select {select} from {last_source}{final_filter}"
           f" order by indicator_code, region_code, period limit {int(max_rows) + 1}")
    return Plan(sql, [*source_params, *tail_params], columns, release, indicator_codes)


FORMULA_TEST = "left({column}, 1) in ('=', '+', '-', '@', chr(9), chr(13))"


def _output_expressions(snapshot: Snapshot, query: DataQuery, text_guard: bool) -> dict[str, str]:
    def text(column: str) -> str:
        if not text_guard:
            return column
        return f"case when {FORMULA_TEST.format(column=column)} then chr(39) || {column} else {column} end"

    month_part = query.measure == "value_month"
    expressions = {name: text(name) for name in ("region_code", "region_name", "indicator_code", "indicator_name",
                                                 "unit", "basis", "department", "submitted_by", "source_file",
                                                 "source_sheet")}
    return expressions | {
        "period": snapshot.month("period"),
        "measure": "'value_month'" if month_part else "'value'",
        "value": f"cast({'value_month' if month_part else 'value'} as double precision)",
        "yoy_pct": ("cast(case when basis = 'ytd' then null else yoy_pct end as double precision)" if month_part
                    else "cast(yoy_pct as double precision)"),
        "report_month": snapshot.month("source_report_month"),
        "source_row": "cast(source_row as integer)",
    }


def _units(catalog: Catalog, codes: set[str] | None) -> dict[str, str]:
    chosen = catalog.indicators if codes is None else {code: catalog.indicators[code] for code in codes}
    return {code: item.unit for code, item in chosen.items()}


def _too_large(max_rows: int) -> QueryTooLarge:
    return QueryTooLarge(f"more than {max_rows} rows: narrow the query (indicator, region, from/to or last)")


def run_query(snapshot: Snapshot, catalog: Catalog, query: DataQuery, max_rows: int) -> Table:
    plan = plan_query(snapshot, catalog, query, max_rows)
    if plan.sql is None:
        return Table(plan.columns, [], snapshot.version, plan.release)
    _, rows = snapshot.fetch(plan.sql, plan.params)
    if len(rows) > max_rows:
        raise _too_large(max_rows)
    return Table(plan.columns, rows, snapshot.version, plan.release, units=_units(catalog, plan.indicator_codes))


def export_csv(snapshot: Snapshot, catalog: Catalog, query: DataQuery, max_rows: int) -> tuple[bytes, Release | None]:
    """The query as CSV written by the database itself (UTF-8, a header, empty for NULL, quotes only
    where needed, formula-like text prefixed with ``'``): a 100k-row export without Python per row."""
    plan = plan_query(snapshot, catalog, query, max_rows, text_guard=True)
    if plan.sql is None:
        return (",".join(plan.columns) + "\n").encode("utf-8"), plan.release
    body = snapshot.csv(plan.sql, plan.params)
    if body.count(b"\n") - 1 > max_rows:
        raise _too_large(max_rows)
    return body, plan.release
