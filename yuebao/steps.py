"""The steps of a monthly load, as plain functions of a MonthRun: the DAG only wires them.

prepare → ingest → transform → validate → publish. Each step reads and writes only the month's
build folder until publish, which swaps the warehouse in and writes the bulletin.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any

from yuebao import DBT_PROJECT_DIR
from yuebao.month_run import MonthRun

log = logging.getLogger(__name__)
TIMINGS_FILE = "timings.jsonl"


@contextmanager
def timed(run: MonthRun, stage: str) -> Iterator[None]:
    """Append ``{"stage", "seconds"}`` to the build folder's timings.jsonl (read by bench/)."""
    began = time.perf_counter()
    try:
        yield
    finally:
        record = {"stage": stage, "seconds": round(time.perf_counter() - began, 4)}
        if run.build_dir.is_dir():
            with (run.build_dir / TIMINGS_FILE).open("a", encoding="utf-8") as handle:
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


def _timed_step(step: Callable[[MonthRun], Any]) -> Callable[[MonthRun], Any]:
    @wraps(step)
    def run_step(run: MonthRun) -> Any:
        try:
            with timed(run, step.__name__):
                return step(run)
        finally:
            release_arrow_memory()
    return run_step


class GateBlocked(Exception):
    """The data-quality gate found blocking failures; nothing was published."""


@_timed_step
def prepare(run: MonthRun) -> None:
    from publication.warehouse import start_build

    start_build(run.published_db, run.build_db, run.build_dir)
    if run.target == "postgres":
        from yuebao import targets

        targets.prepare(run)
    log.info("build started at %s", run.build_db)


@_timed_step
def ingest(run: MonthRun) -> dict[str, object]:
    import duckdb

    from ingestion.load import ingest_month
    from yuebao import duckdb_config

    with duckdb.connect(str(run.build_db), config=duckdb_config()) as con:
        summary = ingest_month(con, run.inbox, run.home, run.month, run.seeds_dir / "departments.csv")
    if run.target == "postgres":
        from yuebao import targets

        targets.land(run)
    return summary.as_dict()


@_timed_step
def transform(run: MonthRun) -> dict[str, object]:
    from yuebao.transform import build

    project = reference_project(run) if run.reference else DBT_PROJECT_DIR
    if run.target == "postgres":
        from yuebao import targets

        os.environ.update(targets.dbt_environment())
    outcome = build(run, project_dir=project)
    if run.target == "postgres":
        targets.mirror_build(run)  # validation and publication read the DuckDB build
    return {"models": outcome.models, "tests": outcome.tests}


def reference_project(run: MonthRun) -> Path:
    """``<home>/dbt_reference_project``: the dbt project with ``run.reference`` as its seeds.

    Links every entry of dbt_project/ but seeds/, a copy of the reference CSVs (dbt writes
    compiled files to ``<target>/run/<seed path>``, so seeds must stay inside the project; an
    absolute seed-paths entry makes dbt overwrite the CSVs). Stable per home: partial parse works.
    """
    project = run.home / "dbt_reference_project"
    seeds = project / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    for entry in DBT_PROJECT_DIR.iterdir():
        link = project / entry.name
        if entry.name not in ("seeds", "target", "logs") and not link.is_symlink():
            link.symlink_to(entry)
    wanted = {path.name for path in run.seeds_dir.glob("*.csv")}
    for stale in seeds.glob("*.csv"):
        if stale.name not in wanted:
            stale.unlink()
    for name in wanted:
        source, copy = run.seeds_dir / name, seeds / name
        if not copy.exists() or copy.read_bytes() != source.read_bytes():
            shutil.copyfile(source, copy)
    return project


@_timed_step
def validate(run: MonthRun) -> dict[str, object]:
    from expectations.gate import validate as run_gate
    from publication.dq import write_month_reports
    from yuebao import duckdb_config
    from yuebao.delivery import due_day
    from yuebao.waivers import load_waivers

    waivers = load_waivers(run.home)
    result = run_gate(run.build_db, run.build_dir, run.month, [w for w in waivers if w.month == run.month], due_day(),
                      duckdb_config(), data_docs=run.documents)
    # Reports are written even when the gate blocks: the departments must learn why.
    write_month_reports(run.build_db, run.build_dir, run.publish_dir, result, waivers, due_day())
    if result.blocked:
        raise GateBlocked(result.reason())
    return {"evaluated": result.evaluated, "warnings": len(result.failures)}


@_timed_step
def render_draft(run: MonthRun) -> dict[str, str]:
    """The bulletin of the checked build in ``run.draft_dir``, for the reviewer who approves the
    release; only when approval is required (``yuebao.approval``)."""
    from datetime import UTC, datetime

    from yuebao.approval import approval_required

    if not approval_required():
        return {}
    from publication.bulletin import write_bulletin

    if run.draft_dir.exists():
        shutil.rmtree(run.draft_dir)
    run.draft_dir.mkdir(parents=True)
    write_bulletin(run.build_db, run.month, run.draft_dir)
    return {"draft_dir": str(run.draft_dir), "rendered_at": datetime.now(UTC).isoformat(timespec="seconds")}


def record_release_approval(run: MonthRun, rendered_at: str | None, answer: dict[str, Any] | None) -> None:
    """Write who approved the release into the build (``pub_release_approvals``), when required."""
    from datetime import datetime

    from yuebao.approval import approval_required, release_record, write_release_approval

    if not approval_required():
        return
    approval = release_record(run.home, run.month, datetime.fromisoformat(rendered_at) if rendered_at else None,
                              answer)
    if approval is None:
        raise RuntimeError(f"{run.month}: approval is required and none was recorded")
    write_release_approval(run.build_db, approval)


@_timed_step
def publish(run: MonthRun) -> dict[str, str]:
    from publication.outputs import writers
    from publication.releases import record_release
    from publication.warehouse import finalize, swap_in

    record_release(run.build_db, run.month)  # pub_releases: when this month went out (data API)
    finalize(run.build_db)
    staged = run.build_dir / "publish"
    staged.mkdir(parents=True, exist_ok=True)
    for write in writers(documents=run.documents):
        with timed(run, write.__name__.removeprefix("write_")):
            write(run.build_db, run.month, staged)
    if run.target == "postgres":
        from yuebao import targets

        targets.publish(run)  # one transaction on PostgreSQL, before the DuckDB file moves
    swap_in(run.build_db, run.published_db)
    run.publish_dir.mkdir(parents=True, exist_ok=True)
    for item in staged.iterdir():
        target = run.publish_dir / item.name
        if target.is_dir():
            shutil.rmtree(target)
        shutil.move(str(item), target)
    outputs = {"warehouse": str(run.published_db), "publish_dir": str(run.publish_dir)}
    (run.build_dir / "published.json").write_text(json.dumps(outputs, ensure_ascii=False), encoding="utf-8")
    return outputs
