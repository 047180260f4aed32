"""【重要指标】: one paragraph per action: the office's sentence patterns first (patterns.py), then
generic sentences for the figures no pattern stated, chosen by indicator metadata.

An indicator the catalog files under 【重点任务】 or 【突出问题】 (``seed_section``) is stated here
only when that section of the action has no prose this month (the prose states it otherwise).

Which generic template a figure gets depends only on its catalog metadata (basis, unit, direction) and on
which measures the row carries (growth, province or 片区 rank, target, comparison with the
province) and on companion indicators named ``<name>增速`` / ``<name>改善幅度`` / ``<name>提升``,
which complete their base figure's sentence ("总量和增速分别居全省第5和第7").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from publication.bulletin import formatting as fmt
from publication.bulletin.data import BulletinData
from publication.bulletin.document import Paragraph, Run
from publication.bulletin.patterns import pattern_clauses
from publication.bulletin.provenance import Annotator

COMPANION_SUFFIXES = ("增速", "改善幅度", "提升")
TARGET_NOUN = re.compile(r"年度目标为([^；。，（]+)")


@dataclass
class Clause:
    """One indicator's sentence (or a merged pair) and the rows it cites."""

    runs: list[Run]
    rows: list[pd.Series]
    period: object
    lead: str


@dataclass
class Entry:
    """A city figure with the companions that complete its sentence."""

    row: pd.Series
    companions: dict[str, pd.Series] = field(default_factory=dict)

    @property
    def growth(self) -> pd.Series | None:
        return self.companions.get("增速")


def action_heading(action: str) -> str:
    return f"▲实施{action}。"


def indicator_paragraphs(data: BulletinData, annotate: Annotator) -> list[Paragraph]:
    return [indicator_paragraph(data, action, annotate) for action in data.actions]


def prose_sections(data: BulletinData, action: str) -> set[str]:
    """The sections for which ``action`` has prose this month."""
    if data.narrative.empty:
        return set()
    return set(data.narrative.loc[data.narrative["action"] == action, "section"])


def indicator_paragraph(data: BulletinData, action: str, annotate: Annotator) -> Paragraph:
    city = data.report[(data.report["region_code"] == data.city_code) & (data.report["action"] == action)]
    city = city[~city["seed_section"].isin(prose_sections(data, action) - {"重要指标"})]
    paragraph = Paragraph(action_heading(action), action=action)
    runs, stated = pattern_clauses(data, action, city, annotate)
    paragraph.runs += runs
    city = city[~city["indicator_code"].isin(stated)]
    clauses = _merge_pairs([_clause(entry, data, annotate) for entry in _entries(city)])
    groups: dict[str, list[Clause]] = {}
    for clause in clauses:
        groups.setdefault(clause.lead, []).append(clause)
    for lead, members in groups.items():
        paragraph.runs.append(f"{lead}，")
        for index, clause in enumerate(members):
            name = str(clause.rows[0]["indicator_name"])
            if index == 0 and not name.startswith(("全", "市")):
                paragraph.runs.append("全市")
            paragraph.runs += clause.runs
            paragraph.runs += annotate.refs(clause.rows)
            paragraph.runs.append("；" if index < len(members) - 1 else "。")
    if not groups and not runs:
        paragraph.runs.append("本月无报送数据。")
    return paragraph


def _entries(city: pd.DataFrame) -> list[Entry]:
    names = {str(row["indicator_name"]): row for _, row in city.iterrows()}
    consumed: set[str] = set()
    entries: list[Entry] = []
    for name, row in names.items():
        entry = Entry(row)
        for suffix in COMPANION_SUFFIXES:
            companion = names.get(name + suffix)
            if companion is not None and companion["period"] == row["period"]:
                entry.companions[suffix] = companion
                consumed.add(name + suffix)
        entries.append(entry)
    return [entry for entry in entries if str(entry.row["indicator_name"]) not in consumed]


def _clause(entry: Entry, data: BulletinData, annotate: Annotator) -> Clause:
    row, growth = entry.row, entry.growth
    unit, name = str(row["unit"]), str(row["indicator_name"])
    connector = "为" if unit in ("%", "无量纲") else ""
    runs: list[Run] = [f"{name}{connector}", annotate.figure(fmt.with_unit(row["value"], unit), row)]
    rows = [row, *entry.companions.values()]
    change = entry.companions.get("提升")
    if change is not None:
        runs += [("，提升" if change["value"] >= 0 else "，下降"),
                 annotate.figure(fmt.with_unit(abs(change["value"]), str(change["unit"])), change)]
    runs += _growth(row, growth, annotate)
    vs_row = growth if growth is not None and fmt.present(growth["vs_province_pp"]) else row
    if fmt.present(vs_row["vs_province_pp"]):
        runs.append("，" + fmt.gap_pp(float(vs_row["vs_province_pp"]), "全省平均"))
    runs += _completion(row, data, annotate)
    runs += _ranks(row, growth, annotate)
    improvement = entry.companions.get("改善幅度")
    if improvement is not None:
        runs += ["，改善幅度为", annotate.figure(fmt.with_unit(improvement["value"], "%"), improvement)]
        if fmt.present(improvement["rank_province"]):
            runs += ["，改善居全省", annotate.figure(f"第{int(improvement['rank_province'])}", improvement)]
    runs += _history(growth if growth is not None else row, data, annotate)
    lead = fmt.period_lead(row["period"], str(row["basis"]), data.month_start.year,
                           _day(row.get("as_of_day")))
    return Clause(runs, rows, row["period"], lead)


def _growth(row: pd.Series, growth: pd.Series | None, annotate: Annotator) -> list[Run]:
    direction = str(row["direction"])
    if fmt.present(row["yoy_pct"]):
        verb, size = _split_change(float(row["yoy_pct"]), direction)
        return [f"，同比{verb}", annotate.figure(size, row)]
    if growth is not None:
        verb, size = _split_change(float(growth["value"]), direction)
        return [f"，同比{verb}", annotate.figure(size, growth)]
    return []


def _split_change(value: float, direction: str) -> tuple[str, str]:
    text = fmt.change(value, direction)
    return text[:2], text[2:]


def _completion(row: pd.Series, data: BulletinData, annotate: Annotator) -> list[Run]:
    if not fmt.present(row["completion_pct"]):
        return []
    description = data.indicators.loc[row["indicator_code"], "description"]
    found = TARGET_NOUN.search(str(description)) if fmt.present(description) else None
    noun = found.group(1) if found else "年度目标"
    return [f"，完成{noun}的", annotate.figure(fmt.percent(float(row["completion_pct"])), row)]


def _ranks(row: pd.Series, growth: pd.Series | None, annotate: Annotator) -> list[Run]:
    runs: list[Run] = []
    for column, scope, ordinal in (("rank_province", "全省", _arabic), ("rank_subregion", "片区", fmt.chinese_ordinal)):
        verb = "居" if scope == "全省" else "排"
        own = row[column] if fmt.present(row[column]) else None
        paired = growth[column] if growth is not None and fmt.present(growth[column]) else None
        if own is not None and paired is not None:
            runs += [f"，总量和增速分别{verb}{scope}", annotate.figure(ordinal(int(own)), row), "和",
                     annotate.figure(ordinal(int(paired)), growth)]
        elif own is not None:
            subject = "总量" if str(row["basis"]) in ("ytd", "stock") and scope == "全省" else ""
            runs += [f"，{subject}{verb}{scope}", annotate.figure(ordinal(int(own)), row)]
        elif paired is not None:
            runs += [f"，增速{verb}{scope}", annotate.figure(ordinal(int(paired)), growth)]
    return runs


def _arabic(rank: int) -> str:
    return f"第{rank}"


def _history(row: pd.Series, data: BulletinData, annotate: Annotator) -> list[Run]:
    """Compare with the previous period of the same year, when one was published."""
    series = data.series(row["indicator_code"], row["region_code"])
    periods = series["period"].to_numpy()  # a few rows: numpy masks, not a filtered DataFrame per clause
    earlier = np.flatnonzero((periods < row["period"]) & (periods >= row["period"].replace(month=1, day=1)))
    if not len(earlier):
        return []
    previous = series.iloc[earlier[-1]]
    year = data.month_start.year
    unit = str(row["unit"])
    before = fmt.period_lead(previous["period"], str(previous["basis"]), year)
    now = fmt.period_lead(row["period"], str(row["basis"]), year)
    if unit == "%":
        rising = row["value"] >= previous["value"]
        if all(fmt.present(item[column]) for item in (row, previous) for column in ("vs_province_pp", "rank_province")):
            rank_verb = "回升至" if row["rank_province"] <= previous["rank_province"] else "下降至"
            return [
                f"，增速从{before}的", annotate.figure(fmt.with_unit(previous["value"], unit), previous),
                f"（{fmt.gap_pp(float(previous['vs_province_pp']), '全省平均')}）{'回升' if rising else '回落'}至{now}的",
                annotate.figure(fmt.with_unit(row["value"], unit), row),
                f"（{fmt.gap_pp(float(row['vs_province_pp']), '全省平均')}），全省排名从",
                annotate.figure(f"第{int(previous['rank_province'])}", previous), rank_verb,
                annotate.figure(f"第{int(row['rank_province'])}", row),
            ]
        difference = fmt.number(abs(float(row["value"]) - float(previous["value"])), 2)
        return [f"，比{before}（", annotate.figure(fmt.with_unit(previous["value"], unit), previous),
                f"）{'提高' if rising else '回落'}{difference}个百分点"]
    if fmt.present(row.get("value_month")):
        return [f"，其中{row['period'].month}月份", annotate.figure(fmt.with_unit(row["value_month"], unit), row),
                f"（{before}", annotate.figure(fmt.with_unit(previous["value"], unit), previous), "）"]
    return [f"（{before}", annotate.figure(fmt.with_unit(previous["value"], unit), previous), "）"]


def _day(value: object) -> int | None:
    return int(value) if fmt.present(value) else None


def _merge_pairs(clauses: list[Clause]) -> list[Clause]:
    """Two consecutive figures where lower is better, both with a growth, read as one sentence:
    "生产安全事故起数50起、生产安全事故死亡人数56人，同比分别下降3.8%、上升14.3%"."""
    merged: list[Clause] = []
    for clause in clauses:
        previous = merged[-1] if merged else None
        if previous is not None and len(previous.rows) == 1 and _pairable(previous, clause):
            merged[-1] = _pair(previous, clause)
        else:
            merged.append(clause)
    return merged


def _pairable(first: Clause, second: Clause) -> bool:
    rows = [first.rows[0], second.rows[0]]
    return (len(second.rows) == 1 and first.lead == second.lead
            and all(str(row["direction"]) == "down" and fmt.present(row["yoy_pct"]) for row in rows))


def _pair(first: Clause, second: Clause) -> Clause:
    """Rebuild "A v1、B v2，同比分别…" from the two clauses' runs (value runs are the first two)."""
    a_name, a_value, a_verb, a_size, *a_rest = first.runs
    b_name, b_value, b_verb, b_size, *b_rest = second.runs
    runs: list[Run] = [a_name, a_value, "、", b_name, b_value,
                       f"，同比分别{str(a_verb).removeprefix('，同比')}", a_size,
                       f"、{str(b_verb).removeprefix('，同比')}", b_size]
    if a_rest and b_rest and isinstance(b_rest[0], str):
        b_rest = [b_rest[0].replace("，其中", "、", 1), *b_rest[1:]]
    runs += a_rest + b_rest
    return Clause(runs, first.rows + second.rows, first.period, first.lead)
