"""Which city a bulletin is about, for a city's catalog and for a provincial one."""

from __future__ import annotations

import pandas as pd
import pytest

from publication.bulletin.data import _city_code


def regions(*counties: tuple[str, str]) -> pd.DataFrame:
    rows = [("430000", "province", None)] + [(code, "county", parent) for code, parent in counties]
    parents = {parent for _, parent in counties}
    rows += [(parent, "prefecture", "430000") for parent in sorted(parents)]
    return pd.DataFrame(rows, columns=["region_code", "region_level", "parent_code"])


def test_the_city_whose_counties_the_catalog_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YUEBAO_CITY_CODE", raising=False)
    assert _city_code(regions(("431202", "431200"), ("431221", "431200"))) == "431200"


def test_a_provincial_catalog_gives_the_home_city_or_the_configured_one(monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = regions(("430502", "430500"), ("430102", "430100"))
    monkeypatch.delenv("YUEBAO_CITY_CODE", raising=False)
    assert _city_code(catalog) == "430500"
    monkeypatch.setenv("YUEBAO_CITY_CODE", "430100")
    assert _city_code(catalog) == "430100"
    monkeypatch.setenv("YUEBAO_CITY_CODE", "999999")
    with pytest.raises(ValueError, match="not a region"):
        _city_code(catalog)
