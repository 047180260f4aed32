"""The 【突出问题】 row index (problem_rows.py) and the history lookups of BulletinData give the rows the
plain pandas filters give: same rows, same order, same cell types (the notes and figures printed
from them must not change when the month is split once instead of filtered per indicator)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from publication.bulletin.data import BulletinData
from publication.bulletin.problem_rows import INDICATOR_COLUMNS, ProblemRows

CITY = "430500"
COUNTIES = ["430502", "430503", "430511", "430521"]
PEERS = ["430400", "430600"]  # the city's 片区 peers; 430100 is elsewhere
INDICATORS = {"A01": ("产业培塑", 1, "%"), "A02": ("产业培塑", 2, "亿元"), "B01": ("城市提质", 3, "%")}
PERIODS = [date(2024, 8, 1), date(2024, 9, 1), date(2024, 10, 1)]


def _regions() -> pd.DataFrame:
    rows = [(CITY, "邵阳市", "city", "430000", "湘中"), ("430100", "长沙市", "city", "430000", "长株潭")]
    rows += [(code, f"县{code[-2:]}", "county", CITY, None) for code in COUNTIES]
    rows += [(code, f"市{code[2:4]}", "city", "430000", "湘中") for code in PEERS]
    frame = pd.DataFrame(rows, columns=["region_code", "region_name", "region_level", "parent_code", "subregion"])
    return frame.assign(short_name=frame["region_name"]).set_index("region_code")


def _rows(periods: list[date]) -> pd.DataFrame:
    regions = _regions()
    rng = np.random.default_rng(7)
    records = []
    for code, (action, order, unit) in INDICATORS.items():
        for region in regions.index:
            for period in periods:
                value = float(rng.integers(-3, 4))  # ties, zeros and negatives within an indicator
                value = 1.0 if code == "B01" and region in PEERS else value
                records.append({"indicator_code": code, "region_code": region, "period": period,
                                "value": np.nan if (region, code) == ("430511", "A02") else value,
                                "rank_province": pd.NA if code == "A02" else int(rng.integers(1, 15)),
                                "source_file": f"{code}.xlsx", "source_row": np.int32(len(records)),
                                "action": action, "catalog_order": order, "unit": unit,
                                "indicator_name": f"指标{code}", "basis": "ytd", "seed_section": "重要指标",
                                **regions.loc[region].to_dict()})
    frame = pd.DataFrame.from_records(records).sample(frac=1.0, random_state=3).reset_index(drop=True)
    return frame.astype({"rank_province": "Int64"})


def _data() -> BulletinData:
    return BulletinData(month="2024-10", city_code=CITY, city_name="邵阳市", actions=["产业培塑", "城市提质"],
                        indicators=pd.DataFrame(), regions=_regions(), report=_rows(PERIODS[-1:]),
                        history=_rows(PERIODS), revisions=pd.DataFrame())


def _same_row(found: pd.Series, expected: pd.Series) -> None:
    pd.testing.assert_series_equal(found, expected)
    assert [type(cell) for cell in found] == [type(cell) for cell in expected]


def test_county_rows_are_each_indicators_counties_lowest_first_as_iterrows_gives_them() -> None:
    data = _data()
    index = ProblemRows(data)
    report = data.report
    for action in data.actions:
        rows = report[report["action"] == action]
        counties = rows[(rows["region_level"] == "county") & (rows["parent_code"] == CITY)]
        groups = dict(tuple(counties.sort_values(["value", "region_code"]).groupby("indicator_code", sort=False)))
        codes = list(rows.sort_values("catalog_order")["indicator_code"].unique())
        assert [indicator.code for indicator in index.actions[action]] == codes
        for indicator in index.actions[action]:
            expected = groups[indicator.code]
            assert list(indicator.counties.value[~np.isnan(indicator.counties.value)]) == list(
                expected["value"].dropna())
            found = indicator.counties.iterrows(np.ones(len(expected), dtype=bool))
            assert len(found) == len(expected)
            for row, (_, expected_row) in zip(found, expected.iterrows(), strict=True):
                _same_row(row, expected_row)
            _same_row(indicator.counties.iloc(0), expected.iloc[0])
            for column in INDICATOR_COLUMNS:
                assert indicator.counties.indicator(column) == expected.iloc[0][column]
            negative = indicator.counties.iterrows(indicator.counties.value < 0, 1)
            assert [row.name for row in negative] == list(expected[expected["value"] < 0].head(1).index)
            city = rows[(rows["region_code"] == CITY) & (rows["indicator_code"] == indicator.code)]
            _same_row(indicator.city, city.iloc[0])


def test_subregion_leader_is_the_first_peer_sort_values_gives() -> None:
    data = _data()
    index = ProblemRows(data)
    report = data.report
    for code in INDICATORS:
        peers = report[(report["indicator_code"] == code) & (report["period"] == PERIODS[-1])
                       & (report["subregion"] == "湘中") & (report["region_code"] != CITY)]
        for lower_is_better in (True, False):  # B01's peers tie: the leader is the one sort_values puts first
            leader = index.subregion_leader(code, PERIODS[-1], lower_is_better)
            _same_row(leader, peers.sort_values("value", ascending=lower_is_better).iloc[0])
        assert index.subregion_leader(code, PERIODS[0], lower_is_better=False) is None
    assert index.subregion_leader("Z99", PERIODS[-1], lower_is_better=False) is None


@pytest.mark.parametrize("region", [CITY, "430503"])
def test_history_lookups_are_rows_of_the_series(region: str) -> None:
    data = _data()
    for code in INDICATORS:
        series = data.series(code, region)
        for position, period in enumerate(PERIODS):
            _same_row(data.row_at(code, region, period), series.iloc[position])
        _same_row(data.latest_before(code, region, PERIODS[-1], since=date(2024, 1, 1)), series.iloc[1])
        assert data.latest_before(code, region, PERIODS[0], since=date(2024, 1, 1)) is None
        assert data.latest_before(code, region, PERIODS[1], since=PERIODS[1]) is None
        assert data.row_at(code, region, date(2024, 7, 1)) is None
    assert data.row_at("Z99", region, PERIODS[0]) is None
