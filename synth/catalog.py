"""The reference catalog of a synthetic inbox: the seeds' regions and indicators, grown to size.

Up to the seeds' own counts the real catalog is used (邵阳市 and its counties first); beyond them
synthetic counties (``合成县00001``) and prefectures (``合成市001``) with valid 6-digit codes, and
indicators ``synth_0001``… spread over the departments.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEEDS_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"
REFERENCE_FILES = ("regions", "indicators", "departments", "units")
PROVINCE_CODE = "430000"
CITY_CODE = "430500"
SUBREGION = "大湘西片区"
COUNTIES_PER_PREFECTURE = 9

# Units and bases of invented indicators, in rotation.
ADDITIVE_UNITS = ("亿元", "万元", "个", "家", "亿美元", "人", "件", "万户", "户", "万美元", "起", "万人", "处",
                  "笔", "项")
BASES = ("ytd", "ytd", "stock", "rate", "ytd", "rate", "stock", "ytd")

Row = dict[str, str]


@dataclass(frozen=True)
class Indicator:
    """One catalog row and its position (which also seeds its series and its file habits)."""

    position: int
    row: Row

    @property
    def name(self) -> str:
        return self.row["indicator_name"]

    @property
    def basis(self) -> str:
        return self.row["basis"]

    @property
    def unit(self) -> str:
        return self.row["unit"]


@dataclass
class RegionHierarchy:
    """Reported regions in output order, with the hierarchy used for sums."""

    rows: list[Row]
    catalog: list[Row]  # the reported regions and the province: reference/regions.csv
    parent_position: np.ndarray
    depth: np.ndarray  # 0 province, 1 prefecture, 2 county
    is_aggregate: np.ndarray  # every child reported: its value is their sum
    size: np.ndarray  # relative economic size
    weight: np.ndarray  # size of the leaves below (an aggregate's rate is their weighted mean)
    # (children, their parents) per level, counties first: the order sums are taken in.
    sum_steps: list[tuple[np.ndarray, np.ndarray]]


def read_csv(path: Path) -> tuple[list[str], list[Row]]:
    """Read a UTF-8 reference CSV into its header and rows."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Row]) -> None:
    """Write rows with exactly ``header`` as columns (UTF-8, LF)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(header), lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _region(code: str, name: str, level: str, parent_code: str) -> Row:
    return {"region_code": code, "region_name": name, "short_name": name, "level": level,
            "parent_code": parent_code, "subregion": "", "aliases": ""}


def synthetic_region_rows(real: list[Row], extra: int) -> list[Row]:
    """Counties under the real prefectures first (Hunan shape), then new prefectures with counties."""
    rows: list[Row] = []
    counties_made = 0

    def county(parent_code: str, suffix: int) -> Row:
        nonlocal counties_made
        counties_made += 1
        return _region(f"{parent_code[:4]}{suffix:02d}", f"合成县{counties_made:05d}", "county", parent_code)

    bare = [row["region_code"] for row in real
            if row["level"] == "prefecture" and row["region_code"] != CITY_CODE]
    taken = min(extra, COUNTIES_PER_PREFECTURE * len(bare))
    filled = max(1, min(len(bare), taken // 2))  # no prefecture with a single county when avoidable
    for number, parent_code in enumerate(bare[:filled]):
        for suffix in range(taken // filled + (number < taken % filled)):
            rows.append(county(parent_code, 51 + suffix))
    extra -= taken
    code = 440000
    prefectures_made = 0
    while extra > 0:
        code += 100
        if code % 10000 == 0:
            code += 100
        if code > 999900:
            raise ValueError("too many synthetic regions for 6-digit codes")
        prefectures_made += 1
        rows.append(_region(str(code), f"合成市{prefectures_made:03d}", "prefecture", PROVINCE_CODE))
        extra -= 1
        for suffix in range(min(extra, COUNTIES_PER_PREFECTURE)):
            rows.append(county(str(code), 1 + suffix))
        extra -= min(extra, COUNTIES_PER_PREFECTURE)
    return rows


def build_regions(real: list[Row], count: int, seed: int) -> RegionHierarchy:
    """Select ``count`` reported regions and derive the additive hierarchy."""
    if count <= len(real):
        by_code = {row["region_code"]: row for row in real}
        counties = [row["region_code"] for row in real if row["parent_code"] == CITY_CODE]
        others = [row["region_code"] for row in real
                  if row["level"] == "prefecture" and row["region_code"] != CITY_CODE]
        priority = [CITY_CODE, *counties, PROVINCE_CODE, *others]
        chosen = set(priority[:count]) & set(by_code)
        world = list(real)
        rows = [row for row in real if row["region_code"] in chosen]
    else:
        world = real + synthetic_region_rows(real, count - len(real))
        rows = world
    reported = {row["region_code"] for row in rows}
    catalog = [row for row in world if row["region_code"] in reported or row["region_code"] == PROVINCE_CODE]

    position = {row["region_code"]: index for index, row in enumerate(rows)}
    children: dict[str, list[str]] = {}
    for row in world:
        if row["parent_code"]:
            children.setdefault(row["parent_code"], []).append(row["region_code"])
    depth_of = {"province": 0, "prefecture": 1, "county": 2}
    depth = np.array([depth_of.get(row["level"], 2) for row in rows], dtype=np.int8)
    parent_position = np.array([position.get(row["parent_code"], -1) for row in rows], dtype=np.int64)
    is_aggregate = np.array([
        bool(children.get(row["region_code"])) and all(child in position for child in children[row["region_code"]])
        for row in rows
    ])
    sum_steps = []
    for level in (2, 1):
        kids = np.flatnonzero((depth == level) & (parent_position >= 0))
        kids = kids[is_aggregate[parent_position[kids]]]
        if kids.size:
            sum_steps.append((kids, parent_position[kids]))
    rng = np.random.default_rng([seed, 1])
    size = rng.lognormal(0.0, 0.5, len(rows)) * np.array([126.0, 9.0, 1.0])[depth]
    weight = np.where(is_aggregate, 0.0, size)
    for kids, parents in sum_steps:
        np.add.at(weight, parents, weight[kids])
    return RegionHierarchy(rows, catalog, parent_position, depth, is_aggregate, size, weight, sum_steps)


def build_indicators(real: list[Row], departments: list[Row], units: set[str], count: int) -> list[Indicator]:
    """First ``count`` catalog indicators, then ``synth_0001``... spread over the departments."""
    rows = list(real[:count])
    additive = [unit for unit in ADDITIVE_UNITS if unit in units]
    for number in range(1, count - len(rows) + 1):
        department = departments[(number - 1) % len(departments)]
        basis = BASES[number % len(BASES)]
        if basis == "rate":
            unit = "百分点" if number % 11 == 0 and "百分点" in units else "%"
        else:
            unit = additive[number % len(additive)]
        actions = department["actions"].split("|")
        rows.append({
            "indicator_code": f"synth_{number:04d}",
            "indicator_name": f"合成指标{number:04d}",
            "aliases": "",
            "action": actions[number % len(actions)],
            "department": department["department_name"],
            "unit": unit,
            "basis": basis,
            "direction": "down" if number % 9 == 0 else "up",
            "description": f"合成指标（{basis}），仅用于规模与性能测试",
            "allow_negative": str(basis == "rate").lower(),
            "seed_section": "",
        })
    return [Indicator(position, row) for position, row in enumerate(rows)]
