"""The model contracts that replaced per-column dbt tests stop a build that breaks them.

A catalog row with a basis outside ytd/month/stock/rate (formerly an ``accepted_values`` test) or
an indicator whose department is not in the directory (department_code NULL, formerly
``not_null``) makes dim_indicator fail as it is written; the sample warehouse builds it cleanly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_dbt

BROKEN_CATALOG = {
    "basis": "update reference.indicators set basis = 'weekly' where indicator_code = "
             "(select min(indicator_code) from reference.indicators)",
    "department_code": "update reference.indicators set department = '不存在的局' where indicator_code = "
                       "(select min(indicator_code) from reference.indicators)",
}


def build_dim_indicator(database: Path, workdir: Path):
    return run_dbt("run", "--select", "dim_indicator", database=database, workdir=workdir)


@pytest.mark.parametrize("column", [None, *BROKEN_CATALOG])
def test_dim_indicator_contract_rejects_a_broken_catalog(published_home: Path, tmp_path: Path,
                                                         column: str | None) -> None:
    database = tmp_path / "warehouse.duckdb"
    shutil.copyfile(published_home / "warehouse.duckdb", database)
    if column is not None:
        with duckdb.connect(str(database)) as con:
            con.execute(BROKEN_CATALOG[column])
    completed = build_dim_indicator(database, tmp_path)
    if column is None:
        assert completed.returncode == 0, completed.stdout[-3000:]
    else:
        assert completed.returncode != 0, f"dim_indicator was built with a broken {column}"
        assert "constraint" in completed.stdout.lower(), completed.stdout[-3000:]
