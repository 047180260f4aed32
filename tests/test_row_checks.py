"""The upload check evaluates the gate's declared checks as DuckDB predicates; on the same rows
they fail exactly where Great Expectations fails them (NULLs, bounds, repeated keys)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from expectations.row_checks import SUPPORTED, failing_rows_sql
from expectations.suites import Check, all_suites

ROWS = pd.DataFrame({
    "row_id": [1, 2, 3, 4, 5, 6],
    "flag": [True, False, None, True, False, True],
    "code": ["a", None, "b", "a", "c", None],
    "amount": [0.0, -1.0, None, 100.0, 100.5, 50.0],
    "period": ["2024-10", "2024-10", "2024-09", "2024-10", None, "2024-09"],
})
CHECKS = [
    Check("ExpectColumnValuesToBeInSet", {"column": "flag", "value_set": [True]}, "blocking", "flag"),
    Check("ExpectColumnValuesToNotBeNull", {"column": "code"}, "blocking", "code"),
    Check("ExpectColumnValuesToBeBetween", {"column": "amount", "min_value": 0, "max_value": 100}, "blocking", "range"),
    Check("ExpectColumnValuesToBeBetween", {"column": "amount", "min_value": 0, "max_value": None}, "blocking", "low"),
    Check("ExpectCompoundColumnsToBeUnique", {"column_list": ["code", "period"]}, "blocking", "key"),
]


def test_every_expectation_the_suites_declare_can_be_evaluated_at_upload() -> None:
    assert {check.expectation for suite in all_suites() for check in suite.checks} <= SUPPORTED


def duckdb_failures(check: Check) -> set[int]:
    with duckdb.connect() as con:
        con.register("rows_", ROWS)
        query, parameters = failing_rows_sql("select * from rows_", check)
        return {row[0] for row in con.execute(f"select row_id from ({query})", parameters).fetchall()}


@pytest.fixture(scope="module")
def gx_failures() -> dict[str, set[int]]:
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    batch = context.data_sources.add_pandas("rows").add_dataframe_asset("rows") \
        .add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": ROWS})
    failures = {}
    for check in CHECKS:
        expectation = getattr(gx.expectations, check.expectation)(**check.kwargs)
        result = batch.validate(expectation, result_format={"result_format": "COMPLETE",
                                                            "unexpected_index_column_names": ["row_id"]})
        failures[check.description] = {row["row_id"] for row in result.result.get("unexpected_index_list") or []}
    return failures


@pytest.mark.parametrize("check", CHECKS, ids=[check.description for check in CHECKS])
def test_duckdb_fails_the_rows_great_expectations_fails(check: Check, gx_failures: dict[str, set[int]]) -> None:
    assert duckdb_failures(check) == gx_failures[check.description]
