"""The gate's declared checks evaluated by DuckDB on a small relation, for the upload check.

The monthly gate runs each ``Check`` of ``expectations.suites`` as a Great Expectations
expectation. At upload there is one file, and starting GX costs seconds, so the same declarations
are evaluated here as SQL predicates with GX's semantics: value checks ignore NULLs (as GX's column
map expectations do), ``ToNotBeNull`` fails on NULL, bounds are inclusive, a compound key fails on
every row of a repeated combination. ``tests/test_upload_check.py`` checks the two agree.
"""

from __future__ import annotations

from typing import Any

from expectations.suites import Check

SUPPORTED = {"ExpectColumnValuesToBeInSet", "ExpectColumnValuesToNotBeNull", "ExpectColumnValuesToBeBetween",
             "ExpectCompoundColumnsToBeUnique"}


def failing_predicate(check: Check) -> tuple[str, list[Any]]:
    """A SQL condition true for the rows the check fails on, and its parameters."""
    kwargs = check.kwargs
    column = kwargs.get("column")
    if check.expectation == "ExpectColumnValuesToBeInSet":
        return f"{column} is not null and not list_contains(?, {column})", [list(kwargs["value_set"])]
    if check.expectation == "ExpectColumnValuesToNotBeNull":
        return f"{column} is null", []
    if check.expectation == "ExpectColumnValuesToBeBetween":
        bounds, parameters = [], []
        if kwargs.get("min_value") is not None:
            bounds.append(f"{column} < ?")
            parameters.append(kwargs["min_value"])
        if kwargs.get("max_value") is not None:
            bounds.append(f"{column} > ?")
            parameters.append(kwargs["max_value"])
        return f"{column} is not null and ({' or '.join(bounds) or 'false'})", parameters
    if check.expectation == "ExpectCompoundColumnsToBeUnique":
        columns = ", ".join(kwargs["column_list"])
        present = " or ".join(f"{name} is not null" for name in kwargs["column_list"])
        return f"({present}) and count(*) over (partition by {columns}) > 1", []
    raise NotImplementedError(f"{check.expectation} has no upload-time evaluation; add it to row_checks")


def failing_rows_sql(relation_sql: str, check: Check) -> tuple[str, list[Any]]:
    """A query returning every column of ``relation_sql``'s rows that fail ``check``."""
    predicate, parameters = failing_predicate(check)
    if check.expectation == "ExpectCompoundColumnsToBeUnique":
        return (f"select * exclude (failing_) from (select *, {predicate} as failing_ from ({relation_sql}))"
                " where failing_ order by row_id"), parameters
    return f"select * from ({relation_sql}) where {predicate} order by row_id", parameters
