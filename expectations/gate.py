"""Running the gate: export the month's rows to Parquet, validate them in one GX checkpoint.

GX reads the exported Parquet files through a pandas filesystem datasource: its SQL datasource
over duckdb-engine returns no rows to metric queries (see docs/design.md), and Parquet keeps one
checkpoint for all suites. Each export is ``expectations/sql/<suite>.sql`` run by DuckDB; checks
that need a join or a window are per-row columns computed there. Waivers recorded by the
coordination office turn a blocking failure of (month, department, rule) into a waived one. The
result and GX Data Docs are written where the caller says (``MonthRun.gate_file``, ``data_docs_dir``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import duckdb

from expectations.suites import (
    FILE_RULES,
    LOCATION_COLUMNS,
    READ_BACK_COLUMNS,
    REPORT_COLUMNS,
    RESOLUTION_RULES,
    SQL_PARAMETERS,
    Suite,
    all_suites,
)
from ingestion.departments import UNKNOWN_DEPARTMENT
from ingestion.issues import RULE_HINTS
from ingestion.report_month import ReportMonth

log = logging.getLogger(__name__)

SQL_DIR = Path(__file__).with_name("sql")
MAX_ROWS_PER_FAILURE = 2000


class WaiverLike(Protocol):
    department: str
    rule: str


@dataclass
class Failure:
    suite: str
    expectation: str
    column: str | None
    severity: str
    description: str
    unexpected_count: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    rule: str = ""
    layer: str = ""
    column_label: str = ""
    hint: str = ""
    waived: bool = False  # a blocking failure whose every row is covered by a waiver

    @property
    def is_blocking(self) -> bool:
        return self.severity == "blocking" and not self.waived


@dataclass
class GateResult:
    month: str
    evaluated: int
    failures: list[Failure]
    waivers: list[dict[str, Any]] = field(default_factory=list)  # the waivers that applied

    @property
    def blocking(self) -> list[Failure]:
        return [failure for failure in self.failures if failure.is_blocking]

    @property
    def blocked(self) -> bool:
        return bool(self.blocking)

    def reason(self) -> str:
        """One line for the operator."""
        if not self.blocked:
            waived = sum(failure.waived for failure in self.failures)
            return (f"quality gate passed ({self.evaluated} checks, {len(self.failures) - waived} warning(s)"
                    f"{f', {waived} waived' if waived else ''})")
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
        return cls(data["month"], data["evaluated"], failures, data.get("waivers", []))


def due_at(month: str, due_day: int) -> datetime:
    """End of the due day (Asia/Shanghai) in the month after the report month, as naive UTC."""
    due_month = ReportMonth.parse(month).next()
    local_end = datetime(due_month.year, due_month.month, due_day) + timedelta(days=1)
    return local_end - timedelta(hours=8)


def sql_variables(month: str, due_day: int) -> dict[str, Any]:
    report_month = ReportMonth.parse(month)
    return {
        **SQL_PARAMETERS,
        "report_month": report_month.first_day,
        "report_month_end": report_month.last_day,
        "due_at": due_at(month, due_day),
        "file_rules": FILE_RULES,
        "resolution_rules": RESOLUTION_RULES,
    }


def set_variables(con: duckdb.DuckDBPyConnection, variables: dict[str, Any]) -> None:
    """The parameters the suites' SQL reads with ``getvariable``."""
    for name, value in variables.items():
        con.execute(f"set variable {name} = ?", [value])


def suite_sql(suite: Suite) -> str:
    return (SQL_DIR / f"{suite.name}.sql").read_text(encoding="utf-8")


def export_suite_rows(con: duckdb.DuckDBPyConnection, suites: list[Suite], directory: Path,
                      variables: dict[str, Any]) -> None:
    """One Parquet file per suite, written by DuckDB from the suite's SQL."""
    directory.mkdir(parents=True, exist_ok=True)
    set_variables(con, variables)
    for suite in suites:
        target = directory / f"{suite.table}.parquet"
        con.execute(f"copy ({suite_sql(suite)}) to '{target}' (format parquet)")


def export_tables(database: Path, suites: list[Suite], directory: Path, month: str, due_day: int,
                  duckdb_config: dict[str, str] | None = None) -> None:
    with duckdb.connect(str(database), read_only=True, config=duckdb_config or {}) as con:
        export_suite_rows(con, suites, directory, sql_variables(month, due_day))


def run_checkpoint(directory: Path, suites: list[Suite], month: str, docs_dir: Path | None = None) -> GateResult:
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_pandas_filesystem(name="month_build", base_directory=directory)
    definitions = []
    exported = exported_columns(directory, suites)
    index = gx_index_columns(exported)
    for suite in suites:
        # only the columns the checks and the failing-row report read: evidence is read back later
        asset = source.add_parquet_asset(name=suite.table, columns=checked_columns(suite, index, exported[suite.name]))
        batch = asset.add_batch_definition_path(name=suite.table, path=f"{suite.table}.parquet")
        gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name))
        for check in suite.checks:
            expectation_class = getattr(gx.expectations, check.expectation)
            meta = {"severity": check.severity, "description": check.description, "rule": check.rule,
                    "layer": suite.layer, "column_label": check.column_label, "hint": check.hint}
            gx_suite.add_expectation(expectation_class(**check.kwargs, meta=meta))
        definitions.append(context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
        ))
    checkpoint = context.checkpoints.add(gx.Checkpoint(
        name="monthly_gate",
        validation_definitions=definitions,
        # SUMMARY keeps the first MAX_ROWS_PER_FAILURE failing rows' index, not every failing value
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": MAX_ROWS_PER_FAILURE,
                       "unexpected_index_column_names": index},
    ))
    try:
        result = checkpoint.run()
        if docs_dir is not None:
            build_data_docs(context, result, docs_dir)
        return collect(result, month)
    finally:
        forget_context()


def forget_context() -> None:
    """Let the month's frames go: GX keeps the last context it made (``get_context``), and with it
    every batch it loaded (1.2 GB in a country month) until the next gate."""
    from great_expectations.data_context.data_context.context_factory import project_manager

    project_manager.set_project(None)


def build_data_docs(context: Any, result: Any, docs_dir: Path) -> None:
    """The month's Data Docs: one page per suite's result and one index, built once.

    GX's ``UpdateDataDocsAction`` rebuilds the index after each suite's page (five times here:
    ≈ 1.4 s each of a month's run); the same pages, built in one call, cost one index.
    """
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    context.add_data_docs_site("month_docs", {
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    })
    identifiers: list[Any] = []
    for result_id, suite_result in result.run_results.items():
        identifiers += [result_id, ExpectationSuiteIdentifier(name=suite_result.suite_name)]
    context.build_data_docs(site_names=["month_docs"], resource_identifiers=identifiers, build_index=True)


def exported_columns(directory: Path, suites: list[Suite]) -> dict[str, set[str]]:
    with duckdb.connect() as con:
        return {suite.name: {row[0] for row in con.execute(
            f"describe select * from '{directory / f'{suite.table}.parquet'}'").fetchall()} for suite in suites}


def gx_index_columns(exported: dict[str, set[str]]) -> list[str]:
    """The columns GX reports a failing row by: ``REPORT_COLUMNS`` less those read back by row_id
    (`attach_report_columns`) when every export has them, else the location."""
    if all(set(REPORT_COLUMNS) <= names for names in exported.values()):
        return [column for column in REPORT_COLUMNS if column not in READ_BACK_COLUMNS]
    return LOCATION_COLUMNS


def checked_columns(suite: Suite, index: list[str], available: set[str]) -> list[str]:
    """The index columns GX reports failing rows by, then every column a check of the suite reads."""
    wanted = list(index)
    for check in suite.checks:
        for column in [check.kwargs.get("column"), *check.kwargs.get("column_list", [])]:
            if column and column not in wanted:
                wanted.append(column)
    return [column for column in wanted if column in available]


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
            rows = [_plain(row) for row in details.get("partial_unexpected_index_list") or []]
            meta = config.meta or {}
            failures.append(Failure(
                suite=suite_name,
                expectation=config.type,
                column=config.kwargs.get("column"),
                severity=meta.get("severity", "blocking"),
                description=meta.get("description", ""),
                unexpected_count=int(details.get("unexpected_count") or len(rows) or 1),
                rows=rows,
                rule=meta.get("rule", ""),
                layer=meta.get("layer", ""),
                column_label=meta.get("column_label", ""),
                hint=meta.get("hint", ""),
            ))
    return GateResult(month, evaluated, failures)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """numpy scalars, NaN and timestamps → JSON-friendly values."""
    plain: dict[str, Any] = {}
    for key, value in row.items():
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and value != value:
            value = None
        if hasattr(value, "isoformat"):
            value = value.isoformat()[:10] if not getattr(value, "hour", 0) else value.isoformat()
        plain[key] = value
    return plain


def attach_report_columns(result: GateResult, directory: Path) -> None:
    """Read back the ``READ_BACK_COLUMNS`` of each failing row by row_id, placed where
    ``REPORT_COLUMNS`` has them (after the columns GX returned before them)."""
    with duckdb.connect() as con:
        for failure in result.failures:
            by_id = _read_back(con, directory, failure, {column: column for column in READ_BACK_COLUMNS})
            if by_id:
                failure.rows = [_with_report_columns(row, by_id.get(row.get("row_id"), {})) for row in failure.rows]


def _read_back(con: duckdb.DuckDBPyConnection, directory: Path, failure: Failure,
               columns: dict[str, str]) -> dict[Any, dict[str, Any]]:
    """row_id → {name: the export's SQL expression ``columns[name]``} for the failure's rows."""
    ids = [row["row_id"] for row in failure.rows if row.get("row_id") is not None]
    if not ids:
        return {}
    selected = ", ".join(f"{expression} as {name}" for name, expression in columns.items())
    records = con.execute(f"select row_id, {selected} from '{directory / f'{failure.suite}.parquet'}'"
                          " where row_id in (select unnest(?))", [ids]).fetchall()
    return {record[0]: dict(zip(columns, record[1:], strict=True)) for record in records}


def _with_report_columns(row: dict[str, Any], read_back: dict[str, Any]) -> dict[str, Any]:
    """``row`` with ``read_back`` added: the report columns in ``REPORT_COLUMNS`` order, then the rest."""
    merged = row | read_back
    return {column: merged[column] for column in REPORT_COLUMNS if column in merged} | merged


def attach_evidence(result: GateResult, suites: list[Suite], directory: Path) -> None:
    """Read back, for each failing row, the fields its check shows (value, rule, message, column)."""
    checks = {(suite.name, check.rule, check.description): check for suite in suites for check in suite.checks}
    with duckdb.connect() as con:
        for failure in result.failures:
            check = checks.get((failure.suite, failure.rule, failure.description))
            if check is None or not check.evidence:
                continue
            by_id = _read_back(con, directory, failure,
                               {name: f"cast({column} as varchar)" for name, column in check.evidence.items()})
            for row in failure.rows:
                row.update(by_id.get(row.get("row_id"), {}))


def row_department(row: dict[str, Any]) -> str:
    return row.get("submitted_by") or UNKNOWN_DEPARTMENT


def row_rule(row: dict[str, Any], failure: Failure) -> str:
    return row.get("rule") or failure.rule


@dataclass(frozen=True)
class RowReport:
    """What a department is told about one failing row (the report's and the upload check's wording)."""

    rule: str
    column: str
    value: str | None
    message: str
    hint: str


def row_report(failure: Failure, row: dict[str, Any]) -> RowReport:
    rule = row_rule(row, failure)
    return RowReport(
        rule=rule,
        column=row.get("column") or failure.column_label or (failure.column or ""),
        value=None if row.get("value") is None else str(row["value"]),
        message=row.get("message") or failure.description,
        hint=failure.hint or RULE_HINTS.get(rule, ""),
    )


def apply_waivers(result: GateResult, waivers: Iterable[WaiverLike]) -> None:
    """Mark rows a waiver covers; a blocking failure with every row covered no longer blocks."""
    waivers = list(waivers)
    applied: dict[int, WaiverLike] = {}
    for failure in result.failures:
        if failure.severity != "blocking":
            continue
        for row in failure.rows:
            for waiver in waivers:
                if waiver.department == row_department(row) and waiver.rule in (row_rule(row, failure), failure.rule):
                    row["waived"] = True
                    applied[id(waiver)] = waiver
                    break
        failure.waived = (bool(failure.rows) and len(failure.rows) == failure.unexpected_count
                          and all(row.get("waived") for row in failure.rows))
    result.waivers = [_as_dict(waiver) for waiver in applied.values()]


def _as_dict(waiver: WaiverLike) -> dict[str, Any]:
    return asdict(waiver) if hasattr(waiver, "__dataclass_fields__") else dict(vars(waiver))  # type: ignore[arg-type]


def validate(database: Path, work_dir: Path, month: str, waivers: Sequence[WaiverLike] = (),
             due_day: int = 3, duckdb_config: dict[str, str] | None = None, *,
             gate_file: Path | None = None, data_docs_dir: Path | None = None) -> GateResult:
    """Run every suite on the month's build database, apply waivers, write the result to ``gate_file``.

    The Parquet exports go under ``work_dir``; ``duckdb_config`` (e.g. a memory limit) applies to
    the connection that writes them; GX Data Docs are built into ``data_docs_dir`` when given
    (about 2 s a month)."""
    suites = all_suites()
    batches = work_dir / "gx_batches"
    export_tables(database, suites, batches, month, due_day, duckdb_config)
    result = run_checkpoint(batches, suites, month, docs_dir=data_docs_dir)
    attach_report_columns(result, batches)
    attach_evidence(result, suites, batches)
    apply_waivers(result, waivers)
    if gate_file is not None:
        result.write(gate_file)
    log.info(result.reason())
    return result
