"""Running the gate: export the month's tables to Parquet, validate them in one GX checkpoint.

GX reads the exported Parquet files through a pandas filesystem datasource: its SQL datasource
over duckdb-engine returns no rows to metric queries (see docs/design.md), and Parquet keeps one
checkpoint for all suites. The result is written as ``gate.json`` beside the build.
"""

from __future__ import annotations

import calendar
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from expectations.suites import LOCATION_COLUMNS, Suite, all_suites

log = logging.getLogger(__name__)


@dataclass
class Failure:
    suite: str
    expectation: str
    column: str | None
    severity: str
    description: str
    unexpected_count: int
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class GateResult:
    month: str
    evaluated: int
    failures: list[Failure]

    @property
    def blocking(self) -> list[Failure]:
        return [failure for failure in self.failures if failure.severity == "blocking"]

    @property
    def blocked(self) -> bool:
        return bool(self.blocking)

    def reason(self) -> str:
        """One line for the operator."""
        if not self.blocked:
            return f"quality gate passed ({self.evaluated} checks, {len(self.failures)} warning(s))"
        first = self.blocking[0]
        where = first.rows[0] if first.rows else {}
        located = f" e.g. {where.get('source_file')} row {where.get('source_row')}" if where else ""
        return (f"quality gate blocked publication: {len(self.blocking)} blocking check(s) failed; "
                f"first: {first.suite}.{first.expectation}({first.column}): {first.description}{located}")

    def write(self, path: Path) -> None:
        payload = asdict(self) | {"blocked": self.blocked}
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> GateResult:
        data = json.loads(path.read_text(encoding="utf-8"))
        failures = [Failure(**failure) for failure in data["failures"]]
        return cls(data["month"], data["evaluated"], failures)


def month_end(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return f"{month}-{calendar.monthrange(year, number)[1]:02d}"


def export_tables(database: Path, suites: list[Suite], directory: Path) -> None:
    """One Parquet file per checked relation (DuckDB writes it directly)."""
    directory.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(database), read_only=True) as con:
        for suite in suites:
            relation = resolve_relation(con, suite.table)
            columns = {row[0] for row in con.execute(f"describe {relation}").fetchall()}
            # Every batch carries the location columns, so GX can report where a failing row is.
            padding = "".join(f", null as {name}" for name in LOCATION_COLUMNS if name not in columns)
            target = directory / f"{suite.table}.parquet"
            con.execute(f"copy (select *{padding} from {relation} where {suite.scope}) to '{target}' (format parquet)")


def resolve_relation(con: duckdb.DuckDBPyConnection, name: str) -> str:
    row = con.execute(
        "select table_schema from information_schema.tables where table_name = ? order by table_schema limit 1",
        [name],
    ).fetchone()
    if row is None:
        raise LookupError(f"relation {name} not found in the build database")
    return f'"{row[0]}"."{name}"'


def run_checkpoint(directory: Path, suites: list[Suite], month: str) -> GateResult:
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_pandas_filesystem(name="month_build", base_directory=directory)
    definitions = []
    for suite in suites:
        asset = source.add_parquet_asset(name=suite.table)
        batch = asset.add_batch_definition_path(name=suite.table, path=f"{suite.table}.parquet")
        gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name))
        for check in suite.checks:
            expectation_class = getattr(gx.expectations, check.expectation)
            meta = {"severity": check.severity, "description": check.description, **check.meta}
            gx_suite.add_expectation(expectation_class(**check.kwargs, meta=meta))
        definitions.append(context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
        ))
    checkpoint = context.checkpoints.add(gx.Checkpoint(
        name="monthly_gate",
        validation_definitions=definitions,
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": LOCATION_COLUMNS},
    ))
    result = checkpoint.run()
    return collect(result, month)


def collect(result: Any, month: str) -> GateResult:
    failures: list[Failure] = []
    evaluated = 0
    for validation in result.run_results.values():
        suite_name = validation.suite_name
        for outcome in validation.results:
            evaluated += 1
            if outcome.success:
                continue
            config = outcome.expectation_config
            details = outcome.result or {}
            rows = [_plain(row) for row in (details.get("unexpected_index_list") or [])[:200]]
            failures.append(Failure(
                suite=suite_name,
                expectation=config.type,
                column=config.kwargs.get("column"),
                severity=config.meta.get("severity", "blocking"),
                description=config.meta.get("description", ""),
                unexpected_count=int(details.get("unexpected_count") or len(rows) or 1),
                rows=rows,
            ))
    return GateResult(month, evaluated, failures)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """numpy scalars and NaN → JSON-friendly values."""
    plain: dict[str, Any] = {}
    for key, value in row.items():
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and value != value:
            value = None
        plain[key] = value
    return plain


def validate(database: Path, build_dir: Path, month: str) -> GateResult:
    """Run every suite on the month's build database and write ``gate.json``."""
    suites = all_suites(month, month_end(month))
    batches = build_dir / "gx_batches"
    export_tables(database, suites, batches)
    result = run_checkpoint(batches, suites, month)
    result.write(build_dir / "gate.json")
    log.info(result.reason())
    return result
