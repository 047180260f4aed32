"""Every data API example in docs/analysts.md works as written, on the sample month.

Each example ("### A<n>.") has a ```bash block with a curl line, a ```python block with a pandas
line, then "Answer on the demo warehouse (N rows…):" and the first rows as a Markdown table. The
API is served on a local port; the curl line runs in a shell (``$API``, ``$YUEBAO_TOKEN``), the
Python line after the page's setup block; both must return N rows, and the frame the shown cells.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from tests.dataapi.conftest import token_reader
from tests.dataapi.test_indicator_pages import served_app

PAGE = Path(__file__).resolve().parents[2] / "docs" / "analysts.md"
DOC_API = "http://localhost:8765/api/v1"
EXAMPLE = re.compile(
    r"### (A\d+)\. [^\n]*\n.*?```bash\n(?P<curl>.*?)```\s*```python\n(?P<python>.*?)```\s*"
    r"Answer on the demo warehouse \((?P<count>\d+) rows?[^)]*\):\n\n(?P<table>(?:\|[^\n]*\|\n?)*)", re.S)
SETUP = re.compile(r"```python\n(import pandas.*?)```", re.S)


@dataclass(frozen=True)
class Example:
    name: str
    curl: str
    python: str
    count: int
    columns: list[str]
    rows: list[list[str]]


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def examples(page: str) -> list[Example]:
    found = []
    for match in EXAMPLE.finditer(page):
        lines = [line for line in match["table"].splitlines() if line.strip()]
        found.append(Example(match[1], match["curl"].strip(), match["python"].strip(), int(match["count"]),
                             cells(lines[0]), [cells(line) for line in lines[2:]]))
    return found


PAGE_TEXT = PAGE.read_text(encoding="utf-8")
EXAMPLES = examples(PAGE_TEXT)


def test_the_page_has_an_example_of_every_query_shape() -> None:
    assert len(EXAMPLES) >= 10
    shown = " ".join(example.curl for example in EXAMPLES)
    for shape in ("region=city_and_counties", "last=", "common=true", "measure=value_month", "as_of=",
                  "updated_after=", "provenance=true", "format=xlsx", "format=parquet", "format=jsonstat",
                  "action=", "/meta/"):
        assert shape in shown, shape


def same(value: object, cell: str) -> bool:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return cell == ""
    if isinstance(value, int | float):
        return cell != "" and abs(float(cell) - float(value)) < 1e-6
    try:
        return abs(float(cell) - float(str(value))) < 1e-6
    except ValueError:
        return str(value) == cell


@pytest.fixture(scope="module")
def api(api_warehouses) -> str:
    with served_app(api_warehouses["sample"], reader=token_reader) as address:
        yield address + "/api/v1"


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.name for example in EXAMPLES])
def test_curl_line_answers_as_documented(example: Example, api: str, tmp_path: Path) -> None:
    completed = subprocess.run(["bash", "-c", example.curl], cwd=tmp_path, capture_output=True, timeout=60,
                               env={"API": api, "YUEBAO_TOKEN": "analyst", "PATH": "/usr/bin:/bin"}, check=False)
    assert completed.returncode == 0, completed.stderr
    if " -o " in example.curl:
        saved = tmp_path / example.curl.rsplit(" -o ", 1)[1].strip()
        assert saved.stat().st_size > 0
        return
    body = completed.stdout.decode("utf-8")
    if body.startswith("{"):
        document = json.loads(body)
        assert document.get("class") == "dataset" or len(document["data"]) == example.count
    else:
        assert len(list(csv.DictReader(io.StringIO(body)))) == example.count


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.name for example in EXAMPLES])
def test_pandas_line_answers_as_documented(example: Example, api: str) -> None:
    [setup] = SETUP.findall(PAGE_TEXT)
    namespace: dict[str, object] = {"token": "analyst"}
    exec(setup.replace(DOC_API, api), namespace)  # noqa: S102 — the page's own code
    exec(example.python, namespace)  # noqa: S102
    frame = namespace["frame"]
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == example.count
    for index, shown in enumerate(example.rows):
        for column, cell in zip(example.columns, shown, strict=True):
            assert same(frame.iloc[index][column], cell), (example.name, index, column, frame.iloc[index][column], cell)
