"""Where one report month's run reads and writes: the paths every step agrees on.

Every file or folder a month's run names is a property here; the layers below (ingestion,
expectations, publication) receive these paths as arguments and spell none of them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from ingestion.report_month import InvalidMonth, ReportMonth
from yuebao import SEEDS_DIR

__all__ = ["InvalidMonth", "MonthRun", "check_month"]


def check_month(month: str) -> str:
    """``month`` if it is a report month ``YYYY-MM``; InvalidMonth otherwise."""
    return str(ReportMonth.parse(month))


def _flag(value: object, default: bool) -> bool:
    """A boolean param as the DAG or a JSON file may carry it (true, "false", 0, None …)."""
    return default if value is None else str(value).lower() not in ("false", "0", "no")


@dataclass(frozen=True)
class MonthRun:
    """One report month loaded from ``inbox`` into the warehouse under ``home``."""

    month: str
    inbox: Path
    home: Path
    target: str = "duckdb"
    # Catalog folder (regions/indicators/departments/units .csv) replacing the dbt seeds, if any.
    reference: Path | None = None
    # Render the documents people read (the bulletin, GX Data Docs) and e-mail the departments'
    # reports. A backfill turns it off for all but its last month: the warehouse, Parquet files,
    # gate result and department reports of every month are written either way.
    documents: bool = True
    # Rebuild every incremental model from the whole landing history (dbt --full-refresh): after a
    # catalog change that should apply to earlier months, or an old month re-loaded whose later
    # vintages must follow. Minutes instead of seconds with years of history.
    full_refresh: bool = False
    # A backfill's overlap (``yuebao.backfill``): after dbt, the build is moved to ``checked_db`` so
    # the next month can build while this one is checked and published ...
    hand_off: bool = False
    # ... and that next month starts from the checked build of ``builds_on`` (the month before),
    # not from the published warehouse, which that month has not reached yet.
    builds_on: str | None = None

    def __post_init__(self) -> None:
        check_month(self.month)
        if self.target not in ("duckdb", "postgres"):
            raise ValueError(f"target must be duckdb or postgres, got {self.target!r}")
        if self.builds_on is not None and check_month(self.builds_on) >= self.month:
            raise ValueError(f"{self.month} cannot build on {self.builds_on}, which is not before it")
        if (self.hand_off or self.builds_on) and self.target != "duckdb":
            raise ValueError("only the duckdb target hands a checked build on to the next month")

    @classmethod
    def from_dict(cls, data: dict[str, str | bool]) -> MonthRun:
        reference = Path(str(data["reference"])) if data.get("reference") else None
        return cls(str(data["month"]), Path(str(data["inbox"])), Path(str(data["home"])),
                   str(data.get("target", "duckdb")), reference, _flag(data.get("documents"), True),
                   _flag(data.get("full_refresh"), False), _flag(data.get("hand_off"), False),
                   str(data["builds_on"]) if data.get("builds_on") else None)

    def as_dict(self) -> dict[str, str | bool]:
        """JSON-ready: paths as strings, flags as booleans (the DAG's param type)."""
        return {key: value if isinstance(value, bool) else str(value)
                for key, value in asdict(self).items() if value is not None}

    @property
    def seeds_dir(self) -> Path:
        """Where this run's catalog CSVs are: ``reference`` or the dbt project's seeds."""
        return self.reference or SEEDS_DIR

    @property
    def build_dir(self) -> Path:
        """Private working folder of this month's run; never read by analysts."""
        return self.home / "build" / self.month

    @property
    def build_db(self) -> Path:
        # Same file name as the published one, so DuckDB's catalog name ("warehouse") matches;
        # the same path every month, so dbt's partial parse (keyed on the profile) is reused.
        return self.home / "build" / "warehouse" / "warehouse.duckdb"

    @property
    def checked_db(self) -> Path:
        """The build the gate checks and publish swaps in: ``build_db``, or with ``hand_off`` the
        month's own copy, moved there after dbt (`yuebao.targets.duckdb`)."""
        return self.build_dir / "checked" / self.build_db.name if self.hand_off else self.build_db

    @property
    def base_db(self) -> Path:
        """What the build starts from: the published warehouse, or the checked build of ``builds_on``."""
        if self.builds_on is None:
            return self.published_db
        return MonthRun(self.builds_on, self.inbox, self.home, hand_off=True).checked_db

    @property
    def compacts(self) -> bool:
        """Whether the build's checkpoints compact the growing tables (DuckDB's vacuum: merging the
        month's small row groups into full ones, dropping deleted rows): always, but in a
        backfill's overlap, where only December's build does, for the year (`yuebao.targets.duckdb`)."""
        return not self.hand_off or self.month.endswith("-12")

    @property
    def distribution_file(self) -> Path | None:
        """The office's 报/送 lines (``<home>/distribution.txt``, set in the portal), if it set them."""
        from yuebao.home import DISTRIBUTION_FILE

        path = self.home / DISTRIBUTION_FILE
        return path if path.is_file() else None

    @property
    def draft_dir(self) -> Path:
        """The bulletin rendered for review before publication (when approval is required)."""
        return self.build_dir / "draft"

    @property
    def chart_cache_dir(self) -> Path:
        """The bulletin's charts drawn before, named by a hash of all that makes their pixels
        (``publication.bulletin.chart_cache``): shared by every month and run of the home."""
        return self.home / "cache" / "charts"

    @property
    def published_db(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def publish_dir(self) -> Path:
        return self.home / "publish" / self.month

    @property
    def gate_file(self) -> Path:
        """The gate's result (read by the bulletin's notes and `yuebao run`'s exit code)."""
        return self.build_dir / "gate.json"

    @property
    def data_docs_dir(self) -> Path:
        """GX Data Docs of the month, built by the gate when ``documents`` is on."""
        return self.build_dir / "data_docs"

    @property
    def dq_dir(self) -> Path:
        """The departments' data-quality reports, published even when the gate blocks."""
        return self.publish_dir / "dq"

    @property
    def dq_staging_dir(self) -> Path:
        """Where the reports are written before they replace ``dq_dir`` at once."""
        return self.build_dir / "dq_reports"

    @property
    def publish_staging_dir(self) -> Path:
        """The month's bulletin and Parquet files, moved to ``publish_dir`` after the swap."""
        return self.build_dir / "publish"

    @property
    def published_file(self) -> Path:
        """What publish wrote (warehouse and folder), as JSON."""
        return self.build_dir / "published.json"

    @property
    def failure_file(self) -> Path:
        """The one-line reason a task failed, for `yuebao run` to print (``yuebao.cli_status``)."""
        return self.build_dir / "failure.txt"

    @property
    def log_file(self) -> Path:
        """The run's full log (tasks, dbt, GX); on screen only with `yuebao run --verbose`."""
        return self.build_dir / "run.log"

    @property
    def log_staging_file(self) -> Path:
        """Where the log is written while the run goes on (prepare empties ``build_dir``)."""
        return self.build_dir.with_name(f"{self.month}.run.log")

    @property
    def timings_file(self) -> Path:
        """One JSON line per step and writer with its seconds (read by bench/)."""
        return self.build_dir / "timings.jsonl"

    @property
    def dbt_log_dir(self) -> Path:
        return self.build_dir / "dbt_logs"

    @property
    def dbt_target_dir(self) -> Path:
        # Stable per home so dbt's partial parsing is reused from month to month.
        return self.home / "dbt_target"

    @property
    def reference_project_dir(self) -> Path:
        """The dbt project with ``reference`` as its seeds (``transform.reference_project``); stable
        per home, like ``dbt_target_dir``, so dbt's partial parsing is reused."""
        return self.home / "dbt_reference_project"
