"""The dbt project's models as plain views in a scratch DuckDB: the monthly build's SQL, for one file.

The upload check (``expectations.tier1``) must resolve a file's rows against the catalog exactly as
the monthly build does, in well under a second, so it cannot start dbt (seconds of fixed cost).
The models it needs (staging, the name unions, catalog resolution, the issues) are plain SQL with
a few of the project's macros, so this module renders them with Jinja the way dbt would on a full
(non-incremental) DuckDB build — ``ref``/``source`` become schema-qualified names, macros come from
``dbt_project/macros`` with their ``duckdb__`` variants, ``config`` says table or view — and creates
each, dependencies first. Seeds are the catalog CSVs, read by DuckDB. Nothing here knows a model's
content: a change to a model's SQL applies to the monthly build and the upload check alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import yaml
from jinja2 import Environment, StrictUndefined

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
# dbt's schemas: models by folder (generate_schema_name keeps custom schemas unprefixed).
MODEL_SCHEMAS = {"staging": "staging", "intermediate": "intermediate", "marts": "main"}
SEED_SCHEMA = "reference"


# What a model being rendered refs (its dependencies) and the landing tables' schema.
_REFS: ContextVar[list[str]] = ContextVar("refs")
_LANDING_SCHEMA: ContextVar[str] = ContextVar("landing_schema", default="landing")
_CONFIG: ContextVar[dict[str, Any]] = ContextVar("config")
_VARS: ContextVar[dict[str, str]] = ContextVar("vars")
# Materialisation by folder (dbt_project.yml), unless a model's config() says otherwise.
FOLDER_MATERIALIZATION = {"staging": "view", "intermediate": "view", "marts": "table"}


class _Target:
    type = "duckdb"
    name = "duckdb"


class _Exceptions:
    """dbt's ``exceptions`` in the Jinja context."""

    @staticmethod
    def raise_compiler_error(message: str) -> None:
        raise ValueError(message)


class _Adapter:
    """``adapter.dispatch(name, namespace)``: the DuckDB variant of a macro, else the default one."""

    def __init__(self, macros: dict[str, Callable[..., Any]]) -> None:
        self.macros = macros

    def dispatch(self, name: str, namespace: str | None = None) -> Callable[..., Any]:
        return self.macros.get(f"duckdb__{name}") or self.macros[f"default__{name}"]


@cache
def model_paths(project: Path) -> dict[str, Path]:
    return {path.stem: path for path in (project / "models").rglob("*.sql")}


@cache
def seed_column_types(project: Path) -> dict[str, dict[str, str]]:
    """Seed → column → type, as ``dbt_project.yml`` tells dbt (``+column_types``); the rest inferred."""
    config = yaml.safe_load((project / "dbt_project.yml").read_text(encoding="utf-8"))
    seeds = (config.get("seeds") or {}).get(config["name"]) or {}
    return {name: dict(options["+column_types"]) for name, options in seeds.items()
            if isinstance(options, dict) and "+column_types" in options}


@cache
def _environment(project: Path) -> Environment:
    """Jinja with the project's macros and dbt's context as a full DuckDB build sees it."""
    environment = Environment(undefined=StrictUndefined, extensions=["jinja2.ext.do"])
    macros: dict[str, Callable[..., Any]] = {}
    environment.globals.update({
        "config": lambda *args, **kwargs: _CONFIG.get().update(kwargs) or "",
        "is_incremental": lambda: False,
        "var": lambda name, default=None: _VARS.get().get(name, default),
        "execute": True,
        "exceptions": _Exceptions(),
        "env_var": lambda name, default="": default,
        "return": lambda value: value,  # every macro of the project returns from its only statement
        "target": _Target(),
        "adapter": _Adapter(macros),
        "ref": lambda name: _REFS.get().append(name) or relation_name(project, name),
        "source": lambda source, table: f"{_LANDING_SCHEMA.get()}.{table}",
    })
    source = "\n".join(path.read_text(encoding="utf-8") for path in sorted((project / "macros").glob("*.sql")))
    module = environment.from_string(source).module
    macros.update({name: getattr(module, name) for name in dir(module) if not name.startswith("_")})
    environment.globals.update(macros)
    return environment


@dataclass(frozen=True)
class RenderedModel:
    sql: str
    refs: tuple[str, ...]  # the models and seeds it reads
    is_table: bool  # dbt builds it as a table (table or incremental), else as a view


@cache
def rendered_model(project: Path, name: str, landing_schema: str, report_month: str) -> RenderedModel:
    """A model rendered as a full DuckDB build of ``report_month`` (``YYYY-MM-01``, dbt's var
    ``report_month``) sees it; once per process and month."""
    path = model_paths(project)[name]
    called: list[str] = []
    config: dict[str, Any] = {}
    tokens = (_REFS.set(called), _LANDING_SCHEMA.set(landing_schema), _CONFIG.set(config),
              _VARS.set({"report_month": report_month}))
    try:
        sql = _environment(project).from_string(path.read_text(encoding="utf-8")).render()
    finally:
        _REFS.reset(tokens[0])
        _LANDING_SCHEMA.reset(tokens[1])
        _CONFIG.reset(tokens[2])
        _VARS.reset(tokens[3])
    folder = path.relative_to(project / "models").parts[0]
    materialized = config.get("materialized") or FOLDER_MATERIALIZATION[folder]
    return RenderedModel(_strip_trailing_semicolon(sql), tuple(called), materialized in ("table", "incremental"))


def relation_name(project: Path, name: str) -> str:
    """``schema.name`` of a model (its folder's schema) or of a seed."""
    path = model_paths(project).get(name)
    if path is None:
        return f"{SEED_SCHEMA}.{name}"
    return f"{MODEL_SCHEMAS[path.relative_to(project / 'models').parts[0]]}.{name}"


class DbtViews:
    """Creates, on demand, dbt's relations in ``con``: models as views or tables (as dbt materialises
    them, so a resolved row is computed once), seeds as tables."""

    def __init__(self, con: duckdb.DuckDBPyConnection, seeds_dir: Path, report_month: str,
                 project: Path = DBT_PROJECT_DIR, landing_schema: str = "landing") -> None:
        self.con, self.seeds_dir, self.project, self.landing_schema = con, seeds_dir, project, landing_schema
        self.report_month = report_month  # YYYY-MM-01, as dbt's var report_month
        self.created: dict[str, str] = {}
        for schema in {*MODEL_SCHEMAS.values(), SEED_SCHEMA}:
            con.execute(f"create schema if not exists {schema}")

    def ref(self, name: str) -> str:
        """The relation of a model or seed, created first if this connection has not got it yet."""
        if name not in self.created:
            if name in model_paths(self.project):
                model = rendered_model(self.project, name, self.landing_schema, self.report_month)
                for dependency in model.refs:
                    self.ref(dependency)
                kind = "table" if model.is_table else "view"
                self.con.execute(f"create or replace {kind} {relation_name(self.project, name)} as {model.sql}")
            else:
                self._create_seed(name)
            self.created[name] = relation_name(self.project, name)
        return self.created[name]

    def _create_seed(self, name: str) -> None:
        path = self.seeds_dir / f"{name}.csv"
        types = seed_column_types(self.project).get(name) or {}
        self.con.register(f"seed_{name}", _seed_rows(path, path.stat().st_mtime_ns, tuple(sorted(types.items()))))
        try:
            self.con.execute(f"create or replace table {relation_name(self.project, name)} as select * from seed_{name}")
        finally:
            self.con.unregister(f"seed_{name}")


@cache
def _seed_rows(path: Path, mtime_ns: int, types: tuple[tuple[str, str], ...]) -> Any:
    """A seed CSV as an Arrow table, parsed once per process and file version (as dbt would type it)."""
    options = ", types = $types" if types else ""
    with duckdb.connect() as con:
        return con.sql(f"select * from read_csv($path, header = true{options})",
                       params={"path": str(path), **({"types": dict(types)} if types else {})}).to_arrow_table()


def _strip_trailing_semicolon(sql: str) -> str:
    return re.sub(r";\s*$", "", sql.strip())
