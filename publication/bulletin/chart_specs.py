"""What each bulletin chart shows (``document.ChartSpec``): the labels, values, marks and titles to draw,
taken from the month's data. Per action: the indicators by county (bars, city figure marked) and the
city's trend this year.

Kept apart from the drawing (``charts``) so that a chart can be keyed by its content before it is
drawn (``chart_cache``) and sent to another process as it is; this module never imports matplotlib.
"""

from __future__ import annotations

import pandas as pd

from publication.bulletin import formatting as fmt
from publication.bulletin.data import BulletinData
from publication.bulletin.document import BarPanel, ChartSpec, LinePanel

MAX_PANELS = 4
MIN_COUNTIES = 3


def bulletin_chart_specs(data: BulletinData) -> dict[str, list[ChartSpec]]:
    """Every action's charts, in actions.csv order."""
    return {action: action_chart_specs(data, action) for action in data.actions}


def action_chart_specs(data: BulletinData, action: str) -> list[ChartSpec]:
    specs = []
    slug = f"{data.actions.index(action) + 1:02d}"
    counties = _county_panels(data, action)
    if counties:
        specs.append(ChartSpec(f"{action}：各县市区指标", f"charts/{slug}-counties.png", "bars",
                               tuple(_bar_panel(data, frame) for frame in counties)))
    trends = _trend_panels(data, action)
    if trends:
        specs.append(ChartSpec(f"{action}：全市{data.month_start.year}年走势", f"charts/{slug}-trend.png", "lines",
                               tuple(_line_panel(data, frame) for frame in trends)))
    return specs


def _county_panels(data: BulletinData, action: str) -> list[pd.DataFrame]:
    report = data.report
    counties = report[(report["action"] == action) & (report["region_level"] == "county")
                      & (report["parent_code"] == data.city_code)]
    panels = [frame for _, frame in counties.groupby("catalog_order", sort=True) if len(frame) >= MIN_COUNTIES]
    return panels[:MAX_PANELS]


def _trend_panels(data: BulletinData, action: str) -> list[pd.DataFrame]:
    history = data.history
    city = history[(history["action"] == action) & (history["region_code"] == data.city_code)
                   & (pd.to_datetime(history["period"]).dt.year == data.month_start.year)]
    panels = [frame for _, frame in city.groupby("catalog_order", sort=True) if frame["period"].nunique() >= 2]
    return panels[:MAX_PANELS]


def _bar_panel(data: BulletinData, frame: pd.DataFrame) -> BarPanel:
    city = data.report[data.report["region_code"] == data.city_code].set_index("indicator_code")
    frame = frame.sort_values("value")
    unit = str(frame["unit"].iloc[0])
    labels = frame["short_name"].where(frame["short_name"].notna(), frame["region_name"])
    code = frame["indicator_code"].iloc[0]
    if code in city.index and unit == "%":
        mark, label = float(city.loc[code, "value"]), f"全市 {fmt.number(city.loc[code, 'value'])}%"
    else:
        mark, label = float(frame["value"].mean()), f"县市区平均 {fmt.number(frame['value'].mean(), 2)}"
    return BarPanel(title=f"{frame['indicator_name'].iloc[0]}（{unit}）", labels=tuple(str(text) for text in labels),
                    values=tuple(float(value) for value in frame["value"]),
                    value_texts=tuple(fmt.number(value) for value in frame["value"]), mark=mark, mark_label=label)


def _line_panel(data: BulletinData, frame: pd.DataFrame) -> LinePanel:
    province = data.history[data.history["region_level"] == "province"]
    frame = frame.sort_values("period")
    unit = str(frame["unit"].iloc[0])
    same = province[(province["indicator_code"] == frame["indicator_code"].iloc[0])
                    & province["period"].isin(list(frame["period"]))].sort_values("period")
    return LinePanel(title=f"{frame['indicator_name'].iloc[0]}（{unit}）",
                     months=tuple(f"{period.month}月" for period in frame["period"]),
                     values=tuple(float(value) for value in frame["value"]),
                     value_texts=tuple(fmt.number(value) for value in frame["value"]), city_name=data.city_name,
                     province_months=tuple(f"{period.month}月" for period in same["period"]),
                     province_values=tuple(float(value) for value in same["value"]))
