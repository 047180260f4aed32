"""The units that report (departments, task forces, counties) and what the catalog expects of them."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingestion.text import normalize

OFFICE_ROLES = ("reviewer", "admin")


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str  # department | task_force | county
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Expectation:
    indicator_code: str
    indicator_name: str
    action: str
    unit: str
    basis: str


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=4)
def reporting_units(catalog_dir: Path) -> tuple[Unit, ...]:
    """Every unit that may report, in the contract's order: departments, task forces, counties."""
    units = [Unit(row["department_name"], "department", tuple(filter(None, row.get("aliases", "").split("|"))))
             for row in _rows(catalog_dir / "departments.csv")]
    units += [Unit(row["task_force"], "task_force", tuple(filter(None, row.get("task_force_aliases", "").split("|"))))
              for row in _rows(catalog_dir / "actions.csv") if row.get("task_force")]
    units += [Unit(row["region_name"], "county", tuple(filter(None, row.get("aliases", "").split("|"))))
              for row in _rows(catalog_dir / "regions.csv") if row.get("level") == "county"]
    return tuple(units)


def find_unit(catalog_dir: Path, name: str) -> Unit | None:
    """The unit whose standard name is ``name`` (aliases are not accepted for accounts)."""
    wanted = normalize(name)
    return next((unit for unit in reporting_units(catalog_dir) if normalize(unit.name) == wanted), None)


def indicators_expected(catalog_dir: Path, unit: str) -> list[Expectation]:
    """The indicators ``unit`` owns in indicators.csv (a department; task forces and counties own none)."""
    return [Expectation(row["indicator_code"], row["indicator_name"], row["action"], row["unit"], row["basis"])
            for row in _rows(catalog_dir / "indicators.csv") if row["department"] == unit]


def narrative_expected(catalog_dir: Path, unit: Unit) -> list[str]:
    """Actions whose narrative (文字材料) ``unit`` writes: a task force its action, a county all."""
    actions = _rows(catalog_dir / "actions.csv")
    if unit.kind == "task_force":
        return [row["action_name"] for row in actions if row["task_force"] == unit.name]
    if unit.kind == "county":
        return [row["action_name"] for row in actions]
    return []


def units_owing(catalog_dir: Path) -> list[Unit]:
    """Units the delivery tracker follows: departments owning indicators, then task forces."""
    owners = {row["department"] for row in _rows(catalog_dir / "indicators.csv")}
    return [unit for unit in reporting_units(catalog_dir)
            if (unit.kind == "department" and unit.name in owners) or unit.kind == "task_force"]


def unit_in_text(catalog_dir: Path, text: str) -> str | None:
    """The unit whose longest name or alias occurs in ``text`` (a file name), as ingestion tells
    departments by their names."""
    folded = normalize(text)
    hits = [(len(normalize(name)), unit.name) for unit in reporting_units(catalog_dir)
            for name in (unit.name, *unit.aliases) if normalize(name) in folded]
    return max(hits)[1] if hits else None
