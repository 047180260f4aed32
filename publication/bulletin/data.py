"""Everything the bulletin reads from the warehouse, as published in report month M.

The one place that knows table and column names. Every figure and derived measure is dbt's:
`rpt_indicator_report_month` (latest period per indicator × region as published in M),
`fct_indicator_as_published` (the history as published in M), `fct_revisions`; the prose is
`fct_narrative`, the 【重要指标】 phrasing the seed `sentence_patterns`, the release approval
`pub_release_approvals` (optional). A bulletin rebuilt after later months revised its figures
still shows what was published in M.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

# As published in M: for each indicator × region × period in the window, the fact row of the latest
# report month <= M that (re)computed it (fct_indicator_as_published's documented rule). Every
# measure (value_month, yoy_pct, ranks, completion, vs_province_pp) is dbt's, none is re-derived here.
AS_PUBLISHED = """
select * from fct_indicator_as_published
where report_month <= $month and period <= $month and period >= $since
    and region_code in (select unnest($regions))
qualify row_number() over (
    partition by indicator_code, region_code, period order by report_month desc
) = 1
"""

INDICATORS = """
select
    indicator_code, indicator_name, aliases, action, department, unit, basis, direction, description,
    seed_section, row_number() over (order by rowid) as catalog_order
from dim_indicator
"""

# The prose of M, in placement order: fct_narrative holds each month's prose in force (a resubmitted
# file replaced that submitter's prose in the mart; earlier versions are in fct_narrative_vintages).
NARRATIVE = """
select * from fct_narrative
where report_month = ?
order by section, action_order, submitter_order, seq
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
    narrative: pd.DataFrame = field(default_factory=pd.DataFrame)
    patterns: pd.DataFrame = field(default_factory=pd.DataFrame)
    approval: dict[str, object] | None = None

    @property
    def month_start(self) -> date:
        year, month = (int(part) for part in self.month.split("-"))
        return date(year, month, 1)

    def series(self, indicator_code: str, region_code: str) -> pd.DataFrame:
        """One indicator's published history in one region, oldest period first (may be empty)."""
        ordered, ranges = self._series_index
        start, stop = ranges.get((indicator_code, region_code), (0, 0))
        return ordered.iloc[start:stop]

    def row_at(self, indicator_code: str, region_code: str, period: date) -> pd.Series | None:
        """The published history row of one indicator, region and period (None when not published)."""
        ordered, ranges = self._series_index
        start, stop = ranges.get((indicator_code, region_code), (0, 0))
        found = np.flatnonzero(self._series_periods[start:stop] == period)  # a few rows: numpy, no frame
        return ordered.iloc[start + int(found[0])] if len(found) else None

    def latest_before(self, indicator_code: str, region_code: str, period: date, since: date) -> pd.Series | None:
        """The published history row of the latest period in [``since``, ``period``) (None when none)."""
        start, stop = self._series_index[1].get((indicator_code, region_code), (0, 0))
        periods = self._series_periods[start:stop]
        earlier = np.flatnonzero((periods < period) & (periods >= since))
        return self._series_index[0].iloc[start + int(earlier[-1])] if len(earlier) else None

    @cached_property
    def _series_periods(self) -> np.ndarray:
        return self._series_index[0]["period"].to_numpy()

    @cached_property
    def _series_index(self) -> tuple[pd.DataFrame, dict[tuple[str, str], tuple[int, int]]]:
        """History sorted once, with the row range of each (indicator, region): a lookup, not a scan.
        Sorted by the key, each series is one contiguous range: a slice, not a gather of rows."""
        ordered = self.history.sort_values(["indicator_code", "region_code", "period"], kind="stable")
        ordered = ordered.reset_index(drop=True)
        return ordered, key_ranges(ordered, ["indicator_code", "region_code"])


def key_ranges(ordered: pd.DataFrame, keys: str | list[str]) -> dict[Any, tuple[int, int]]:
    """The [start, stop) row positions of each key in ``ordered``, sorted by ``keys``: each key's rows
    are one contiguous range, so a slice, not a gather of rows."""
    groups = ordered.groupby(keys, sort=False, dropna=False).indices
    return {key: (int(rows[0]), int(rows[-1]) + 1) for key, rows in groups.items()}


def load(database: Path, month: str, gate_json: Path | None = None, city_code: str | None = None) -> BulletinData:
    """Read the bulletin's inputs from ``database`` (opened read-only); ``city_code``: see ``_city_code``."""
    month_start = pd.Timestamp(f"{month}-01").date()
    with duckdb.connect(str(database), read_only=True) as con:
        regions = con.execute("select * from dim_region").df().set_index("region_code")
        city_code = _city_code(regions, city_code)
        shown = bulletin_regions(regions, city_code)
        # The history the bulletin compares with: this year and last (December before a January).
        since = date(month_start.year - 1, 1, 1)
        indicators = con.execute(INDICATORS).df().set_index("indicator_code")
        actions = [row[0] for row in con.execute("select action from dim_action order by action_order").fetchall()]
        report = con.execute("select * from rpt_indicator_report_month where report_month = ?"
                             " and region_code in (select unnest(?))", [month_start, shown]).df()
        history = con.execute(AS_PUBLISHED, {"month": month_start, "since": since, "regions": shown}).df()
        revisions = con.execute("select * from fct_revisions where new_report_month = ?", [month_start]).df()
        report = _with_stock_days(con, report)
        narrative = _narrative(con, month)
        patterns = _patterns(con)
        approval = _approval(con, month)
    return BulletinData(
        month=month, city_code=city_code, city_name=str(regions.loc[city_code, "region_name"]),
        actions=actions, indicators=indicators, regions=regions,
        report=_described(report, indicators, regions), history=_described(history, indicators, regions),
        revisions=revisions, gate_failures=read_gate_failures(gate_json),
        gate_waivers=read_gate_waivers(gate_json), narrative=narrative, patterns=patterns, approval=approval,
    )


def _narrative(con: duckdb.DuckDBPyConnection, month: str) -> pd.DataFrame:
    """The month's prose (empty before the narrative mart exists or when nobody sent any)."""
    if not _has_relation(con, "fct_narrative"):
        return pd.DataFrame(columns=["section", "action", "action_order", "submitter", "submitter_order",
                                     "seq", "text", "source_file", "source_paragraph"])
    return con.execute(NARRATIVE, [month]).df()


def _patterns(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The 【重要指标】 sentence patterns (dbt seed sentence_patterns), in print order."""
    if not _has_relation(con, "sentence_patterns"):
        return pd.DataFrame(columns=["action", "clause_order", "period_of", "pattern"])
    return con.execute("select * from reference.sentence_patterns order by action, clause_order").df()


def _approval(con: duckdb.DuckDBPyConnection, month: str) -> dict[str, object] | None:
    """The month's release approval (the latest when approved twice), if approval is in use."""
    if not _has_relation(con, "pub_release_approvals"):
        return None
    found = con.execute("select approved_by, approved_at, comment from pub_release_approvals"
                        " where report_month = ? order by approved_at desc limit 1", [month]).fetchone()
    return None if found is None else {"approved_by": found[0], "approved_at": found[1], "comment": found[2]}


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
