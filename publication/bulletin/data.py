"""Everything the bulletin reads from the warehouse, as published in report month M.

The one place that knows table and column names. The model layer's `rpt_indicator_report_month`
(latest period per indicator × region as published in M) and `fct_revisions` are used when they
exist; otherwise the same views are computed here from `fct_observation_vintages`, so a bulletin
rebuilt after later months revised its figures still shows what was published in M.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

import duckdb
import pandas as pd

# In force as of M: for each indicator × region × period since $earliest, the latest vintage
# received by M, with the fact table's derived measures recomputed on those vintages (same formulas).
AS_OF_VIEW = """
with vintages as (
    select
        *,
        row_number() over (
            partition by indicator_code, region_code, period
            order by report_month desc, received_at desc, source_file desc, source_row desc
        ) as as_of_rank
    from fct_observation_vintages
    where report_month <= $month and is_current_file and region_code in (select unnest($regions))
        and period >= $earliest
),

in_force as (
    select vintages.*, indicators.basis, regions.region_level
    from vintages
    inner join dim_indicator as indicators on vintages.indicator_code = indicators.indicator_code
    inner join dim_region as regions on vintages.region_code = regions.region_code
    where as_of_rank = 1
),

with_history as (
    select
        in_force.*,
        previous_month.value as previous_month_value,
        previous_year.value as previous_year_value,
        province.value as province_value,
        province.yoy_pct as province_yoy_pct
    from in_force
    left join in_force as previous_month
        on in_force.indicator_code = previous_month.indicator_code
        and in_force.region_code = previous_month.region_code
        and previous_month.period = cast(in_force.period - interval 1 month as date)
    left join in_force as previous_year
        on in_force.indicator_code = previous_year.indicator_code
        and in_force.region_code = previous_year.region_code
        and previous_year.period = cast(in_force.period - interval 12 month as date)
    left join in_force as province
        on in_force.indicator_code = province.indicator_code
        and in_force.period = province.period
        and province.region_level = 'province'
),

final as (
    select
        with_history.period,
        with_history.region_code,
        with_history.indicator_code,
        with_history.value,
        case
            when with_history.basis = 'month' then with_history.value
            when with_history.basis = 'ytd' and month(with_history.period) = 1 then with_history.value
            when with_history.basis = 'ytd' then with_history.value - with_history.previous_month_value
        end as value_month,
        coalesce(
            with_history.yoy_pct,
            case when with_history.basis <> 'rate' and with_history.previous_year_value <> 0
                then round((with_history.value / with_history.previous_year_value - 1) * 100, 2) end
        ) as yoy_pct,
        coalesce(with_history.rank_province, fct.rank_province) as rank_province,
        coalesce(with_history.rank_subregion, fct.rank_subregion) as rank_subregion,
        with_history.annual_target,
        case when with_history.annual_target > 0
            then with_history.value / with_history.annual_target * 100 end as completion_pct,
        months.schedule_pct,
        case when with_history.annual_target > 0
            then with_history.value / with_history.annual_target * 100 - months.schedule_pct
        end as completion_gap_pp,
        case
            when with_history.region_level = 'province' then null
            when with_history.basis = 'rate' then with_history.value - with_history.province_value
            else with_history.yoy_pct - with_history.province_yoy_pct
        end as vs_province_pp,
        with_history.submitted_by,
        with_history.source_file,
        with_history.source_sheet,
        with_history.source_row,
        with_history.file_sha256,
        with_history.report_month
    from with_history
    left join fct_indicator_monthly as fct
        on with_history.indicator_code = fct.indicator_code
        and with_history.region_code = fct.region_code
        and with_history.period = fct.period
        and with_history.file_sha256 = fct.file_sha256
        and with_history.source_row = fct.source_row
    left join dim_month as months on with_history.period = months.period
)

select * from final
"""

LATEST_PER_KEY = """
select * from as_of
where period <= $month
qualify row_number() over (partition by indicator_code, region_code order by period desc) = 1
"""

REVISIONS_FROM_VINTAGES = """
with vintages as (
    select
        *,
        row_number() over (
            partition by indicator_code, region_code, period, report_month
            order by received_at desc, source_file desc, source_row desc
        ) as month_rank
    from fct_observation_vintages
    where report_month <= $month and is_current_file
),

per_month as (
    select * from vintages where month_rank = 1
),

paired as (
    select
        per_month.indicator_code,
        per_month.region_code,
        per_month.period,
        lag(per_month.value) over keyed as old_value,
        per_month.value as new_value,
        lag(per_month.report_month) over keyed as old_report_month,
        per_month.report_month as new_report_month
    from per_month
    window keyed as (partition by indicator_code, region_code, period order by report_month)
)

select *, new_value - old_value as difference
from paired
where new_report_month = $month and old_value is not null and old_value <> new_value
"""

INDICATORS = """
select
    indicator_code, indicator_name, action, department, unit, basis, direction, description,
    seed_section, row_number() over (order by rowid) as catalog_order
from dim_indicator
"""

STOCK_DAY = re.compile(r"截至\d{4}年\d{1,2}月(\d{1,2})日")


@dataclass(frozen=True)
class BulletinData:
    """The month's inputs, as published in report month ``month`` (YYYY-MM)."""

    month: str
    city_code: str
    city_name: str
    actions: list[str]
    indicators: pd.DataFrame
    regions: pd.DataFrame
    report: pd.DataFrame
    history: pd.DataFrame
    revisions: pd.DataFrame
    gate_failures: list[dict[str, object]] = field(default_factory=list)
    gate_waivers: list[dict[str, object]] = field(default_factory=list)

    @property
    def month_start(self) -> date:
        year, month = (int(part) for part in self.month.split("-"))
        return date(year, month, 1)

    def series(self, indicator_code: str, region_code: str) -> pd.DataFrame:
        """One indicator's published history in one region, oldest period first (may be empty)."""
        ordered, positions = self._series_index
        found = positions.get((indicator_code, region_code))
        return ordered.iloc[found] if found is not None else ordered.iloc[0:0]

    @cached_property
    def _series_index(self) -> tuple[pd.DataFrame, dict[tuple[str, str], object]]:
        """History sorted once, with the row positions of each (indicator, region): a lookup, not a scan."""
        ordered = self.history.sort_values(["indicator_code", "region_code", "period"], kind="stable")
        ordered = ordered.reset_index(drop=True)
        return ordered, ordered.groupby(["indicator_code", "region_code"], sort=False).indices


def load(database: Path, month: str, gate_json: Path | None = None, city_code: str | None = None) -> BulletinData:
    """Read the bulletin's inputs from ``database`` (opened read-only); ``city_code``: see ``_city_code``."""
    month_start = pd.Timestamp(f"{month}-01").date()
    with duckdb.connect(str(database), read_only=True) as con:
        regions = con.execute("select * from dim_region").df().set_index("region_code")
        city_code = _city_code(regions, city_code)
        shown = bulletin_regions(regions, city_code)
        # The history the bulletin compares with: this year and last (December before a January).
        since = date(month_start.year - 1, 1, 1)
        # ... and the year before that, for those months' year-on-year change: the cost stays flat with history.
        con.execute("create temp table as_of as " + AS_OF_VIEW,
                    {"month": month_start, "regions": shown, "earliest": date(since.year - 1, 1, 1)})
        indicators = con.execute(INDICATORS).df().set_index("indicator_code")
        actions = [row[0] for row in con.execute("select action from dim_action order by action_order").fetchall()]
        report = _report_rows(con, month_start, shown)
        history = con.execute("select * from as_of where period <= $month and period >= $since",
                              {"month": month_start, "since": since}).df()
        revisions = _revisions(con, month_start)
        report = _with_stock_days(con, report)
    return BulletinData(
        month=month, city_code=city_code, city_name=str(regions.loc[city_code, "region_name"]),
        actions=actions, indicators=indicators, regions=regions,
        report=_described(report, indicators, regions), history=_described(history, indicators, regions),
        revisions=revisions, gate_failures=read_gate_failures(gate_json),
        gate_waivers=read_gate_waivers(gate_json),
    )


def read_gate_waivers(gate_json: Path | None) -> list[dict[str, object]]:
    """The waivers that let blocking checks pass for the month (none when the file is absent)."""
    if gate_json is None or not gate_json.is_file():
        return []
    return list(json.loads(gate_json.read_text(encoding="utf-8")).get("waivers", []))


def read_gate_failures(gate_json: Path | None) -> list[dict[str, object]]:
    """The quality gate's failed expectations for the month (none when the file is absent)."""
    if gate_json is None or not gate_json.is_file():
        return []
    return list(json.loads(gate_json.read_text(encoding="utf-8")).get("failures", []))


def _has_relation(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    found = con.execute("select count(*) from information_schema.tables where table_name = ?", [name]).fetchone()
    return bool(found and found[0])


def bulletin_regions(regions: pd.DataFrame, city_code: str) -> list[str]:
    """The regions a city's bulletin speaks of: the city, its counties, the province, the city's
    subregion peers. A country-wide warehouse is read for these only."""
    subregion = regions.loc[city_code, "subregion"]
    shown = ((regions.index == city_code) | (regions["parent_code"] == city_code)
             | (regions["region_level"] == "province")
             | (regions["subregion"].notna() & (regions["subregion"] == subregion)))
    return sorted(str(code) for code in regions.index[shown])


def _report_rows(con: duckdb.DuckDBPyConnection, month_start: date, shown: list[str]) -> pd.DataFrame:
    if _has_relation(con, "rpt_indicator_report_month"):
        return con.execute("select * from rpt_indicator_report_month where report_month = ?"
                           " and region_code in (select unnest(?))", [month_start, shown]).df()
    return con.execute(LATEST_PER_KEY, {"month": month_start}).df()


def _revisions(con: duckdb.DuckDBPyConnection, month_start: date) -> pd.DataFrame:
    if _has_relation(con, "fct_revisions"):
        return con.execute("select * from fct_revisions where new_report_month = ?", [month_start]).df()
    return con.execute(REVISIONS_FROM_VINTAGES, {"month": month_start}).df()


def _with_stock_days(con: duckdb.DuckDBPyConnection, report: pd.DataFrame) -> pd.DataFrame:
    """Add ``as_of_day``: the day of a "截至…日" period as the department wrote it, when it did."""
    raw = con.execute(
        "select distinct file_sha256, source_row, period_raw from landing.observations"
        " where file_sha256 in (select unnest(?))", [sorted(report["file_sha256"].dropna().unique())]
    ).df()
    merged = report.merge(raw, on=["file_sha256", "source_row"], how="left")
    merged["as_of_day"] = merged["period_raw"].map(_stock_day)
    return merged.drop(columns=["period_raw"]).drop_duplicates(["indicator_code", "region_code", "period"])


def _stock_day(period_raw: object) -> int | None:
    found = STOCK_DAY.search(period_raw) if isinstance(period_raw, str) else None
    return int(found.group(1)) if found else None


HOME_CITY = "430500"  # 邵阳市, the city whose coordination office this bulletin serves


def _city_code(regions: pd.DataFrame, configured: str | None = None) -> str:
    """The prefecture the bulletin is about: ``configured`` (``Settings.city_code``, from
    ``YUEBAO_CITY_CODE``) when set, else the one city whose counties the catalog holds, else
    (a provincial catalog) the home city."""
    if configured:
        if configured not in set(regions["region_code"].astype(str)):
            raise ValueError(f"YUEBAO_CITY_CODE={configured} is not a region of the catalog")
        return configured
    parents = sorted(str(code) for code in regions.loc[regions["region_level"] == "county", "parent_code"]
                     .dropna().unique())
    if len(parents) == 1:
        return parents[0]
    return HOME_CITY if HOME_CITY in parents else parents[0]


def _described(frame: pd.DataFrame, indicators: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Attach catalog and region attributes, replacing any the relation already carries."""
    catalog = indicators[["indicator_name", "action", "department", "unit", "basis", "direction",
                          "description", "seed_section", "catalog_order"]]
    places = regions[["region_name", "short_name", "region_level", "parent_code", "subregion"]]
    keep = [column for column in frame.columns if column not in catalog.columns and column not in places.columns]
    described = frame[keep].join(catalog, on="indicator_code").join(places, on="region_code")
    described["period"] = pd.to_datetime(described["period"]).dt.date
    return described.sort_values(["catalog_order", "region_code", "period"]).reset_index(drop=True)
