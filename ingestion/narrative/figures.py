"""Figures written in prose: a number with its unit, what it follows, and the period it is of.

Extraction only: which indicator a figure states, and whether it agrees with the published value,
is decided in dbt (``int_narrative_figures_compared``) against the catalog. This module keeps
everything the comparison needs to stay conservative: the clause (to see other regions in it),
the words right before the number (the subject), and the period in force (the clause's own, else
the latest one written earlier in the paragraph), with a flag when the clause names two periods.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ingestion.text import normalize

UNITS = ("亿美元", "万美元", "亿元", "万元", "个百分点", "百分点", "万户", "户", "万家", "家", "万人", "人",
         "万件", "件", "个", "项", "起", "处", "笔", "%")
_NUMBER = r"(?P<number>[-−]?\d[\d,]*(?:\.\d+)?)"
_FIGURE = re.compile(_NUMBER + r"(?P<unit>" + "|".join(re.escape(unit) for unit in UNITS) + r")")
_CLAUSE_END = re.compile(r"[，,；;。：:！!？?]")
# Words between a subject and its number: 社零总额为…, 累计完成…, 共…
_CONNECTORS = ("分别为", "分别", "共计", "累计", "合计", "总计", "达到", "为", "达", "共", "是", "约", "仅", "计")
_DASH = "[-—–~〜至到]"
_PERIODS: list[tuple[str, re.Pattern[str]]] = [
    ("ytd", re.compile(rf"(?:(?P<y>\d{{4}})年)?1月?{_DASH}(?P<m>\d{{1,2}})月")),
    ("as_of", re.compile(r"(?:截至|截止)(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?:\d{1,2}日|底|末)?")),
    ("as_of", re.compile(r"(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?:底|末)")),
    ("month", re.compile(r"(?:(?P<y>\d{4})年)?(?<![\d-])(?P<m>\d{1,2})月(?:份|\d{1,2}日)?")),
    ("year", re.compile(r"(?P<y>\d{4})年(?!\d|度)")),
]


@dataclass(frozen=True)
class Figure:
    source_paragraph: int
    figure_seq: int  # 1-based order of the figure in the paragraph
    sentence: str
    clause: str
    subject: str  # the clause's text before the number, connectors removed
    figure_text: str  # as written: 1135.4亿元
    value: float
    decimals: int  # digits after the decimal point as written: the precision a comparison allows
    unit_raw: str
    period: date | None
    period_form: str | None  # ytd | as_of | month | year
    period_ambiguous: bool  # the clause names more than one period


@dataclass(frozen=True)
class _Period:
    start: int
    end: int
    month: date | None
    form: str


def _periods(text: str, report_month: date) -> list[_Period]:
    found: list[_Period] = []
    taken: list[tuple[int, int]] = []
    for form, pattern in _PERIODS:
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue
            taken.append((match.start(), match.end()))
            found.append(_Period(match.start(), match.end(), _month_of(match, form, report_month), form))
    return sorted(found, key=lambda period: period.start)


def _month_of(match: re.Match[str], form: str, report_month: date) -> date | None:
    year = int(match.group("y")) if match.group("y") else None
    month = int(match.group("m")) if "m" in match.re.groupindex and match.group("m") else 12
    if not 1 <= month <= 12:
        return None
    if year is None:
        year = report_month.year if month <= report_month.month else report_month.year - 1
    return date(year, month, 1)


def subject_of(lead: str) -> str:
    subject = lead.rstrip("（(：: ")
    changed = True
    while changed:
        changed = False
        for word in _CONNECTORS:
            if subject.endswith(word):
                subject, changed = subject[: -len(word)], True
    return subject


def figures_in(paragraph: int, text: str, report_month: date) -> list[Figure]:
    """Every number-with-unit of a paragraph, in order, with its context."""
    folded = normalize(text).replace("−", "-")
    figures: list[Figure] = []
    in_force: _Period | None = None
    for sentence in re.split(r"(?<=[。；;！!？?])", folded):
        if not sentence:
            continue
        for clause in re.split(r"(?<=[，,：:])", sentence):
            periods = _periods(clause, report_month)
            own = {(period.month, period.form) for period in periods}
            for match in _FIGURE.finditer(clause):
                before = [period for period in periods if period.end <= match.start()]
                # the clause's own period; with two, the one before the number (flagged ambiguous)
                period = (periods[-1] if len(own) == 1 else before[-1] if before else in_force) if own else in_force
                try:
                    value = float(match.group("number").replace(",", ""))
                except ValueError:
                    continue
                figures.append(Figure(
                    paragraph, len(figures) + 1, sentence.strip(), _CLAUSE_END.sub("", clause).strip(),
                    subject_of(clause[: match.start()]), match.group(0), value,
                    len(match.group("number").partition(".")[2]), match.group("unit"),
                    period.month if period else None, period.form if period else None, len(own) > 1,
                ))
            if periods:
                in_force = periods[-1]
    return figures
