"""The coordination office's summary page: every department's delivery and quality status, trend."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import duckdb

from expectations.gate import GateResult
from expectations.waivers import Waiver
from publication.dq.model import (
    DELIVERY_LABELS,
    STATUS_LABELS,
    DepartmentReport,
    general_failures,
)

TREND_MONTHS = 6


def tracker_rows(con: duckdb.DuckDBPyConnection, month: str) -> dict[str, dict[str, Any]]:
    rows = con.execute(
        "select department, indicators_owed, files_received, delivery_status, narrative_status"
        " from main.dq_delivery_status where report_month = ? order by department", [f"{month}-01"],
    ).fetchall()
    return {department: {"indicators_owed": owed, "files": files, "delivery_status": status,
                         "narrative_status": narrative}
            for department, owed, files, status, narrative in rows}


def trend(con: duckdb.DuckDBPyConnection, month: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Failing rows per department × rule over the last months (from ``dq_failure_history``)."""
    records = con.execute(
        "select strftime(report_month, '%Y-%m'), department, rule, max(severity), sum(failures)"
        " from main.dq_failure_history"
        " where report_month <= cast(? as date) and report_month > cast(? as date) - to_months(?)"
        " group by all order by 2, 3, 1",
        [f"{month}-01", f"{month}-01", TREND_MONTHS],
    ).fetchall()
    months = sorted({record[0] for record in records})
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for label, department, rule, severity, count in records:
        entry = table.setdefault((department, rule), {"department": department, "rule": rule,
                                                      "severity": severity, "by_month": {}})
        entry["by_month"][label] = int(count)
    rows = [entry | {"counts": [entry["by_month"].get(label, 0) for label in months]} for entry in table.values()]
    return months, rows


def summary_context(database: Path, gate: GateResult, reports: list[DepartmentReport], waivers: list[Waiver],
                    generated_at: str, due_day: int) -> dict[str, Any]:
    with duckdb.connect(str(database), read_only=True) as con:
        tracker = tracker_rows(con, gate.month)
        months, trend_rows = trend(con, gate.month)
    by_department = {report.department: report for report in reports}
    departments = []
    for name in sorted(set(tracker) | set(by_department)):
        report = by_department.get(name)
        tracked = tracker.get(name, {})
        departments.append({
            "department": name,
            "indicators_owed": tracked.get("indicators_owed"),
            "delivery_status": tracked.get("delivery_status"),  # only departments owing indicators are tracked
            "narrative_status": tracked.get("narrative_status"),  # prose: task forces, counties, senders
            "files": len(report.files) if report else tracked.get("files", 0),
            "status": report.status if report else None,
            "blocking": len(report.blocking) if report else 0,
            "warnings": len(report.warnings) if report else 0,
            "waived": len(report.waived) if report else 0,
            "report": report.file_name if report else None,
        })
    return {
        "month": gate.month, "generated_at": generated_at, "evaluated": gate.evaluated, "due_day": due_day,
        "blocked": gate.blocked,
        "blocking_departments": [report.department for report in reports if report.blocking] or ["（整表检查）"],
        "warnings": sum(len(report.warnings) for report in reports),
        "departments": departments, "waivers": [asdict(waiver) for waiver in waivers],
        "general": general_failures(gate), "trend_months": months, "trend_rows": trend_rows,
        "delivery_labels": DELIVERY_LABELS, "status_labels": STATUS_LABELS,
    }
