"""Who may submit prose and for which action: task forces, departments, county-level divisions.

Read from the reference seeds (``actions.csv``, ``departments.csv``, ``regions.csv``), aliases
included. A submitter is named at the start of a file's title or name; the earliest, then the
longest, name found wins (``市财政局…`` is 市财政局, not the alias ``财政局`` inside it).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ingestion.text import normalize

SubmitterKind = Literal["task_force", "department", "county"]


@dataclass(frozen=True)
class Submitter:
    name: str  # the standard name: task force, department_name or region_name
    kind: SubmitterKind


@dataclass(frozen=True)
class Action:
    order: int
    name: str  # 产业培塑行动
    task_force: str  # 产业培塑行动工作专班
    lead_department: str


@dataclass
class NarrativeCatalog:
    actions: list[Action] = field(default_factory=list)
    names: dict[str, Submitter] = field(default_factory=dict)  # folded alias → submitter
    department_actions: dict[str, list[str]] = field(default_factory=dict)  # departments.csv `actions`
    positions: dict[str, int] = field(default_factory=dict)  # row order of departments.csv, regions.csv

    @classmethod
    def from_seeds(cls, seeds: Path) -> NarrativeCatalog:
        """The catalog from a folder of reference CSVs; a missing file contributes nothing."""
        catalog = cls()
        for row in _rows(seeds / "actions.csv"):
            action = Action(int(row["action_order"]), row["action_name"], row["task_force"], row["lead_department"])
            catalog.actions.append(action)
            catalog._add(Submitter(action.task_force, "task_force"), _aliases(row.get("task_force_aliases")))
        for row in _rows(seeds / "departments.csv"):
            name = row["department_name"]
            catalog._add(Submitter(name, "department"), _aliases(row.get("aliases")))
            catalog.department_actions[name] = _aliases(row.get("actions"))
            catalog.positions[name] = len(catalog.positions)
        for row in _rows(seeds / "regions.csv"):
            if row.get("level") == "county":
                catalog.positions[row["region_name"]] = len(catalog.positions)
                catalog._add(Submitter(row["region_name"], "county"), _aliases(row.get("aliases")))
        catalog.actions.sort(key=lambda action: action.order)
        return catalog

    def _add(self, submitter: Submitter, aliases: list[str]) -> None:
        for alias in [submitter.name, *aliases]:
            self.names.setdefault(fold(alias), submitter)

    def submitter_in(self, text: str) -> Submitter | None:
        """The submitter named in ``text`` (a title or a file name): earliest, then longest name."""
        folded = fold(text)
        best: tuple[int, int, str] | None = None
        for alias in self.names:
            at = folded.find(alias)
            if at >= 0 and (best is None or (at, -len(alias)) < (best[0], best[1])):
                best = (at, -len(alias), alias)
        return self.names[best[2]] if best else None

    def action_named(self, text: str) -> str | None:
        """``创新提升行动`` (or ``创新提升``, or the task force's name) → the action's standard name."""
        folded = fold(text)
        for action in self.actions:
            if folded in (fold(action.name), fold(action.name).removesuffix("行动"), fold(action.task_force)):
                return action.name
        return None

    def submitter_order(self, submitter: Submitter, action: str) -> int:
        """Place within an action (contract section 5): the action's task force or lead department 0,
        then departments in departments.csv order, then counties in regions.csv order."""
        owner = next((item for item in self.actions if item.name == action), None)
        if owner and submitter.name in (owner.task_force, owner.lead_department):
            return 0
        return 1 + self.positions.get(submitter.name, len(self.positions))

    def default_action(self, submitter: Submitter) -> str | None:
        """The action a submitter writes for when its file names none: a task force's own action; the
        one action a department leads or, failing that, the one it reports for. Counties name theirs."""
        if submitter.kind == "task_force":
            return next((action.name for action in self.actions if action.task_force == submitter.name), None)
        if submitter.kind == "department":
            led = [action.name for action in self.actions if action.lead_department == submitter.name]
            if len(led) == 1:
                return led[0]
            reported = self.department_actions.get(submitter.name, [])
            if not led and len(reported) == 1:
                return reported[0]
        return None


def fold(text: str) -> str:
    """Matching form of a name: NFKC-folded, without any whitespace."""
    return "".join(normalize(text).split())


def _aliases(cell: str | None) -> list[str]:
    return [alias.strip() for alias in (cell or "").split("|") if alias.strip()]


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
