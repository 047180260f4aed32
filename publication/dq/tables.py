"""The data-quality tables kept in the warehouse: delivery tracker, failure history, waivers.

They are written into the month's build database during validation, so they reach the published
warehouse only with the month itself (a blocked month changes nothing published). Each write
replaces one report month's rows (delete + insert), so rerunning a month is idempotent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from expectations.gate import GateResult, row_department, row_rule, set_variables, sql_variables, suite_sql
from expectations.suites import received_departments
from expectations.waivers import Waiver

DDL = {
    "dq_delivery_status": """create table if not exists main.dq_delivery_status (
        report_month date, department varchar, indicators_owed integer, files_received integer,
        first_received_at timestamp, due_at timestamp, delivery_status varchar, submitter_kind varchar,
        narrative_expected boolean, narrative_files integer, narrative_status varchar)""",
    "dq_failure_history": """create table if not exists main.dq_failure_history (
        report_month date, department varchar, rule varchar, suite varchar, severity varchar,
        failures integer, waived integer, blocked_publication boolean)""",
    "dq_waivers": """create table if not exists main.dq_waivers (
        month varchar, department varchar, rule varchar, waived_by varchar, reason varchar, waived_at varchar)""",
}
NARRATIVE_TRACKER_COLUMNS = {"submitter_kind": "varchar", "narrative_expected": "boolean",
                             "narrative_files": "integer", "narrative_status": "varchar"}


def failure_counts(gate: GateResult) -> pd.DataFrame:
    """One row per department × rule × suite × severity of the month, with failing-row counts."""
    counts: dict[tuple[str, str, str, str], list[int]] = {}
    for failure in gate.failures:
        rows = failure.rows or [{}]
        for row in rows:
            key = (row_department(row), row_rule(row, failure), failure.suite, failure.severity)
            tally = counts.setdefault(key, [0, 0])
            tally[0] += 1
            tally[1] += int(bool(row.get("waived")))
    records = [
        {"report_month": date.fromisoformat(f"{gate.month}-01"), "department": department, "rule": rule,
         "suite": suite, "severity": severity, "failures": total, "waived": waived,
         "blocked_publication": severity == "blocking" and waived < total}
        for (department, rule, suite, severity), (total, waived) in sorted(counts.items())
    ]
    columns = ["report_month", "department", "rule", "suite", "severity", "failures", "waived", "blocked_publication"]
    return pd.DataFrame.from_records(records, columns=columns)


def record_month(database: Path, gate: GateResult, waivers: Sequence[Waiver], due_day: int,
                 config: Mapping[str, object] | None = None) -> None:
    """Replace the month's rows of the tracker and the history; copy the waiver log."""
    month_start = date.fromisoformat(f"{gate.month}-01")
    with duckdb.connect(str(database), config=dict(config or {})) as con:
        set_variables(con, sql_variables(gate.month, due_day))
        for statement in DDL.values():
            con.execute(statement)
        for column, kind in NARRATIVE_TRACKER_COLUMNS.items():  # warehouses published before narrative intake
            con.execute(f"alter table main.dq_delivery_status add column if not exists {column} {kind}")
        history = failure_counts(gate)
        waiver_rows = pd.DataFrame.from_records([asdict(waiver) for waiver in waivers],
                                                columns=["month", "department", "rule", "waived_by", "reason",
                                                         "waived_at"])
        con.execute("begin transaction")
        con.execute("delete from main.dq_delivery_status where report_month = ?", [month_start])
        con.execute(
            "insert into main.dq_delivery_status by name select getvariable('report_month') as report_month,"
            " submitted_by as department, indicators_owed, files_received, first_received_at,"
            " getvariable('due_at') as due_at, delivery_status, submitter_kind, narrative_expected, narrative_files,"
            f" narrative_status from ({suite_sql(received_departments())})"
        )
        con.execute("delete from main.dq_failure_history where report_month = ?", [month_start])
        con.register("history", history)
        con.execute("insert into main.dq_failure_history select * from history")
        con.execute("delete from main.dq_waivers")
        con.register("waiver_rows", waiver_rows)
        con.execute("insert into main.dq_waivers select * from waiver_rows")
        con.execute("commit")
