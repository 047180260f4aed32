"""【突出问题】: problems detected from the month's figures, with thresholds from problems.yaml.
They follow the action's prose (文字材料), leaving out what the prose already states.

Rules, in the order they are printed within an action: counties with negative growth (worst
first), counties below the city's own rate, figures behind 序时进度, province or 片区 ranks that
dropped against last month, 片区 positions at or below a threshold (with the gap to the leader),
figures where lower is better that rose year on year, county counts still at zero, and the weakest
county on indicators the catalog files under 突出问题.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from publication.bulletin import formatting as fmt
from publication.bulletin.data import BulletinData
from publication.bulletin.document import Paragraph, Run
from publication.bulletin.indicators import action_heading
from publication.bulletin.provenance import Annotator

CONFIG_FILE = Path(__file__).with_name("problems.yaml")
ORDINALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class ProblemThresholds:
    negative_growth_below: float = 0.0
    below_city_average: bool = True
    behind_schedule_gap_pp: float = 0.0
    rank_drop_min: int = 1
    subregion_rank_at_least: int = 4
    safety_yoy_rise_above: float = 0.0
    zero_county_counts: bool = True
    max_counties_listed: int = 12

    @classmethod
    def load(cls, path: Path = CONFIG_FILE) -> ProblemThresholds:
        """The thresholds in ``path``; keys it leaves out keep their defaults."""
        values = yaml.safe_load(path.read_text(encoding="utf-8")) or {} if path.is_file() else {}
        known = {item.name for item in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown problem thresholds in {path}: {sorted(unknown)}")
        return cls(**values)


@dataclass
class Problem:
    runs: list[Run]
    rows: list[pd.Series]


def problem_paragraphs(data: BulletinData, annotate: Annotator, thresholds: ProblemThresholds | None = None,
                       prose: dict[str, str] | None = None) -> list[Paragraph]:
    """One paragraph per action that has problems ("一是…；二是…。"). ``prose`` maps an action to its
    【突出问题】 prose: a problem that prose already states is left out (see ``already_stated``), and
    the paragraph follows the prose without a second action heading."""
    thresholds = thresholds or ProblemThresholds.load()
    prose = prose or {}
    paragraphs = []
    for action in data.actions:
        found = [problem for problem in detect(data, action, annotate, thresholds)
                 if not already_stated(problem, prose.get(action, ""), data)]
        if not found:
            continue
        paragraph = Paragraph("" if prose.get(action) else action_heading(action), action=action)
        for index, problem in enumerate(found):
            if len(found) > 1:
                paragraph.runs.append(f"{ORDINALS[index] if index < 10 else index + 1}是")
            paragraph.runs += problem.runs
            paragraph.runs += annotate.refs(problem.rows)
            paragraph.runs.append("；" if index < len(found) - 1 else "。")
        paragraphs.append(paragraph)
    return paragraphs


def already_stated(problem: Problem, prose: str, data: BulletinData) -> bool:
    """True when the action's prose names the problem's indicator and every county it lists.

    An indicator is named by its name, an alias, or the name of the figure it qualifies (工业技改投资
    for 工业技改投资增速; 新增入库限上企业 for …数); a county by its name, short name or alias.
    Quotation marks are ignored (“四上”企业增速). The sample's 产业培塑 prose ("工业技改投资指标滞后，
    …邵阳县（-44.1%）、大祥区（-24.5%）…为负增长") states both 工业技改投资增速 problems this way.
    """
    text = _unquoted(prose)
    if not text:
        return False
    indicators = {str(row["indicator_code"]) for row in problem.rows}
    counties = {str(row["region_code"]) for row in problem.rows if row["region_level"] == "county"}
    return (all(any(name in text for name in _indicator_names(code, data)) for code in indicators)
            and all(any(name in text for name in _region_names(code, data)) for code in counties))


def _unquoted(text: str) -> str:
    return "".join(character for character in text if character not in "“”\"'‘’「」")


def _indicator_names(code: str, data: BulletinData) -> set[str]:
    meta = data.indicators.loc[code]
    names = {str(meta["indicator_name"])}
    if fmt.present(meta.get("aliases")):
        names |= {alias for alias in str(meta["aliases"]).split("|") if alias}
    for name in list(names):
        for suffix in ("增速", "改善幅度", "提升", "数"):
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                names.add(name.removesuffix(suffix))
    return {_unquoted(name) for name in names}


def _region_names(code: str, data: BulletinData) -> set[str]:
    region = data.regions.loc[code]
    names = {str(region["region_name"]), str(region["short_name"])}
    if fmt.present(region.get("aliases")):
        names |= {alias for alias in str(region["aliases"]).split("|") if alias}
    return {name for name in names if name and name != "nan"}


def detect(data: BulletinData, action: str, annotate: Annotator, thresholds: ProblemThresholds) -> list[Problem]:
    rows = data.report[data.report["action"] == action]
    counties = rows[(rows["region_level"] == "county") & (rows["parent_code"] == data.city_code)]
    city = rows[rows["region_code"] == data.city_code]
    year = data.month_start.year
    found: list[Problem] = []
    county_groups = dict(tuple(counties.sort_values(["value", "region_code"]).groupby("indicator_code", sort=False)))
    city_groups = dict(tuple(city.groupby("indicator_code", sort=False)))
    for code in rows.sort_values("catalog_order")["indicator_code"].unique():
        county_rows = county_groups.get(code, counties.iloc[0:0])
        city_row = _first(city_groups[code]) if code in city_groups else None
        found += _county_problems(county_rows, city_row, annotate, thresholds, year)
        if city_row is not None:
            found += _city_problems(city_row, data, annotate, thresholds, year)
    return found


def _first(frame: pd.DataFrame) -> pd.Series | None:
    return None if frame.empty else frame.iloc[0]


def _lead(row: pd.Series, year: int) -> str:
    return fmt.period_lead(row["period"], str(row["basis"]), year, None)


def _county_problems(county_rows: pd.DataFrame, city_row: pd.Series | None, annotate: Annotator,
                     thresholds: ProblemThresholds, year: int) -> list[Problem]:
    if county_rows.empty:
        return []
    sample = county_rows.iloc[0]
    name, unit, lead = str(sample["indicator_name"]), str(sample["unit"]), _lead(sample, year)
    found = []
    is_rate = unit == "%"
    listed: set[str] = set()
    if is_rate:
        negative = county_rows[county_rows["value"] < thresholds.negative_growth_below]
        negative = negative.head(thresholds.max_counties_listed)
        if not negative.empty:
            runs: list[Run] = [f"{lead}，{name}方面，"]
            for index, (_, row) in enumerate(negative.iterrows()):
                runs += ["、" if index else "", f"{row['region_name']}（",
                         annotate.figure(fmt.with_unit(row["value"], unit), row), "）"]
            runs.append("等县市区为负增长")
            found.append(Problem(runs, [row for _, row in negative.iterrows()]))
            listed = set(negative["region_code"])
        if thresholds.below_city_average and city_row is not None:
            below = county_rows[(county_rows["value"] < city_row["value"]) & ~county_rows["region_code"].isin(listed)]
            below = below.head(thresholds.max_counties_listed)
            if not below.empty:
                names = "、".join(below["region_name"])
                found.append(Problem(
                    [f"{lead}，{names}{name}低于全市平均水平（", annotate.figure(fmt.with_unit(city_row["value"], unit),
                                                                      city_row), "）"],
                    [city_row, *[row for _, row in below.iterrows()]]))
    elif thresholds.zero_county_counts and str(sample["basis"]) in ("ytd", "stock"):
        zero = county_rows[county_rows["value"] == 0]
        for _, row in zero.iterrows():
            found.append(Problem([f"{lead}，{row['region_name']}{name}为",
                                  annotate.figure(fmt.with_unit(0, unit), row), "，仍未破零"], [row]))
        weakest = county_rows[county_rows["value"] > 0]
        if sample["seed_section"] == "突出问题" and city_row is None and not weakest.empty:
            row = weakest.iloc[0]
            found.append(Problem([f"{lead}，{row['region_name']}{name}仅",
                                  annotate.figure(fmt.with_unit(row["value"], unit), row)], [row]))
    return found


def _city_problems(row: pd.Series, data: BulletinData, annotate: Annotator, thresholds: ProblemThresholds,
                   year: int) -> list[Problem]:
    name, unit, lead = str(row["indicator_name"]), str(row["unit"]), _lead(row, year)
    value = annotate.figure(fmt.with_unit(row["value"], unit), row)
    connector = "为" if unit in ("%", "无量纲") else ""
    found = []
    if fmt.present(row["completion_gap_pp"]) and row["completion_gap_pp"] < thresholds.behind_schedule_gap_pp:
        found.append(Problem([
            f"{lead}，{name}{connector}", value, "，完成率为", annotate.figure(fmt.percent(row["completion_pct"]), row),
            f"，低于序时进度（{fmt.percent(row['schedule_pct'])}）{fmt.number(-row['completion_gap_pp'], 2)}个百分点，未达序时进度",
        ], [row]))
    found += _rank_drops(row, data, annotate, thresholds, lead)
    if fmt.present(row["rank_subregion"]) and int(row["rank_subregion"]) >= thresholds.subregion_rank_at_least:
        found.append(_subregion_lag(row, data, annotate, lead, value, connector))
    direction_down = str(row["direction"]) == "down"
    if direction_down and fmt.present(row["yoy_pct"]) and row["yoy_pct"] > thresholds.safety_yoy_rise_above:
        runs: list[Run] = [f"{lead}，全市{name}", value, "，同比上升", annotate.figure(fmt.percent(row["yoy_pct"]), row)]
        if fmt.present(row.get("value_month")):
            runs += [f"，其中{row['period'].month}月份", annotate.figure(fmt.with_unit(row["value_month"], unit), row)]
        found.append(Problem(runs, [row]))
    return found


def _rank_drops(row: pd.Series, data: BulletinData, annotate: Annotator, thresholds: ProblemThresholds,
                lead: str) -> list[Problem]:
    series = data.series(row["indicator_code"], row["region_code"])
    last_month = (pd.Timestamp(row["period"]) - pd.DateOffset(months=1)).date()
    found_at = np.flatnonzero(series["period"].to_numpy() == last_month)  # numpy: a few rows, many calls
    previous = series.iloc[found_at[0]] if len(found_at) else None
    found = []
    for column, scope, ordinal in (("rank_province", "全省", lambda rank: f"第{rank}"),
                                   ("rank_subregion", "片区", fmt.chinese_ordinal)):
        if previous is None or not (fmt.present(row[column]) and fmt.present(previous[column])):
            continue
        if int(row[column]) - int(previous[column]) >= thresholds.rank_drop_min:
            found.append(Problem([
                f"{lead}，{row['indicator_name']}{scope}排名由上月", annotate.figure(ordinal(int(previous[column])), previous),
                "下降至", annotate.figure(ordinal(int(row[column])), row)], [row, previous]))
    return found


def _subregion_lag(row: pd.Series, data: BulletinData, annotate: Annotator, lead: str, value: Run,
                   connector: str) -> Problem:
    subregion = data.regions.loc[data.city_code, "subregion"]
    members = int((data.regions["subregion"] == subregion).sum())
    rank = int(row["rank_subregion"])
    runs: list[Run] = [f"{lead}，{row['indicator_name']}{connector}", value, "，排片区",
                       annotate.figure(fmt.chinese_ordinal(rank), row)]
    if rank == members:
        runs.append("（最末位）")
    peers = data.report[(data.report["indicator_code"] == row["indicator_code"])
                        & (data.report["period"] == row["period"]) & (data.report["subregion"] == subregion)
                        & (data.report["region_code"] != data.city_code)]
    rows = [row]
    if not peers.empty:
        leader = peers.sort_values("value", ascending=str(row["direction"]) == "down").iloc[0]
        unit = str(row["unit"])
        gap = abs(float(leader["value"]) - float(row["value"]))
        gap_text = f"{fmt.number(gap, 2)}个百分点" if unit == "%" else fmt.with_unit(round(gap, 4), unit)
        is_first = fmt.present(leader["rank_subregion"]) and int(leader["rank_subregion"]) == 1
        who = f"片区第一的{leader['region_name']}" if is_first else str(leader["region_name"])
        runs += [f"，落后{who}（", annotate.figure(fmt.with_unit(leader["value"], unit), leader), f"）{gap_text}"]
        rows.append(leader)
    return Problem(runs, rows)
