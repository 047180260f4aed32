"""The steps of a monthly load, as plain functions of a MonthRun and the Settings: the DAG only
wires them.

prepare → ingest → transform → validate → publish. Until publish, the published warehouse is
untouched: the steps build in ``<home>/build/``, except what must outlive a rejected month —
ingest archives the received files (``<home>/raw/``, the manifest) and validate writes the
departments' reports to ``<home>/publish/<month>/dq/`` (they must learn why a month was blocked).
The warehouse target (DuckDB or PostgreSQL, ``yuebao.targets``) is chosen in one place, ``target_for``.
In a backfill's overlap (``MonthRun.hand_off``/``builds_on``) validate and publish take the month's
``checked_db`` while the next month builds from a copy of it.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from yuebao.month_run import MonthRun
from yuebao.settings import Settings
from yuebao.targets import target_for

log = logging.getLogger(__name__)


@contextmanager
def timed(run: MonthRun, stage: str) -> Iterator[None]:
    """Append ``{"stage", "seconds"}`` to the run's ``timings_file`` (read by bench/)."""
    began = time.perf_counter()
    try:
        yield
    finally:
        record = {"stage": stage, "seconds": round(time.perf_counter() - began, 4)}
        if run.build_dir.is_dir():
            with run.timings_file.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(record) + "\n")


def release_arrow_memory() -> None:
    """Hand the memory pyarrow's pool keeps after a step back to the system.

    pandas' strings live in Arrow buffers, and mimalloc keeps freed pages: after a country month's
    ingest the process held 900 MB with nothing allocated, which the next step (dbt's DuckDB, up
    to its memory limit) then added to. One process runs every step under `yuebao run`.
    """
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:
        pyarrow.default_memory_pool().release_unused()


def _timed_step(step: Callable[[MonthRun, Settings], Any]) -> Callable[[MonthRun, Settings], Any]:
    @wraps(step)
    def run_step(run: MonthRun, settings: Settings) -> Any:
        try:
            with timed(run, step.__name__):
                return step(run, settings)
        finally:
            release_arrow_memory()
    return run_step


class GateBlocked(Exception):
    """The data-quality gate found blocking failures; nothing was published."""


@_timed_step
def prepare(run: MonthRun, settings: Settings) -> None:
    from yuebao.home import ensure_not_busy, fresh_build_folder

    ensure_not_busy(run.home)  # a scheduled run meeting a `yuebao run` that holds the home
    for folder in (run.build_db.parent, run.build_dir):
        fresh_build_folder(folder)  # empties only folders yuebao made
    target_for(run).prepare(run)
    log.info("build started at %s from %s", run.build_db, run.base_db)
    from yuebao.step_workers import prepared

    prepared(run, settings)  # under `yuebao run`, dbt's worker may now parse (it logs into build_dir)


@_timed_step
def ingest(run: MonthRun, settings: Settings) -> dict[str, object]:
    import duckdb

    from ingestion.load import ingest_month
    from ingestion.read_ahead import ready_reads

    ready = ready_reads(run.inbox, run.month)  # files a backfill read while the month before was built
    if ready:
        log.info("%d file(s) of %s were read ahead", len(ready), run.month)
    from yuebao.targets.duckdb import build_config

    with duckdb.connect(str(run.build_db), config=build_config(run, settings)) as con:
        summary = ingest_month(con, run.inbox, run.home, run.month, run.seeds_dir / "departments.csv", ready)
    target_for(run).land(run)
    return summary.as_dict()


@_timed_step
def transform(run: MonthRun, settings: Settings) -> dict[str, object]:
    from yuebao.step_workers import in_worker

    return in_worker("dbt", build_month, run, settings)  # warm and on the other core under `yuebao run`


def build_month(run: MonthRun, settings: Settings) -> dict[str, object]:
    """The transform step's work: ``dbt build`` of the month, then the target's after-build."""
    from yuebao.transform import build, run_project_dir

    outcome = build(run, settings, project_dir=run_project_dir(run))
    target_for(run).after_build(run)  # validation and publication read the DuckDB build
    return {"models": outcome.models, "tests": outcome.tests}


def after_build_tables() -> tuple[str, ...]:
    """The warehouse tables written after dbt, by the gate and publication (dbt reads none of them)."""
    from publication.dq.tables import DDL as DQ_TABLES
    from publication.releases import TABLE as RELEASES
    from yuebao.approval import TABLE as APPROVALS

    return (*DQ_TABLES, RELEASES, APPROVALS)


@_timed_step
def validate(run: MonthRun, settings: Settings) -> dict[str, object]:
    from expectations.gate import validate as run_gate
    from expectations.waivers import load_waivers
    from publication.dq import write_month_reports
    from publication.warehouse import carry_over
    from yuebao.targets.duckdb import build_config

    build = build_config(run, settings)  # the build's writes below compact it or not as dbt's did
    if run.builds_on is not None:  # built before that month went out: take what its publication wrote
        carry_over(run.published_db, run.checked_db, after_build_tables(), run.builds_on, build)
    waivers = load_waivers(run.home)
    month_waivers = [waiver for waiver in waivers if waiver.month == run.month]
    result = run_gate(run.checked_db, run.build_dir, run.month, month_waivers, settings.reminder_day,
                      settings.duckdb_config(), gate_file=run.gate_file,
                      data_docs_dir=run.data_docs_dir if run.documents else None)
    # Reports are written even when the gate blocks: the departments must learn why.
    write_month_reports(run.checked_db, run.dq_staging_dir, run.dq_dir, result, waivers, settings.reminder_day,
                        data_docs_dir=run.data_docs_dir, config=build)
    if result.blocked:
        raise GateBlocked(result.reason())
    return {"evaluated": result.evaluated, "warnings": len(result.failures)}


@_timed_step
def render_draft(run: MonthRun, settings: Settings) -> dict[str, str]:
    """The bulletin of the checked build in ``run.draft_dir``, for the reviewer who approves the
    release; only when approval is required (``settings.approval_required``, ``yuebao.approval``)."""
    from datetime import UTC, datetime

    if not settings.approval_required:
        return {}
    from publication.bulletin import write_bulletin

    if run.draft_dir.exists():
        shutil.rmtree(run.draft_dir)
    run.draft_dir.mkdir(parents=True)
    write_bulletin(run.checked_db, run.month, run.draft_dir, run.gate_file, settings.city_code, run.distribution_file,
                   chart_cache=run.chart_cache_dir)
    return {"draft_dir": str(run.draft_dir), "rendered_at": datetime.now(UTC).isoformat(timespec="seconds")}


def record_release_approval(run: MonthRun, settings: Settings, rendered_at: str | None,
                            answer: dict[str, Any] | None) -> None:
    """Write who approved the release into the build (``pub_release_approvals``), when required."""
    from datetime import datetime

    from yuebao.approval import release_record, write_release_approval

    if not settings.approval_required:
        return
    approval = release_record(run.home, run.month, datetime.fromisoformat(rendered_at) if rendered_at else None,
                              answer)
    if approval is None:
        raise RuntimeError(f"{run.month}: approval is required and none was recorded")
    write_release_approval(run.checked_db, approval)


@_timed_step
def publish(run: MonthRun, settings: Settings) -> dict[str, str]:
    from publication.outputs import writers
    from publication.releases import record_release
    from publication.warehouse import finalize
    from yuebao.home import assert_month_published, month_rows
    from yuebao.targets.duckdb import build_config

    build = build_config(run, settings)  # compacting the build or not, as dbt's writes did
    record_release(run.checked_db, run.month, config=build)  # pub_releases: when this month went out (data API)
    finalize(run.checked_db, build)
    built = month_rows(run.checked_db, run.month)
    staged = run.publish_staging_dir
    staged.mkdir(parents=True, exist_ok=True)
    for write in writers(documents=run.documents, gate_file=run.gate_file, city_code=settings.city_code,
                         distribution=run.distribution_file, chart_cache=run.chart_cache_dir):
        with timed(run, write.__name__.removeprefix("write_")):
            write(run.checked_db, run.month, staged)
    target_for(run).publish(run)
    assert_month_published(run.published_db, run.month, built)  # "published M" means M's rows are there
    run.publish_dir.mkdir(parents=True, exist_ok=True)
    for item in staged.iterdir():
        target = run.publish_dir / item.name
        if target.is_dir():
            shutil.rmtree(target)
        shutil.move(str(item), target)
    outputs = {"warehouse": str(run.published_db), "publish_dir": str(run.publish_dir)}
    run.published_file.write_text(json.dumps(outputs, ensure_ascii=False), encoding="utf-8")
    return outputs
