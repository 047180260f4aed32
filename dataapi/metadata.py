"""The rows of the metadata endpoints (``/api/v1/meta/...``), from one snapshot and its catalog."""

from __future__ import annotations

from dataapi.catalog import Catalog, month_text
from dataapi.warehouse import Snapshot


def facts_source(snapshot: Snapshot, catalog: Catalog) -> tuple[str, list[object]]:
    """A FROM clause for the facts that may be served (the in-force facts, or as of the latest
    servable month when a later one is not), and its parameters."""
    if catalog.serves_everything:
        return snapshot.table("fct_indicator_monthly"), []
    latest = catalog.latest
    published = snapshot.table("fct_indicator_as_published")
    return (f"(select * from (select facts.*, row_number() over (partition by indicator_code, region_code, period"
            f" order by report_month desc) as recency from {published} as facts where report_month <= ?)"
            f" as ranked where recency = 1) as served",
            [latest.first_day if latest else None])


def indicators(snapshot: Snapshot, catalog: Catalog) -> list[dict[str, object]]:
    source, params = facts_source(snapshot, catalog)
    _, rows = snapshot.fetch(f"select indicator_code, min(period), max(period), count(distinct region_code)"
                             f" from {source} group by indicator_code", params)
    coverage = {row[0]: row[1:] for row in rows}
    result = []
    for code, item in sorted(catalog.indicators.items(), key=lambda pair: (pair[1].action_order, pair[0])):
        first, last, regions = coverage.get(code, (None, None, 0))
        result.append({
            "indicator_code": code, "indicator_name": item.name, "aliases": list(item.aliases),
            "action": item.action, "department": item.department, "unit": item.unit, "basis": item.basis,
            "direction": item.direction, "description": item.description,
            "first_period": month_text(first), "last_period": month_text(last), "regions": int(regions),
        })
    return result


def regions(snapshot: Snapshot, catalog: Catalog) -> list[dict[str, object]]:
    return [{"region_code": region.code, "region_name": region.name, "short_name": region.short_name,
             "region_level": region.level, "parent_code": region.parent_code,
             "prefecture_code": region.prefecture_code, "aliases": list(region.aliases),
             "is_home_city": region.code == catalog.home_city} for region in catalog.regions.values()]


def actions(snapshot: Snapshot, catalog: Catalog) -> list[dict[str, object]]:
    return [{"action": name, "action_order": order,
             "indicators": sum(1 for item in catalog.indicators.values() if item.action == name)}
            for name, order in catalog.actions]


def departments(snapshot: Snapshot, catalog: Catalog) -> list[dict[str, object]]:
    return [{"department_code": item.code, "department_name": item.name, "aliases": list(item.aliases),
             "indicators": sorted(code for code, indicator in catalog.indicators.items()
                                  if indicator.department == item.name)}
            for item in catalog.departments.values()]


def periods(snapshot: Snapshot, catalog: Catalog) -> list[dict[str, object]]:
    source, params = facts_source(snapshot, catalog)
    _, rows = snapshot.fetch(f"select period, count(distinct indicator_code), count(*) from {source}"
                             f" group by period order by period", params)
    return [{"period": month_text(period), "indicators": int(count), "facts": int(facts)}
            for period, count, facts in rows]


def releases(snapshot: Snapshot, catalog: Catalog) -> list[dict[str, object]]:
    """Only servable months: an unapproved month is not announced either."""
    return [{"report_month": item.report_month,
             "published_at": item.published_at.isoformat() if item.published_at else None,
             "approved_by": item.approved_by,
             "approved_at": item.approved_at.isoformat() if item.approved_at else None,
             "comment": item.comment, "revisions": item.revisions, "facts_recomputed": item.facts}
            for item in catalog.servable]
