"""Every query in docs/analysts.md runs on the published sample and returns what the page says.

After each ```sql block the page states "Result on the sample (N rows…):" and shows the first
rows as a Markdown table; the test runs the block and compares the count, the column names and
every shown cell (numbers to 6 decimals, dates as YYYY-MM-DD, an empty cell for NULL).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

ANALYSTS_PAGE = Path(__file__).resolve().parent.parent / "docs" / "analysts.md"
SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.S)
STATED = re.compile(r"Result on the sample \((\d+) rows?[^)]*\):\n\n?((?:\|.*\|\n?)*)")


@dataclass(frozen=True)
class DocumentedQuery:
    sql: str
    row_count: int
    columns: list[str]
    rows: list[list[str]]


def table_cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def documented_queries(page: str) -> list[DocumentedQuery]:
    queries = []
    for block in SQL_BLOCK.finditer(page):
        stated = STATED.search(page, block.end())
        assert stated, f"no 'Result on the sample' after the query:\n{block.group(1)}"
        lines = [line for line in stated.group(2).splitlines() if line.strip()]
        columns = table_cells(lines[0]) if lines else []
        queries.append(DocumentedQuery(block.group(1), int(stated.group(1)), columns,
                                       [table_cells(line) for line in lines[2:]]))
    return queries


def matches(value: object, cell: str) -> bool:
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return str(value).lower() == cell.lower()
    if isinstance(value, int | float):
        return cell != "" and abs(float(cell) - float(value)) < 1e-6
    if isinstance(value, datetime.date):
        return value.isoformat() == cell
    return str(value) == cell


QUERIES = documented_queries(ANALYSTS_PAGE.read_text(encoding="utf-8"))


def test_the_page_asks_at_least_ten_questions() -> None:
    questions = re.findall(r"^## \d+\. ", ANALYSTS_PAGE.read_text(encoding="utf-8"), re.M)
    assert len(questions) >= 10
    assert len(QUERIES) >= len(questions)


@pytest.mark.slow
@pytest.mark.parametrize("query", QUERIES, ids=[f"query_{number}" for number in range(1, len(QUERIES) + 1)])
def test_documented_query_returns_what_the_page_states(query: DocumentedQuery, published_home: Path) -> None:
    with duckdb.connect(str(published_home / "warehouse.duckdb"), read_only=True) as con:
        result = con.execute(query.sql)
        columns = [description[0] for description in result.description]
        rows = result.fetchall()
    assert len(rows) == query.row_count, query.sql
    if query.columns:
        assert columns == query.columns
    for shown, row in zip(query.rows, rows, strict=False):
        mismatched = [(column, value, cell) for column, value, cell in zip(columns, row, shown, strict=True)
                      if not matches(value, cell)]
        assert not mismatched, f"{query.sql}\nrow {row} differs from the page: {mismatched}"
    assert len(query.rows) <= len(rows), "the page shows more rows than the query returns"
