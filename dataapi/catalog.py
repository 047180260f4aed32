"""What one published version contains: the dimensions, the published report months (releases)
and which of them may be served; and how the API's filter words resolve to codes.

Read once per published version (``CatalogCache``): the dimensions are small, the facts are not.
"""

from __future__ import annotations

import datetime
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from dataapi.warehouse import Snapshot
from ingestion.report_month import ReportMonth

# Region words that name a set of regions rather than one.
REGION_LEVELS = ("province", "prefecture", "county")
CITY, CITY_AND_COUNTIES = "city", "city_and_counties"


class UnknownValue(LookupError):
    """A filter value that names nothing in the catalog (HTTP 404)."""

    def __init__(self, what: str, values: list[str]) -> None:
        self.what, self.values = what, values
        super().__init__(f"unknown {what}: {', '.join(values)} (see /api/v1/meta/{what}s for the valid values)")


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    aliases: tuple[str, ...]
    action: str
    action_order: int
    department: str
    department_code: str
    unit: str
    basis: str
    direction: str
    description: str


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    short_name: str
    level: str
    parent_code: str | None
    prefecture_code: str | None
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Release:
    """One published report month."""

    report_month: str  # YYYY-MM
    published_at: datetime.datetime | None
    approved_by: str | None
    approved_at: datetime.datetime | None
    comment: str | None
    revisions: int
    facts: int
    servable: bool

    @property
    def first_day(self) -> datetime.date:
        return month_start(self.report_month)


def month_start(month: str) -> datetime.date:
    return ReportMonth.parse(month).first_day


def month_text(value: datetime.date | datetime.datetime | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value[:7]
    return f"{value.year:04d}-{value.month:02d}"


def _aliases(raw: object) -> tuple[str, ...]:
    return tuple(part.strip() for part in str(raw or "").split("|") if part.strip())


def _records(snapshot: Snapshot, sql: str, params: list[object] | None = None) -> list[dict[str, object]]:
    names, rows = snapshot.fetch(sql, params or [])
    return [dict(zip(names, row, strict=True)) for row in rows]


def _utc(value: object) -> datetime.datetime | None:
    if not isinstance(value, datetime.datetime):
        return None
    return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value.astimezone(datetime.UTC)


@dataclass(frozen=True)
class Catalog:
    version: str
    indicators: dict[str, Indicator]
    regions: dict[str, Region]
    actions: list[tuple[str, int]]
    departments: dict[str, Department]
    releases: list[Release]
    home_city: str | None

    # --- releases --------------------------------------------------------------------------------
    @property
    def servable(self) -> list[Release]:
        return [release for release in self.releases if release.servable]

    @property
    def latest(self) -> Release | None:
        servable = self.servable
        return servable[-1] if servable else None

    @property
    def serves_everything(self) -> bool:
        """The latest published month is servable, so the in-force facts are what may be served."""
        return bool(self.releases) and self.releases[-1].servable

    def release_as_of(self, month: str) -> Release | None:
        """The latest servable release at or before ``month`` (YYYY-MM)."""
        candidates = [release for release in self.servable if release.report_month <= month]
        return candidates[-1] if candidates else None

    # --- filters ---------------------------------------------------------------------------------
    def indicator_codes(self, indicators: list[str], actions: list[str], departments: list[str]) -> set[str] | None:
        """Codes of the indicators selected by the three filters together; None = no filter."""
        selected: set[str] | None = None
        if indicators:
            selected = _match("indicator", indicators, (
                (code, (code, item.name, *item.aliases)) for code, item in self.indicators.items()))
        if actions:
            names = _match("action", actions, ((name, (name, str(order))) for name, order in self.actions))
            chosen = {code for code, item in self.indicators.items() if item.action in names}
            selected = chosen if selected is None else selected & chosen
        if departments:
            names = _match("department", departments, (
                (item.name, (item.code, item.name, *item.aliases)) for item in self.departments.values()))
            chosen = {code for code, item in self.indicators.items() if item.department in names}
            selected = chosen if selected is None else selected & chosen
        return selected

    def region_codes(self, regions: list[str]) -> set[str] | None:
        """Codes of the regions named by codes, names, aliases, levels, ``city`` or ``city_and_counties``."""
        if not regions:
            return None
        selected: set[str] = set()
        words = []
        for value in regions:
            word = value.strip().lower()
            if word in REGION_LEVELS:
                selected |= {code for code, region in self.regions.items() if region.level == word}
            elif word in (CITY, CITY_AND_COUNTIES):
                if self.home_city is None:
                    raise UnknownValue("region", [value + " (no home city in dim_region; set YUEBAO_HOME_CITY)"])
                selected.add(self.home_city)
                if word == CITY_AND_COUNTIES:
                    selected |= self.counties_of(self.home_city)
            else:
                words.append(value)
        if words:
            selected |= _match("region", words, (
                (code, (code, item.name, item.short_name, *item.aliases)) for code, item in self.regions.items()))
        return selected

    def counties_of(self, prefecture: str) -> set[str]:
        return {code for code, region in self.regions.items()
                if region.level == "county" and region.prefecture_code == prefecture}


def _pattern(value: str) -> re.Pattern[str]:
    """``*`` matches any text; everything else literally, case-insensitively."""
    return re.compile(".*".join(re.escape(part) for part in value.split("*")), re.IGNORECASE)


def _match(what: str, values: list[str], entries: Iterable[tuple[str, tuple[str, ...]]]) -> set[str]:
    entries = list(entries)
    matched: set[str] = set()
    unknown = []
    for value in values:
        pattern = _pattern(value.strip())
        hits = {key for key, labels in entries if any(pattern.fullmatch(label) for label in labels if label)}
        if not hits:
            unknown.append(value)
        matched |= hits
    if unknown:
        raise UnknownValue(what, unknown)
    return matched


def load_catalog(snapshot: Snapshot, home_city: str = "") -> Catalog:
    table = snapshot.table
    indicators = {
        str(row["indicator_code"]): Indicator(
            code=str(row["indicator_code"]), name=str(row["indicator_name"]), aliases=_aliases(row["aliases"]),
            action=str(row["action"] or ""), action_order=int(row["action_order"] or 99),
            department=str(row["department"] or ""), department_code=str(row["department_code"] or ""),
            unit=str(row["unit"] or ""), basis=str(row["basis"] or ""), direction=str(row["direction"] or ""),
            description=str(row["description"] or ""))
        for row in _records(snapshot, f"select * from {table('dim_indicator')} order by indicator_code")
    }
    regions = {
        str(row["region_code"]): Region(
            code=str(row["region_code"]), name=str(row["region_name"]), short_name=str(row["short_name"] or ""),
            level=str(row["region_level"]), parent_code=row["parent_code"], prefecture_code=row["prefecture_code"],
            aliases=_aliases(row["aliases"]))
        for row in _records(snapshot, f"select * from {table('dim_region')} order by level_depth, region_code")
    }
    actions = [(str(row["action"]), int(row["action_order"])) for row in _records(
        snapshot, f"select action, action_order from {table('dim_action')} order by action_order, action")]
    departments = {
        str(row["department_name"]): Department(str(row["department_code"] or ""), str(row["department_name"]),
                                                _aliases(row["aliases"]))
        for row in _records(snapshot, f"select * from {table('dim_department')} order by department_code")
    }
    return Catalog(snapshot.version, indicators, regions, actions, departments, load_releases(snapshot),
                   _home_city(regions, home_city))


def _home_city(regions: dict[str, Region], configured: str) -> str | None:
    if configured:
        return configured
    with_counties = {region.prefecture_code for region in regions.values()
                     if region.level == "county" and region.prefecture_code}
    return with_counties.pop() if len(with_counties) == 1 else None


def load_releases(snapshot: Snapshot) -> list[Release]:
    """Every published report month, oldest first, with who approved it and whether it may be served.

    A month is published when its build reached the published warehouse (its rows are in
    ``fct_indicator_as_published``). When ``pub_release_approvals`` has rows, approval is required
    from the first approved month on: a later month without an approval row is not served (months
    published before approvals were recorded stay served).
    """
    table = snapshot.table
    facts = {month_text(row["report_month"]): int(row["facts"]) for row in _records(
        snapshot, f"select report_month, count(*) as facts from {table('fct_indicator_as_published')}"
                  " group by report_month")}
    revisions: dict[str | None, int] = {}
    if snapshot.has("fct_revisions"):
        revisions = {month_text(row["report_month"]): int(row["revisions"]) for row in _records(
            snapshot, f"select report_month, count(*) as revisions from {table('fct_revisions')} group by report_month")}
    published: dict[str | None, datetime.datetime | None] = {}
    if snapshot.has("pub_releases"):
        published = {month_text(row["report_month"]): _utc(row["published_at"]) for row in _records(
            snapshot, f"select report_month, published_at from {table('pub_releases')}")}
    approvals: dict[str | None, dict[str, object]] = {}
    if snapshot.has("pub_release_approvals"):
        for row in _records(snapshot, f"select report_month, approved_by, approved_at, comment"
                                      f" from {table('pub_release_approvals')} order by approved_at"):
            approvals[month_text(row["report_month"])] = row  # the latest approval of a month wins
    first_approved = min((month for month in approvals if month), default=None)
    releases = []
    for month in sorted(month for month in facts if month):
        approval = approvals.get(month)
        servable = first_approved is None or month < first_approved or approval is not None
        releases.append(Release(
            report_month=month, published_at=published.get(month),
            approved_by=str(approval["approved_by"]) if approval else None,
            approved_at=_utc(approval["approved_at"]) if approval else None,
            comment=str(approval["comment"]) if approval and approval["comment"] is not None else None,
            revisions=revisions.get(month, 0), facts=facts[month], servable=servable))
    return releases


class CatalogCache:
    """The catalog of the last few published versions (a swap makes a new one)."""

    def __init__(self, home_city: str = "", keep: int = 4) -> None:
        self._home_city = home_city
        self._keep = keep
        self._lock = threading.Lock()
        self._catalogs: OrderedDict[str, Catalog] = OrderedDict()

    def get(self, snapshot: Snapshot) -> Catalog:
        with self._lock:
            cached = self._catalogs.get(snapshot.version)
            if cached is not None:
                self._catalogs.move_to_end(snapshot.version)
                return cached
        catalog = load_catalog(snapshot, self._home_city)
        with self._lock:
            self._catalogs[snapshot.version] = catalog
            while len(self._catalogs) > self._keep:
                self._catalogs.popitem(last=False)
        return catalog
