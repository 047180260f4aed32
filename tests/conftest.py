"""Shared fixtures: the bundled sample inbox, a helper that runs `yuebao run` like a user, and one
that runs the dbt CLI on a DuckDB file."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from deploy.services import POSTGRES, missing
from yuebao import DBT_PROJECT_DIR

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_INBOX = ROOT / "samples" / "inbox"
EXPECTED_2024_10 = ROOT / "samples" / "expected-2024-10.csv"
YUEBAO = str(Path(sys.executable).with_name("yuebao"))
DBT = str(Path(sys.executable).with_name("dbt"))


def run_dbt(*args: str, database: Path, workdir: Path,
            month: str | None = "2024-10") -> subprocess.CompletedProcess[str]:
    """The dbt CLI on ``database`` for report month ``month`` (None: no month given); target and logs
    under ``workdir``."""
    env = {name: value for name, value in os.environ.items() if name != "YUEBAO_REPORT_MONTH"}
    env |= {"YUEBAO_DBT_TARGET": "duckdb", "YUEBAO_DUCKDB_PATH": str(database),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    if month is not None:
        env["YUEBAO_REPORT_MONTH"] = f"{month}-01"
    return subprocess.run(
        [DBT, *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")],
        env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Airflow metadata database for the session (migrated once, on first run)."""
    return tmp_path_factory.mktemp("airflow")


@pytest.fixture(scope="session")
def run_yuebao(airflow_home: Path):
    """Run the CLI in a subprocess, as a user or the scheduler's wrapper would."""

    def run(*args: str | Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
        env = os.environ | {"AIRFLOW_HOME": str(airflow_home)}
        return subprocess.run([YUEBAO, *map(str, args)], env=env, capture_output=True, text=True,
                              timeout=timeout, check=False)

    return run


@pytest.fixture(scope="session")
def published_home(tmp_path_factory: pytest.TempPathFactory, run_yuebao) -> Path:
    """A home where the sample month 2024-10 was published once."""
    home = tmp_path_factory.mktemp("home")
    completed = run_yuebao("run", "--month", "2024-10", "--inbox", SAMPLE_INBOX, "--home", home)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return home


@pytest.fixture(scope="session")
def synth_inbox(tmp_path_factory: pytest.TempPathFactory, run_yuebao) -> Path:
    """A tiny synthetic inbox of three months (2024-01 … 2024-03, 13 regions, 6 indicators), read-only."""
    out = tmp_path_factory.mktemp("synth")
    completed = run_yuebao("synth", "--regions", "13", "--indicators", "6", "--months", "3",
                           "--out", out, "--seed", "11")
    assert completed.returncode == 0, completed.stderr
    return out


def copy_inbox(target: Path) -> Path:
    """A writable copy of the sample inbox, to damage in a test."""
    shutil.copytree(SAMPLE_INBOX, target)
    return target


@contextmanager
def scratch_postgres(prefix: str) -> Iterator[dict[str, str]]:
    """A new database ``<prefix>_<random>`` on the local PostgreSQL, as libpq variables; dropped on exit.
    Fails (not skips) when PostgreSQL is not running: the stack's tests need it."""
    import psycopg

    if problems := missing(POSTGRES):
        pytest.fail("; ".join(problems))
    env = {"PGHOST": "127.0.0.1", "PGPORT": "5432", "PGUSER": "postgres",
           "PGDATABASE": f"{prefix}_{secrets.token_hex(4)}"}
    with psycopg.connect(host=env["PGHOST"], user=env["PGUSER"], dbname="postgres", autocommit=True) as admin:
        admin.execute(f"create database {env['PGDATABASE']}")
        try:
            yield env
        finally:
            admin.execute(f"drop database {env['PGDATABASE']} with (force)")
