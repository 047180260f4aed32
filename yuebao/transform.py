"""Running the dbt project on a month's build database: one in-process ``dbt build``.

dbt receives the month and the profile's values as environment variables, set only for the
length of the call (``dbt_scope``) and restored after: an in-process backfill's next month, or
anything else in the process, never sees them. Environment variables rather than ``--vars``
because a changed ``--vars`` makes dbt re-parse the whole project (seconds every month), which
the build avoids by keeping everything dbt's partial parse is keyed on the same from month to
month (docs/design.md). Which ones and why:

- ``YUEBAO_REPORT_MONTH`` (``macros/build_report_months.sql``): the month the build loads; unset
  is an error in dbt, never a guess;
- ``YUEBAO_DUCKDB_PATH`` / ``YUEBAO_PG_SCHEMA`` (profiles.yml, from the run's target): where dbt
  builds; ``YUEBAO_DUCKDB_MEMORY_LIMIT`` (profiles.yml, from ``Settings``).

The month is read at run time only (``loaded_report_month`` calls ``env_var`` when dbt executes,
not while it parses), so one parsed manifest serves every month: the process keeps it
(``warm_up``, ``parsed_manifest``) and hands it to ``dbtRunner(manifest=...)``, which then skips
parsing (≈ 1 s a month in an in-process backfill). It is parsed again when anything it was parsed
from changes: a file of the project, the target, or a variable dbt reads at parse time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yuebao import DBT_PROJECT_DIR
from yuebao.month_run import MonthRun
from yuebao.settings import Settings, scoped_environ
from yuebao.targets import target_for

log = logging.getLogger(__name__)


class DbtBuildFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class DbtOutcome:
    models: int
    tests: int
    failures: list[str]


def dbt_environment(run: MonthRun, settings: Settings) -> dict[str, str]:
    """Variables the project's macros and profiles.yml read for this run (see the module's doc)."""
    return {"YUEBAO_REPORT_MONTH": f"{run.month}-01", "YUEBAO_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit,
            **target_for(run).profile_environment(run)}


def dbt_scope(run: MonthRun, settings: Settings) -> AbstractContextManager[None]:
    """The block in which dbt runs for ``run``: its environment, restored afterwards."""
    return scoped_environ(dbt_environment(run, settings))


# Read by dbt at run time only, so not part of what a parsed manifest depends on (the vacuum
# setting is a connection setting of the profile, which dbt reads at each invocation).
RUN_TIME_VARIABLES = frozenset({"YUEBAO_REPORT_MONTH", "YUEBAO_DUCKDB_VACUUM_TASKS"})
# Besides the run's own variables: what profiles.yml and dbt's flags may read from the environment.
PARSE_VARIABLE_PREFIXES = ("YUEBAO_", "PG", "DBT_")


@dataclass(frozen=True)
class _ParsedManifest:
    key: tuple[object, ...]
    manifest: Any  # dbt.contracts.graph.manifest.Manifest (dbt is imported lazily)


_parsed: dict[tuple[str, str], _ParsedManifest] = {}  # (project dir, target) → the last manifest parsed


def project_fingerprint(project_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file dbt parses (through the reference project's links too), with its mtime and size:
    a changed model, macro, yml or seed CSV gives another fingerprint. A few ms for the project."""
    files = []
    for folder, subfolders, names in os.walk(project_dir, followlinks=True):
        subfolders[:] = sorted(name for name in subfolders if name not in ("target", "logs", "__pycache__"))
        for name in names:
            status = os.stat(os.path.join(folder, name))
            files.append((os.path.relpath(os.path.join(folder, name), project_dir), status.st_mtime_ns,
                          status.st_size))
    return tuple(sorted(files))


def _manifest_key(run: MonthRun, settings: Settings, project_dir: Path) -> tuple[object, ...]:
    """What a parsed manifest was parsed from; equal keys, equal manifests."""
    variables = {**os.environ, **dbt_environment(run, settings)}
    parse_time = sorted((name, value) for name, value in variables.items()
                        if name.startswith(PARSE_VARIABLE_PREFIXES) and name not in RUN_TIME_VARIABLES)
    return (str(project_dir.resolve()), run.target, str(run.dbt_target_dir), tuple(parse_time),
            project_fingerprint(project_dir))


def _dbt_args(command: str, run: MonthRun, project_dir: Path) -> list[str]:
    return [
        command,
        "--project-dir", str(project_dir),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target", run.target,
        "--target-path", str(run.dbt_target_dir),
        "--log-path", str(run.dbt_log_dir),
    ]


def parsed_manifest(run: MonthRun, settings: Settings, project_dir: Path = DBT_PROJECT_DIR) -> Any:
    """The project's manifest for ``run``'s target, parsed once per process while still valid.

    Parsing uses dbt's own partial parse (``<home>/dbt_target``), so a fresh process pays ≈ 1 s and
    a later month in the same process nothing.
    """
    from dbt.cli.main import dbtRunner

    key = _manifest_key(run, settings, project_dir)
    slot = (key[0], run.target)
    kept = _parsed.get(slot)
    if kept is not None and kept.key == key:
        return kept.manifest
    try:
        with dbt_scope(run, settings):
            result = dbtRunner().invoke(_dbt_args("parse", run, project_dir))
    finally:
        release_duckdb()
    if not result.success or result.result is None:
        raise DbtBuildFailed(f"dbt parse failed: {result.exception}")
    _parsed[slot] = _ParsedManifest(key, result.result)
    return result.result


def warm_up(run: MonthRun, settings: Settings) -> None:
    """Import dbt and parse the project ``run`` will build, kept for this process's ``build``.

    Meant to overlap other work (the ingest) in the process that builds later; doing nothing
    else, it changes no file but dbt's own parse state under ``<home>/dbt_target``.
    """
    parsed_manifest(run, settings, run_project_dir(run))


def run_project_dir(run: MonthRun) -> Path:
    """The project ``run`` builds: dbt_project/, or its copy with the run's reference seeds."""
    return reference_project(run) if run.reference else DBT_PROJECT_DIR


def reference_project(run: MonthRun) -> Path:
    """``<home>/dbt_reference_project``: the dbt project with ``run.reference`` as its seeds.

    Links every entry of dbt_project/ but seeds/, a copy of the reference CSVs (dbt writes
    compiled files to ``<target>/run/<seed path>``, so seeds must stay inside the project; an
    absolute seed-paths entry makes dbt overwrite the CSVs). Stable per home: partial parse works.
    """
    project = run.reference_project_dir
    seeds = project / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    for entry in DBT_PROJECT_DIR.iterdir():
        link = project / entry.name
        if entry.name in ("seeds", "target", "logs") or (link.is_symlink() and link.readlink() == entry):
            continue
        if link.is_symlink():  # made by another checkout of yuebao: this one's models are built
            link.unlink()
        link.symlink_to(entry)
    wanted = {path.name: path for path in run.seeds_dir.glob("*.csv")}
    # seeds the reference folder does not carry (actions.csv in an older or synthetic one): the project's
    wanted = {path.name: path for path in (DBT_PROJECT_DIR / "seeds").glob("*.csv")} | wanted
    for stale in seeds.glob("*.csv"):
        if stale.name not in wanted:
            stale.unlink()
    for name, source in wanted.items():
        copy = seeds / name
        if not copy.exists() or copy.read_bytes() != source.read_bytes():
            shutil.copyfile(source, copy)
    return project


def release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open for the process's lifetime.

    Later steps of an in-process run (`yuebao run`) open the same file read-only, which DuckDB
    refuses while another configuration holds it; the scheduler's per-task processes don't need it.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:
        return
    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def build(run: MonthRun, settings: Settings, project_dir: Path = DBT_PROJECT_DIR) -> DbtOutcome:
    """``dbt build`` (seeds, models, data tests) in this process; raises DbtBuildFailed on any error.

    Unit tests check the SQL, not the month's data: they run in `make test`
    (tests/test_dbt_unit_tests.py), not in every monthly load, where they cost about 2.5 s.
    The project is parsed once per process (``parsed_manifest``). What is built from the catalog
    alone — seeds, reference views, dimensions (`catalog_digests`) — is built only when the build
    does not already hold it from the same code and catalog (the target's ``built_from``), or on a
    full refresh: a month's catalog rarely changes.
    """
    from dbt.cli.main import dbtRunner

    manifest = parsed_manifest(run, settings, project_dir)
    target = target_for(run)
    catalog = catalog_digests(manifest)
    built = {} if run.full_refresh else target.built_from(run)
    skipped = sorted(name for name, (relation, digest) in catalog.items() if built.get(relation) == digest)
    # --no-write-json: dbt would rewrite manifest.json (≈ 1 MB, 0.3–0.6 s a build) and the graph
    # files, which nothing reads; run_results.json, the operators' per-node detail, is written below.
    # --indirect-selection cautious: a test of a skipped node and a built one (the facts' relationships
    # to the dimensions) still runs; dbt's default would drop every test touching a skipped node.
    args = [*_dbt_args("build", run, project_dir), "--exclude-resource-type", "unit_test", "--no-write-json",
            *(["--full-refresh"] if run.full_refresh else []),
            *(["--exclude", *skipped, "--indirect-selection", "cautious"] if skipped else [])]
    if skipped:
        log.info("%d of %d catalog nodes already built from the same code and catalog: %s",
                 len(skipped), len(catalog), " ".join(skipped))
    try:
        with dbt_scope(run, settings):
            result = dbtRunner(manifest=manifest).invoke(args)
    finally:
        release_duckdb()
    if hasattr(result.result, "write"):
        result.result.write(str(run.dbt_target_dir / "run_results.json"))
    failures: list[str] = []
    models = tests = 0
    for node_result in getattr(result.result, "results", None) or []:
        resource = node_result.node.resource_type
        models += resource == "model"
        tests += resource == "test"
        if str(node_result.status) in ("error", "fail"):
            failures.append(f"{node_result.node.name}: {node_result.message}")
    if not result.success:
        reason = "; ".join(failures[:3]) or str(result.exception)
        raise DbtBuildFailed(f"dbt build failed ({len(failures)} node(s)): {reason}")
    target.record_built(run, {relation: digest for name, (relation, digest) in catalog.items() if name not in skipped})
    return DbtOutcome(models, tests, failures)


# What a catalog node's code must not read: it would differ from month to month, or from run to run.
RUN_TIME_TOKENS = ("env_var", "var(", "run_started_at", "invocation_id", "now()", "current_date", "current_timestamp")


def catalog_digests(manifest: Any) -> dict[str, tuple[str, str]]:
    """The nodes built from the catalog alone — the seeds, and each view or table whose parents
    are all such nodes and whose code (with the project's macros it calls) reads nothing of the
    run — by name → (relation, digest). The digest covers the node's code (a seed's CSV),
    configuration and macros, dbt's version and the adapter, and its parents' digests: equal digests, equal
    relations, so a build starting from a copy of a warehouse built with them may skip them."""
    from dbt.version import __version__ as dbt_version

    nodes = {uid: node for uid, node in manifest.nodes.items() if node.resource_type in ("seed", "model")}
    digests: dict[str, str | None] = {}  # None: not a catalog node

    def macro_sql(uids: list[str], seen: set[str]) -> list[str]:
        texts = []
        for uid in uids:
            macro = manifest.macros.get(uid)
            if uid in seen or macro is None:
                continue
            seen.add(uid)
            if macro.package_name == manifest.metadata.project_name:  # dbt's own: covered by its version
                texts += [macro.macro_sql, *macro_sql(macro.depends_on.macros, seen)]
        return texts

    def digest(uid: str) -> str | None:
        if uid not in digests:
            digests[uid] = _digest(uid)
        return digests[uid]

    def _digest(uid: str) -> str | None:
        node = nodes.get(uid)
        if node is None or (node.resource_type == "model" and node.config.materialized not in ("view", "table")):
            return None
        parents = [digest(parent) for parent in node.depends_on.nodes] if node.resource_type == "model" else []
        if None in parents:
            return None
        code = [node.raw_code, *macro_sql(node.depends_on.macros, set())]
        if any(token in text for text in code for token in RUN_TIME_TOKENS):
            return None
        config = json.dumps(node.config.to_dict(), sort_keys=True, default=str)
        parts = [_content_checksum(node), config, *code, dbt_version, manifest.metadata.adapter_type or "",
                 *sorted(parent for parent in parents if parent is not None)]
        return hashlib.sha256("\n\0".join(parts).encode()).hexdigest()

    return {node.name: (f"{node.schema}.{node.alias}", found)
            for uid, node in nodes.items() if (found := digest(uid)) is not None}


def _content_checksum(node: Any) -> str:
    """dbt's checksum of the node's file, or of a seed over dbt's 1 MB limit, whose checksum dbt
    takes of its path only, the SHA-256 of the CSV itself."""
    if node.checksum.name != "path":
        return node.checksum.checksum
    return hashlib.sha256((Path(node.root_path) / node.original_file_path).read_bytes()).hexdigest()
