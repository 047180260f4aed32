"""Shared fixtures: the bundled sample inbox, a helper that runs `yuebao run` like a user, and one
that runs the dbt CLI on a DuckDB file.

`make test` runs the suite on two workers (pytest-xdist, ``--dist loadfile``: a module stays on one
worker, so its module-scoped fixtures are built once). What many modules only read — the published
sample month, the synthetic inbox — is built once for the whole run (`built_once`) and checked at
the end to be unchanged; a test that changes a home works on its own copy (`copy_home`).
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import pytest

from deploy.services import POSTGRES, missing
from yuebao import DBT_PROJECT_DIR

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_INBOX = ROOT / "samples" / "inbox"
EXPECTED_2024_10 = ROOT / "samples" / "expected-2024-10.csv"
YUEBAO = str(Path(sys.executable).with_name("yuebao"))
DBT = str(Path(sys.executable).with_name("dbt"))


def load_script(path: Path) -> ModuleType:
    """A script that is not in a package (``bench/``, Airflow's plugins folder) imported as a module,
    registered in ``sys.modules`` as ``_script_<stem>`` so what looks its module up (a dataclass) finds it."""
    spec = importlib.util.spec_from_file_location(f"_script_{path.stem}", path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


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


def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder all workers of this run see: the parent of a worker's base temp under xdist (one
    per run, `pytest-N`), the base temp itself without it."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def snapshot(folder: Path) -> dict[str, list[int]]:
    """Every path under ``folder`` with its size and modification time: what a write changes."""
    return {path.relative_to(folder).as_posix(): [(stat := path.stat()).st_size, stat.st_mtime_ns]
            for path in sorted(folder.rglob("*"))}


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """``<shared root>/<name>``, made by ``build`` once per run: the first worker that asks builds it
    under a file lock while the others wait. Its snapshot is kept for `assert_unchanged`."""
    root = shared_root(tmp_path_factory)
    folder, done = root / name, root / f"{name}.snapshot.json"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a failed build of another worker left
            folder.mkdir()
            build(folder)
            done.write_text(json.dumps(snapshot(folder)), encoding="utf-8")
    return folder


def assert_unchanged(folder: Path) -> None:
    """Fail if a test wrote into a folder `built_once` made (others read it, maybe at this moment)."""
    before = json.loads((folder.parent / f"{folder.name}.snapshot.json").read_text(encoding="utf-8"))
    after = snapshot(folder)
    changed = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
    assert not changed, f"a test changed the shared {folder.name} (give it `copy_home`): {changed[:10]}"


def copy_home(home: Path, target: Path) -> Path:
    """A copy of ``home`` at ``target`` for a test to change (a published sample home is ≈ 20 MB)."""
    # links kept as links: a home built with --reference holds a project of links (transform.reference_project)
    shutil.copytree(home, target, symlinks=True, ignore=shutil.ignore_patterns("airflow"))
    return target


@pytest.fixture(scope="session")
def published_home(tmp_path_factory: pytest.TempPathFactory, run_yuebao) -> Iterator[Path]:
    """A home where the sample month 2024-10 was published, once for the whole run: read only
    (`copy_home` to change it; the run fails at its end if a test changed this one)."""

    def publish(home: Path) -> None:
        completed = run_yuebao("run", "--month", "2024-10", "--inbox", SAMPLE_INBOX, "--home", home)
        assert completed.returncode == 0, completed.stderr[-3000:]

    home = built_once(tmp_path_factory, "published_home", publish)
    yield home
    assert_unchanged(home)


@pytest.fixture(scope="session")
def synth_inbox(tmp_path_factory: pytest.TempPathFactory, run_yuebao) -> Iterator[Path]:
    """A tiny synthetic inbox of three months (2024-01 … 2024-03, 13 regions, 6 indicators), read-only."""

    def synthesize(out: Path) -> None:
        completed = run_yuebao("synth", "--regions", "13", "--indicators", "6", "--months", "3",
                               "--out", out, "--seed", "11")
        assert completed.returncode == 0, completed.stderr

    inbox = built_once(tmp_path_factory, "synth_inbox", synthesize)
    yield inbox
    assert_unchanged(inbox)


@pytest.fixture(scope="session")
def synth_backfilled_home(tmp_path_factory: pytest.TempPathFactory, synth_inbox: Path, run_yuebao) -> Iterator[Path]:
    """A home where `yuebao backfill` loaded `synth_inbox`'s three months, once for the whole run: read only."""

    def backfill(home: Path) -> None:
        completed = run_yuebao("backfill", "--from", "2024-01", "--to", "2024-03", "--inbox", synth_inbox,
                               "--home", home, "--reference", synth_inbox / "reference", "--no-progress", timeout=900)
        assert completed.returncode == 0, completed.stderr[-3000:]

    home = built_once(tmp_path_factory, "synth_backfilled_home", backfill)
    yield home
    assert_unchanged(home)


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


# Modules that take longest, longest first (make test on two workers, 2026-11-30: seconds of wall
# on a loaded machine / CPU seconds): under xdist they are handed out first, so no long module
# starts when the other worker is about to finish. A module not listed keeps its place after them;
# a renamed one only loses its head start (tests/test_shared_fixtures.py checks the names).
LONGEST_FIRST = [
    "tests/test_model_series.py",  # 160 / 76: fourteen months
    "tests/test_concurrent_runs.py",  # 128 / 64: five months, overlapping
    "tests/test_gate_blocks_publication.py",  # 112 / 55
    "tests/test_stack_celery.py",  # 97 / 52: the whole production stack
    "tests/test_backfill.py",  # 96 / 39
    "tests/test_release_approval.py",  # 92 / 26: dag.test() waiting for the approver
    "tests/test_idempotent_rerun.py",  # 114 / 32
    "tests/test_revision_as_published.py",  # 79 / 25
    "tests/test_bench_smoke.py",  # 59 / 31
    "tests/test_postgres_warehouse.py",  # 64 / 16
    "tests/test_dag_imports.py",  # 56 / 18
    "tests/test_inprocess_runner.py",  # 49 / 14
    "tests/test_narrative_month.py",  # 47 / 19
    "tests/test_bulletin_revision.py",  # 46 / 16
    "tests/test_baseline_matches.py",  # 41 / 20
    "tests/test_hostile_inbox.py",  # 36 / 16
    "tests/test_ingestion_corpus.py",  # 36 / 14
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The LONGEST_FIRST modules first (xdist hands out modules in this order: --no-loadscope-reorder)."""
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable: the rest keep their order
