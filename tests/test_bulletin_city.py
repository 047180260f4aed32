"""Which city a bulletin is about, for a city's catalog and for a provincial one."""

from __future__ import annotations

import pandas as pd
import pytest

from publication.bulletin.data import _city_code
from yuebao.settings import Settings


def regions(*counties: tuple[str, str]) -> pd.DataFrame:
    rows = [("430000", "province", None)] + [(code, "county", parent) for code, parent in counties]
    parents = {parent for _, parent in counties}
    rows += [(parent, "prefecture", "430000") for parent in sorted(parents)]
    return pd.DataFrame(rows, columns=["region_code", "region_level", "parent_code"])


def test_the_city_whose_counties_the_catalog_holds() -> None:
    assert _city_code(regions(("431202", "431200"), ("431221", "431200"))) == "431200"


def test_a_provincial_catalog_gives_the_home_city_or_the_configured_one() -> None:
    catalog = regions(("430502", "430500"), ("430102", "430100"))
    assert _city_code(catalog) == "430500"
    assert _city_code(catalog, Settings.from_environ({"YUEBAO_CITY_CODE": "430100"}).city_code) == "430100"
    with pytest.raises(ValueError, match="not a region"):
        _city_code(catalog, "999999")
