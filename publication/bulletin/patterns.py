"""【重要指标】 sentences from the office's patterns (dbt seed ``sentence_patterns.csv``).

A pattern is one clause of an action's paragraph, with placeholders naming an indicator and,
optionally, a measure of its city row as published in the month:

    {code}               value with its unit            593.47亿元, 5.8%, 182个
    {code.change}        year-on-year change            增长5.7% / 下降3.8% / 上升14.3% (lower is better);
                         a growth-rate indicator without yoy_pct: its own value
    {code.delta}         the value as a rise or fall    提升0.13个百分点 / 下降…
    {code.rank}          province rank                  5
    {code.rank_cn}       province rank in words         四
    {code.rank_subregion} 片区 rank in words            二
    {code.completion}    completion of the target       84.39%
    {code.vs_province}   gap to the province            高于全省平均0.3个百分点
    {code.history}       the change since the previous period published this year (rate, rank)
    {code.previous}      the previous period's value this year, {code.previous_period} its period (1-9月)
    {code.period}        the period as the seed opens a group: 1-9月, 截至10月30日
    {code.months}        1-9月 whatever the basis;  {code.until_day} 截至2024年10月31日;
    {code.until_month}   截至2024年8月底;  {code.year} 2023
    {city}               the city's name

A clause whose figures are not all published this month is left out, and its indicators are
stated by the generic sentences (indicators.py) instead: a pattern never costs a figure.
``period_of`` names the indicator whose period opens the clause ("1-9月，"); an opener equal to the
previous one in the paragraph is not repeated.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

import pandas as pd

from publication.bulletin import formatting as fmt
from publication.bulletin.data import BulletinData
from publication.bulletin.document import Run
from publication.bulletin.provenance import Annotator

PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)(?:\.([a-z_]+))?\}")
CLAUSE_END = "；。，"


class Unavailable(LookupError):
    """A placeholder whose figure is not published this month."""


@dataclass
class Rendered:
    runs: list[Run]
    rows: list[pd.Series]
    codes: set[str]


def pattern_clauses(data: BulletinData, action: str, city: pd.DataFrame,
                    annotate: Annotator) -> tuple[list[Run], set[str]]:
    """The action's pattern clauses as runs (note marks after each clause) and the indicator codes
    they state. The last clause ends the sentence with "。"."""
    patterns = data.patterns[data.patterns["action"] == action] if not data.patterns.empty else data.patterns
    rows = {str(row["indicator_code"]): row for _, row in city.iterrows()}
    runs: list[Run] = []
    stated: set[str] = set()
    last_opener = None
    for _, pattern in patterns.sort_values("clause_order").iterrows():
        try:
            rendered = render(str(pattern["pattern"]), rows, data, annotate)
            opener = _opener(pattern.get("period_of"), rows, data)
        except Unavailable:
            continue
        if opener and opener != last_opener:
            runs.append(f"{opener}，")
            last_opener = opener
        text_end = rendered.runs.pop() if rendered.runs and isinstance(rendered.runs[-1], str) else ""
        ending = text_end[-1] if text_end and text_end[-1] in CLAUSE_END else ""
        runs += rendered.runs + ([text_end.removesuffix(ending)] if text_end.removesuffix(ending) else [])
        runs += annotate.refs(rendered.rows)
        runs.append(ending or "；")
        stated |= rendered.codes
    if runs and isinstance(runs[-1], str) and runs[-1] in CLAUSE_END:
        runs[-1] = "。"
    return runs, stated


def render(pattern: str, rows: dict[str, pd.Series], data: BulletinData, annotate: Annotator) -> Rendered:
    """Fill ``pattern``'s placeholders; raises Unavailable when a figure is missing."""
    runs: list[Run] = []
    cited: list[pd.Series] = []
    codes: set[str] = set()
    position = 0
    for match in PLACEHOLDER.finditer(pattern):
        runs.append(pattern[position:match.start()])
        position = match.end()
        code, measure = match.group(1), match.group(2) or "value"
        if code == "city" and match.group(2) is None:
            runs.append(data.city_name)
            continue
        row = rows.get(code)
        if row is None:
            raise Unavailable(code)
        runs.append(_measure(row, measure, data, annotate))
        codes.add(code)
        if not any(row is seen for seen in cited):
            cited.append(row)
    runs.append(pattern[position:])
    merged: list[Run] = []
    for run in runs:  # adjacent text as one run
        if isinstance(run, str) and merged and isinstance(merged[-1], str):
            merged[-1] += run
        elif run != "":
            merged.append(run)
    return Rendered(merged, cited, codes)


def _measure(row: pd.Series, measure: str, data: BulletinData, annotate: Annotator) -> Run:
    unit = str(row["unit"])
    year = data.month_start.year
    if measure == "value":
        return annotate.figure(fmt.with_unit(row["value"], unit), row)
    if measure == "change":
        if fmt.present(row["yoy_pct"]):
            return annotate.figure(fmt.change(float(row["yoy_pct"]), str(row["direction"])), row)
        if unit == "%" and str(row["basis"]) == "rate":
            return annotate.figure(fmt.change(float(row["value"]), str(row["direction"])), row)
        raise Unavailable(measure)
    if measure == "delta":
        rise = float(row["value"]) >= 0
        return annotate.figure(("提升" if rise else "下降") + fmt.with_unit(abs(float(row["value"])), unit), row)
    if measure in ("rank", "rank_cn", "rank_subregion"):
        column = "rank_subregion" if measure == "rank_subregion" else "rank_province"
        if not fmt.present(row[column]):
            raise Unavailable(measure)
        rank = int(row[column])
        return annotate.figure(str(rank) if measure == "rank" else fmt.chinese_ordinal(rank).removeprefix("第"), row)
    if measure == "completion":
        return _required(row, "completion_pct", lambda value: fmt.percent(float(value)), annotate)
    if measure == "vs_province":
        return _required(row, "vs_province_pp", lambda value: fmt.gap_pp(float(value), "全省平均"), annotate)
    if measure == "history":
        return _history(row, data, annotate)
    if measure in ("previous", "previous_period"):
        previous = _previous(row, data)
        if measure == "previous":
            return annotate.figure(fmt.with_unit(previous["value"], unit), previous)
        return fmt.period_lead(previous["period"], str(previous["basis"]), year)
    period = row["period"]
    if measure == "period":
        return fmt.period_lead(period, str(row["basis"]), year, _day(row.get("as_of_day")))
    if measure == "months":
        return fmt.period_lead(period, "ytd", year)
    if measure == "until_day":
        day = _day(row.get("as_of_day")) or calendar.monthrange(period.year, period.month)[1]
        return f"截至{period.year}年{period.month}月{day}日"
    if measure == "until_month":
        return f"截至{period.year}年{period.month}月底"
    if measure == "year":
        return str(period.year)
    raise ValueError(f"unknown placeholder measure .{measure} in sentence_patterns.csv")


def _required(row: pd.Series, column: str, text, annotate: Annotator) -> Run:  # noqa: ANN001
    if not fmt.present(row[column]):
        raise Unavailable(column)
    return annotate.figure(text(row[column]), row)


def _previous(row: pd.Series, data: BulletinData) -> pd.Series:
    """The latest earlier period of the same year published for the row's indicator and region."""
    series = data.series(row["indicator_code"], row["region_code"])
    earlier = series[(series["period"] < row["period"])
                     & (series["period"] >= row["period"].replace(month=1, day=1))]
    if earlier.empty:
        raise Unavailable("previous")
    return earlier.iloc[-1]


def _history(row: pd.Series, data: BulletinData, annotate: Annotator) -> Run:
    """从3月的4.2%（低于全省平均1.1个百分点）回升至9月的5.8%（高于全省平均0.3个百分点），
    全省排名从第12回升至第7."""
    previous = _previous(row, data)
    if not all(fmt.present(item[column]) for item in (row, previous) for column in ("vs_province_pp", "rank_province")):
        raise Unavailable("history")
    rising = float(row["vs_province_pp"]) >= float(previous["vs_province_pp"])
    better = int(row["rank_province"]) <= int(previous["rank_province"])
    unit = str(row["unit"])
    text = (f"从{previous['period'].month}月的{fmt.with_unit(previous['value'], unit)}"
            f"（{fmt.gap_pp(float(previous['vs_province_pp']), '全省平均')}）{'回升' if rising else '回落'}至"
            f"{row['period'].month}月的{fmt.with_unit(row['value'], unit)}"
            f"（{fmt.gap_pp(float(row['vs_province_pp']), '全省平均')}），"
            f"全省排名从第{int(previous['rank_province'])}{'回升' if better else '下降'}至第{int(row['rank_province'])}")
    return annotate.figure(text, row)


def _opener(period_of: object, rows: dict[str, pd.Series], data: BulletinData) -> str | None:
    if not isinstance(period_of, str) or not period_of:
        return None
    row = rows.get(period_of)
    if row is None:
        raise Unavailable(period_of)
    return fmt.period_lead(row["period"], str(row["basis"]), data.month_start.year, _day(row.get("as_of_day")))


def _day(value: object) -> int | None:
    return int(value) if fmt.present(value) else None
