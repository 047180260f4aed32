"""The month's report split once per indicator for the 【突出问题】 rules (problems.py).

A province month holds 300 indicators × 17 shown regions: filtering the whole report and converting
45-column frames to rows once per indicator was most of the bulletin's text time. Here the report is
sorted and converted once; each indicator's rules then read a few numpy values, and only the rows a
problem quotes become ``pd.Series`` (built exactly as before, so notes and figures do not change).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

from publication.bulletin.data import BulletinData, key_ranges

# What the county rules read of an indicator, from its first county row (its name, unit and lead).
INDICATOR_COLUMNS = ("indicator_name", "unit", "basis", "period", "seed_section")


class CountyTable:
    """The city's county rows of the month, by indicator then lowest value first."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.value = frame["value"].to_numpy()
        self.region_code = frame["region_code"].to_numpy()
        self.columns = {name: frame[name].to_numpy() for name in INDICATOR_COLUMNS}

    @cached_property
    def _cells(self) -> np.ndarray:
        """Every cell as ``DataFrame.iterrows`` converts it (one conversion for the month)."""
        return self.frame.values

    def iterrow(self, position: int) -> pd.Series:
        """Row ``position`` as ``DataFrame.iterrows`` yields it."""
        return pd.Series(self._cells[position], index=self.frame.columns, name=self.frame.index[position])


@dataclass(frozen=True)
class CountyRows:
    """One indicator's county rows, lowest value first: positions [start, stop) of a ``CountyTable``
    (within an indicator (value, region_code) is unique, so one sort of the month orders them all)."""

    table: CountyTable
    start: int
    stop: int

    @property
    def empty(self) -> bool:
        return self.stop == self.start

    @property
    def value(self) -> np.ndarray:
        return self.table.value[self.start:self.stop]

    @property
    def region_code(self) -> np.ndarray:
        return self.table.region_code[self.start:self.stop]

    def indicator(self, column: str) -> object:
        """A cell (one of ``INDICATOR_COLUMNS``) of the first row, as ``iloc(0)`` holds it, without building the row."""
        return self.table.columns[column][self.start]

    def iloc(self, position: int) -> pd.Series:
        """Row ``position`` as ``DataFrame.iloc`` gives it."""
        return self.table.frame.iloc[self.start + position]

    def iterrows(self, mask: np.ndarray, limit: int | None = None) -> list[pd.Series]:
        """The rows where ``mask`` holds (at most the first ``limit``), as ``DataFrame.iterrows`` yields them."""
        return [self.table.iterrow(self.start + int(position)) for position in np.flatnonzero(mask)[:limit]]


@dataclass(frozen=True)
class IndicatorRows:
    """What the rules read of one indicator: its counties and the city's row."""

    code: str
    counties: CountyRows
    city: pd.Series | None


class ProblemRows:
    """Per action, its indicators in catalog order; the city's 片区 peers by indicator."""

    def __init__(self, data: BulletinData) -> None:
        report = data.report
        counties = report[(report["region_level"] == "county") & (report["parent_code"] == data.city_code)]
        table = CountyTable(counties.sort_values(["indicator_code", "value", "region_code"]))
        county_ranges = {str(code): rows for code, rows in key_ranges(table.frame, "indicator_code").items()}
        city = report[report["region_code"] == data.city_code].drop_duplicates("indicator_code")
        city_positions = {str(code): position for position, code in enumerate(city["indicator_code"])}
        catalog = report[["action", "indicator_code", "catalog_order"]].drop_duplicates("indicator_code")
        self.actions: dict[str, list[IndicatorRows]] = {}
        for action, code in catalog.sort_values("catalog_order", kind="stable")[["action", "indicator_code"]].itertuples(
                index=False):
            start, stop = county_ranges.get(str(code), (0, 0))
            city_row = city.iloc[city_positions[code]] if code in city_positions else None
            self.actions.setdefault(action, []).append(IndicatorRows(code, CountyRows(table, start, stop), city_row))
        subregion = data.regions.loc[data.city_code, "subregion"]
        self._peers = report[(report["subregion"] == subregion) & (report["region_code"] != data.city_code)]
        self._peer_periods = self._peers["period"].to_numpy()
        self._peer_values = self._peers["value"].to_numpy()
        self._peer_positions = self._peers.groupby("indicator_code", sort=False).indices

    def subregion_leader(self, indicator_code: str, period: date, lower_is_better: bool) -> pd.Series | None:
        """The best of the city's 片区 peers (the city left out) on the indicator for ``period``: the row
        ``DataFrame.sort_values("value")`` puts first among them (ties included), as ``iloc`` gives it;
        None without peers. Sorts a few values, not a 45-column frame per problem."""
        positions = self._peer_rows(indicator_code, period)
        if not len(positions):
            return None
        best = pd.Series(self._peer_values[positions]).sort_values(ascending=lower_is_better).index[0]
        return self._peers.iloc[int(positions[best])]

    def _peer_rows(self, indicator_code: str, period: date) -> np.ndarray:
        positions = self._peer_positions.get(indicator_code, np.empty(0, dtype=np.intp))
        return positions[self._peer_periods[positions] == period]

