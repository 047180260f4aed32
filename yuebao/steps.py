"""The steps of a monthly load, as plain functions of a MonthRun: the DAG only wires them.

prepare → ingest → transform → validate → publish. Each step reads and writes only the month's
build folder until publish, which swaps the warehouse in and writes the bulletin.
"""

from __future__ import annotations

import json
import logging
import shutil

from yuebao import SEEDS_DIR
from yuebao.month_run import MonthRun

log = logging.getLogger(__name__)


class GateBlocked(Exception):
    """The data-quality gate found blocking failures; nothing was published."""


def prepare(run: MonthRun) -> None:
    from publication.warehouse import start_build

    start_build(run.published_db, run.build_db)
    log.info("build started at %s", run.build_db)


def ingest(run: MonthRun) -> dict[str, object]:
    import duckdb

    from ingestion.load import ingest_month

    with duckdb.connect(str(run.build_db)) as con:
        summary = ingest_month(con, run.inbox, run.home, run.month, SEEDS_DIR / "departments.csv")
    return summary.as_dict()


def transform(run: MonthRun) -> dict[str, object]:
    from yuebao.transform import build

    outcome = build(run)
    return {"models": outcome.models, "tests": outcome.tests}


def validate(run: MonthRun) -> dict[str, object]:
    from expectations.gate import validate as run_gate

    result = run_gate(run.build_db, run.build_dir, run.month)
    if result.blocked:
        raise GateBlocked(result.reason())
    return {"evaluated": result.evaluated, "warnings": len(result.failures)}


def publish(run: MonthRun) -> dict[str, str]:
    from publication.outputs import writers
    from publication.warehouse import finalize, swap_in

    finalize(run.build_db)
    staged = run.build_dir / "publish"
    staged.mkdir(parents=True, exist_ok=True)
    for write in writers():
        write(run.build_db, run.month, staged)
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
