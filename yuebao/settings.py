"""The deployment's settings: every ``YUEBAO_*`` variable, read once at the edge (CLI, DAG files).

``Settings.from_environ()`` is called where a process starts its work (a command, a DAG file's
parse, a task); the library below receives the object, a ``MonthRun`` or plain values, and never
reads the environment itself. dbt is the one exception, documented in ``yuebao/transform.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DUE_DAY = 3
SMTP_CONN_ID = "yuebao_smtp"


@dataclass(frozen=True)
class Settings:
    # Defaults of the DAG's params (a run's own params win).
    home: Path = Path("home")
    inbox: Path = Path("inbox")
    target: str = "duckdb"
    reference: Path | None = None  # catalog folder replacing the dbt seeds
    # Retries of each task of yuebao_monthly (`yuebao run` sets 0: a failure is reported at once).
    task_retries: int = 2
    # The prefecture the bulletin is about; None: the catalog's only city (see the bulletin).
    city_code: str | None = None
    # Day of the month after the report month by which departments must have delivered.
    reminder_day: int = DEFAULT_DUE_DAY
    # The Airflow connection reports and reminders are mailed through.
    smtp_conn_id: str = SMTP_CONN_ID
    # DuckDB's memory limit for whole-month work (ingest, the gate's export, dbt's profile). A month's
    # peak is about this plus 0.6 GB (dbt's worker and this process): 2,880 MB for a country month
    # (docs/benchmarks.md); more makes the largest months' fact models spill less.
    duckdb_memory_limit: str = "2250MB"
    # Publication waits for a reviewer's approval (yuebao/approval.py): on in the deployed stack,
    # off for `yuebao run` and `make demo`.
    approval_required: bool = False
    # Where the portal answers the DAG's waiting approval: the stack's Airflow API server and the
    # user it answers as (password: this, else the SimpleAuthManager passwords file).
    airflow_api_url: str | None = None
    airflow_user: str = "admin"
    airflow_password: str | None = None
    airflow_passwords_file: Path | None = None

    def __post_init__(self) -> None:
        if self.target not in ("duckdb", "postgres"):
            raise ValueError(f"YUEBAO_TARGET must be duckdb or postgres, got {self.target!r}")
        if not 1 <= self.reminder_day <= 28:
            raise ValueError(f"reminder day must be 1–28, got {self.reminder_day}")
        if self.task_retries < 0:
            raise ValueError(f"YUEBAO_TASK_RETRIES must be 0 or more, got {self.task_retries}")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings of ``environ`` (default: this process's environment); unset ones keep their default."""
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            home=Path(env.get("YUEBAO_HOME") or defaults.home),
            inbox=Path(env.get("YUEBAO_INBOX") or defaults.inbox),
            target=env.get("YUEBAO_TARGET") or defaults.target,
            reference=Path(env["YUEBAO_REFERENCE"]) if env.get("YUEBAO_REFERENCE") else None,
            task_retries=int(env.get("YUEBAO_TASK_RETRIES") or defaults.task_retries),
            city_code=env.get("YUEBAO_CITY_CODE") or None,
            reminder_day=int(env.get("YUEBAO_REMINDER_DAY") or defaults.reminder_day),
            smtp_conn_id=env.get("YUEBAO_SMTP_CONN_ID") or defaults.smtp_conn_id,
            duckdb_memory_limit=env.get("YUEBAO_DUCKDB_MEMORY_LIMIT") or defaults.duckdb_memory_limit,
            approval_required=(env.get("YUEBAO_APPROVAL_REQUIRED") or "").strip().lower() in ("1", "true", "yes", "on"),
            airflow_api_url=env.get("YUEBAO_AIRFLOW_API_URL") or None,
            airflow_user=env.get("YUEBAO_AIRFLOW_USER") or defaults.airflow_user,
            airflow_password=env.get("YUEBAO_AIRFLOW_PASSWORD") or None,
            airflow_passwords_file=(Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
                                    if env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE") else None),
        )

    def duckdb_config(self) -> dict[str, str]:
        """Settings of the DuckDB connections that work on a whole month (ingest, the gate's export).

        DuckDB caches up to 80 % of the machine's memory by default; the limit (the same one dbt's
        profile receives) makes large months spill to disk instead.
        """
        return {"memory_limit": self.duckdb_memory_limit}


@contextmanager
def scoped_environ(variables: Mapping[str, str]) -> Iterator[None]:
    """Set ``variables`` in ``os.environ`` for the block, then put back what was there (or nothing).

    For the frameworks that take their configuration only from the environment (dbt's profile
    and macros, Airflow's settings): nothing set for one month outlives it.
    """
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
