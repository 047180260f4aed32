"""What sqlfluff's jinja templater lacks of dbt to render this project's SQL (see /.sqlfluff).

sqlfluff supplies ``ref``, ``source``, ``config``, ``var``, ``is_incremental`` and ``return``;
these stand in for the rest with DuckDB's renderings, so the linted SQL is what dbt-duckdb builds.
Nothing here runs in dbt.
"""

from __future__ import annotations

from types import SimpleNamespace


def env_var(name: str, default: str = "") -> str:
    return default


def _dispatch(macro_name: str, macro_namespace: str | None = None):  # type: ignore[no-untyped-def]
    """A dispatched project macro renders as a call of the same name (it parses as a function)."""
    return lambda *args: f"{macro_name}({', '.join(str(arg) for arg in args)})"


adapter = SimpleNamespace(dispatch=_dispatch)
target = SimpleNamespace(type="duckdb", schema="main", name="duckdb")
dbt = SimpleNamespace(
    dateadd=lambda datepart, interval, from_date: f"date_add({from_date}, interval ({interval}) {datepart})",
    type_string=lambda: "varchar",
    type_float=lambda: "float",
)
