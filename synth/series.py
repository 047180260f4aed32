"""The value model: one indicator's monthly values for every region, as exact integer ticks."""

from __future__ import annotations

import numpy as np

from synth.catalog import Indicator, RegionHierarchy

# Units counted in whole numbers; every other value is kept in hundredths.
WHOLE_UNITS = frozenset({"户", "家", "个", "项", "件", "人", "起", "处", "笔"})
# Typical county-level magnitude (annual total for ytd, level for stock) in each unit.
UNIT_MAGNITUDE = {
    "元": 3e9, "万元": 3e5, "亿元": 30.0, "美元": 3e7, "万美元": 800.0, "亿美元": 0.3,
    "户": 300.0, "万户": 2.0, "家": 150.0, "万家": 0.5, "个": 40.0, "项": 40.0, "件": 200.0, "万件": 1.0,
    "人": 400.0, "万人": 300.0, "起": 30.0, "处": 300.0, "笔": 3000.0, "万笔": 1.0,
}
# Share of a year's total that falls in each month (December's rush, a slow January).
SEASON = np.array([0.55, 0.65, 1.0, 0.95, 1.0, 1.1, 0.95, 0.95, 1.05, 1.05, 1.1, 1.65])


def ticks_per_unit(unit: str) -> int:
    """Values are kept as exact integers: 1 or 0.01 of the unit."""
    return 1 if unit in WHOLE_UNITS else 100


def rate_kind(indicator: Indicator) -> str:
    """Which plausible range a rate indicator lives in."""
    unit = indicator.unit
    if unit == "百分点":
        return "pp"
    if unit == "无量纲":
        return "index"
    if unit == "微克/立方米":
        return "concentration"
    if unit == "%" and indicator.row.get("allow_negative") == "false":
        return "share"
    return "growth"


def monthly_series(indicator: Indicator, regions: RegionHierarchy, seed: int, years: int) -> tuple[np.ndarray, int]:
    """Ticks (regions × years·12 months, from January of the first year) and ticks per unit."""
    rng = np.random.default_rng([seed, 2, indicator.position])
    region_count = len(regions.rows)
    month_count = years * 12
    if indicator.basis == "rate":
        return _rates(indicator, regions, rng, years), 100

    scale = ticks_per_unit(indicator.unit)
    base = UNIT_MAGNITUDE.get(indicator.unit, 100.0) * rng.lognormal(0.0, 0.8)
    leaves = np.flatnonzero(~regions.is_aggregate)
    level = base * regions.size[leaves][:, None]
    ticks = np.zeros((region_count, month_count), dtype=np.int64)
    if indicator.basis == "stock":
        steps = rng.normal(0.005, 0.012, (leaves.size, month_count))
        steps[:, 0] = 0.0
        ticks[leaves] = np.rint(level * np.exp(np.cumsum(steps, axis=1)) * scale).astype(np.int64)
    else:  # ytd: monthly amounts with yearly growth and a seasonal profile, summed within each year
        growth = np.cumprod(np.clip(1.0 + rng.normal(0.06, 0.06, (leaves.size, years)), 0.75, 1.4), axis=1)
        profile = SEASON ** rng.uniform(0.3, 1.0)
        profile = np.tile(profile / profile.sum(), years)
        amounts = level * np.repeat(growth, 12, axis=1) * profile * rng.lognormal(0.0, 0.1, (leaves.size, month_count))
        monthly = np.maximum(np.rint(amounts * scale), 1).astype(np.int64).reshape(leaves.size, years, 12)
        ticks[leaves] = np.cumsum(monthly, axis=2).reshape(leaves.size, month_count)
    for kids, parents in regions.sum_steps:
        np.add.at(ticks, parents, ticks[kids])
    return ticks, scale


def _rates(indicator: Indicator, regions: RegionHierarchy, rng: np.random.Generator, years: int) -> np.ndarray:
    """A rate's hundredths; an aggregate's rate is its children's weighted mean."""
    region_count = len(regions.rows)
    month_count = years * 12
    month_of_year = np.tile(np.arange(1, 13), years)
    kind = rate_kind(indicator)
    shape = (region_count, month_count)
    if kind == "growth":
        mean = np.repeat(rng.normal(6.0, 5.0, (region_count, years)), 12, axis=1)
        values = np.clip(mean + rng.normal(0.0, 4.0, shape) / np.sqrt(month_of_year), -20.0, 30.0)
    elif kind == "share":
        walk = np.cumsum(rng.normal(0.0, 0.4, shape), axis=1)
        values = np.clip(rng.uniform(10.0, 90.0, (region_count, 1)) + walk, 0.5, 99.5)
    elif kind == "pp":
        values = np.clip(rng.normal(0.1, 0.3, shape), -2.0, 2.0)
    elif kind == "index":
        values = np.clip(rng.uniform(2.5, 4.5, (region_count, 1)) + rng.normal(0.0, 0.15, shape), 1.0, 9.0)
    else:  # concentration, with a winter peak
        wave = 1.0 + 0.15 * np.cos(2 * np.pi * (month_of_year - 1) / 12)
        values = np.clip(rng.uniform(25.0, 50.0, (region_count, 1)) * wave + rng.normal(0.0, 2.0, shape), 5.0, None)
    for kids, parents in regions.sum_steps:
        weighted = np.zeros_like(values)
        weights = np.zeros(region_count)
        np.add.at(weighted, parents, values[kids] * regions.weight[kids, None])
        np.add.at(weights, parents, regions.weight[kids])
        aggregates = np.unique(parents)
        values[aggregates] = weighted[aggregates] / weights[aggregates, None]
    return np.rint(values * 100).astype(np.int64)


def ranks(values: np.ndarray, members: np.ndarray, descending: bool) -> np.ndarray:
    """1-based rank of each member's value (0 for non-members); ties by position."""
    ranked = np.zeros(values.size, dtype=np.int64)
    if members.size < 2:
        return ranked
    key = -values[members] if descending else values[members]
    order = np.argsort(key, kind="stable")
    ranked[members[order]] = np.arange(1, members.size + 1)
    return ranked
