"""Data-quality reports of a month: one per department (HTML and .xlsx), a summary page, Data Docs.

``write_month_reports`` runs inside the validate step, whether the gate passed or blocked: the
departments must learn why a month was not published. It records the month's tracker, failure
history and waivers in the build database (published only with the month) and writes the reports
straight into the folder it is given (``MonthRun.dq_dir``: ``<home>/publish/<month>/dq/``).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from expectations.gate import GateResult
from expectations.suites import all_suites
from expectations.waivers import Waiver
from publication.dq.html import render_department, render_summary, write_html
from publication.dq.model import DepartmentReport, build_reports
from publication.dq.summary import summary_context
from publication.dq.tables import record_month
from publication.dq.xlsx import write_workbook

SUMMARY_PAGE = "index.html"  # the month's overview beside the departments' reports


def gate_checks() -> list[tuple[str, str]]:
    return [(check.rule, check.description) for suite in all_suites() for check in suite.checks]


def write_month_reports(database: Path, staging_dir: Path, dq_dir: Path, gate: GateResult,
                        waivers: Sequence[Waiver], due_day: int = 3,
                        now: datetime | None = None, data_docs_dir: Path | None = None,
                        config: Mapping[str, object] | None = None) -> list[DepartmentReport]:
    """Record the month's quality tables in the build and write every report into ``dq_dir``.

    The reports are written into ``staging_dir`` first, then replace ``dq_dir`` at once; GX Data
    Docs are copied in from ``data_docs_dir`` when it was built. ``waivers`` is the whole log (it
    becomes ``dq_waivers``); the summary lists the month's. ``config``: the DuckDB settings of the
    connection that writes the tables (the build's: ``yuebao.targets.duckdb.build_config``).
    """
    generated_at = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    record_month(database, gate, waivers, due_day, config)
    reports = build_reports(database, gate, gate_checks())
    if staging_dir.exists():
        shutil.rmtree(staging_dir)
    staging_dir.mkdir(parents=True)
    for report in reports:
        write_html(staging_dir / f"{report.file_name}.html", render_department(report, generated_at))
        write_workbook(report, staging_dir / f"{report.file_name}.xlsx")
    month_waivers = [waiver for waiver in waivers if waiver.month == gate.month]
    # Data Docs are not built for a backfill's earlier months
    docs = data_docs_dir if data_docs_dir is not None and data_docs_dir.is_dir() else None
    context = summary_context(database, gate, reports, month_waivers, generated_at, due_day)
    write_html(staging_dir / SUMMARY_PAGE, render_summary(context | {"data_docs": docs is not None}))
    if docs is not None:
        shutil.copytree(docs, staging_dir / "data_docs")
    dq_dir.parent.mkdir(parents=True, exist_ok=True)
    if dq_dir.exists():
        shutil.rmtree(dq_dir)
    shutil.move(str(staging_dir), dq_dir)
    return reports
