"""A `fct_narrative` table (the schema agreed with the narrative intake) from the sample's
expected-narrative CSV, for bulletin tests that need prose without loading a month again."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import duckdb

from tests.conftest import ROOT

EXPECTED_NARRATIVE = ROOT / "samples" / "expected-narrative-2024-10.csv"
SEEDS = ROOT / "dbt_project" / "seeds"
FILE_SUFFIX = {"task_force": "_2024年10月工作进展.docx", "department": "_2024年10月工作情况.docx",
               "county": "_2024年10月特色亮点.docx"}


def _read(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def narrative_rows(month: str = "2024-10", rows: list[dict[str, str]] | None = None) -> list[dict[str, object]]:
    """The CSV's paragraphs as fct_narrative rows, with the contract's placement order."""
    actions = {row["action_name"]: row for row in _read("actions.csv")}
    departments = [row["department_name"] for row in _read("departments.csv")]
    counties = [row["region_name"] for row in _read("regions.csv") if row["level"] == "county"]
    task_forces = {row["task_force"] for row in actions.values()}
    with EXPECTED_NARRATIVE.open(encoding="utf-8") as handle:
        source = rows if rows is not None else list(csv.DictReader(handle))
    paragraphs: dict[str, int] = {}
    result = []
    for row in source:
        submitter, action = row["submitter"], actions[row["action"]]
        if submitter in task_forces:
            kind, order = "task_force", 0
        elif submitter in departments:
            kind = "department"
            order = 0 if submitter == action["lead_department"] else 1 + departments.index(submitter)
        else:
            kind, order = "county", 1000 + counties.index(submitter)
        source_file = submitter + FILE_SUFFIX[kind]
        paragraphs[source_file] = paragraphs.get(source_file, 1) + 1
        result.append({
            "report_month": month, "section": row["section"], "action": row["action"],
            "action_order": int(action["action_order"]), "submitter": submitter, "submitter_kind": kind,
            "submitter_order": order, "seq": int(row["seq"]), "text": row["text"], "source_file": source_file,
            "source_sha256": hashlib.sha256(source_file.encode()).hexdigest(),
            "source_paragraph": paragraphs[source_file], "vintage_report_month": month,
        })
    return result


def add_narrative(database: Path, rows: list[dict[str, object]]) -> None:
    """Create (or replace) fct_narrative in ``database`` with ``rows``."""
    with duckdb.connect(str(database)) as con:
        con.execute("""create or replace table fct_narrative (
            report_month varchar, section varchar, action varchar, action_order integer, submitter varchar,
            submitter_kind varchar, submitter_order integer, seq integer, text varchar, source_file varchar,
            source_sha256 varchar, source_paragraph integer, vintage_report_month varchar)""")
        if rows:
            columns = list(rows[0])
            con.executemany(f"insert into fct_narrative ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
                            [[row[column] for column in columns] for row in rows])
