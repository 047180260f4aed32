"""Data-quality reports of a month: one per department (HTML and .xlsx), a summary page, Data Docs.

``write_month_reports`` runs inside the validate step, whether the gate passed or blocked: the
departments must learn why a month was not published. It records the month's tracker, failure
history and waivers in the build database (published only with the month) and writes the reports
straight into ``<home>/publish/<month>/dq/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from expectations.gate import GateResult
from expectations.suites import all_suites
from publication.dq.html import render_department, render_summary, write_html
from publication.dq.model import DepartmentReport, build_reports
from publication.dq.summary import summary_context
from publication.dq.tables import record_month
from publication.dq.xlsx import write_workbook
from yuebao.waivers import Waiver

DQ_FOLDER = "dq"


def gate_checks() -> list[tuple[str, str]]:
    return [(check.rule, check.description) for suite in all_suites() for check in suite.checks]


def write_month_reports(database: Path, build_dir: Path, publish_dir: Path, gate: GateResult,
                        waivers: Sequence[Waiver], due_day: int = 3,
                        now: datetime | None = None) -> list[DepartmentReport]:
    """Record the month's quality tables in the build and write every report under ``publish_dir/dq``.

    ``waivers`` is the whole log (it becomes ``dq_waivers``); the summary lists the month's.
    """
    generated_at = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    record_month(database, gate, waivers, due_day)
    reports = build_reports(database, gate, gate_checks())
    staging = build_dir / "dq_reports"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    for report in reports:
        write_html(staging / f"{report.file_name}.html", render_department(report, generated_at))
        write_workbook(report, staging / f"{report.file_name}.xlsx")
    month_waivers = [waiver for waiver in waivers if waiver.month == gate.month]
    docs = build_dir / "data_docs"
    context = summary_context(database, gate, reports, month_waivers, generated_at, due_day)
    write_html(staging / "index.html", render_summary(context | {"data_docs": docs.is_dir()}))
    if docs.is_dir():  # not built for a backfill's earlier months
        shutil.copytree(docs, staging / "data_docs")
    target = publish_dir / DQ_FOLDER
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        shutil.rmtree(target)
    shutil.move(str(staging), target)
    return reports
