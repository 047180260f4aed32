"""Parsing reference periods: ``2024年1-9月``, ``2024-09``, ``截至2024年10月30日`` …

A period is the first day of its reference month. The form says how it was written:
``ytd`` (a 1-N月 range), ``month`` (one month), ``as_of`` (a stock at a date).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ingestion.text import normalize

# Marks between the months of a range (1-9月, 1至9月); prose figures (narrative.figures) use them too.
DASH = "[-—–~〜至到]"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ytd", re.compile(rf"^(?:(?P<y>\d{{4}})年)?1月?{DASH}(?P<m>\d{{1,2}})月(?:份)?(?:累计)?$")),
    ("as_of", re.compile(r"^(?:截至|截止|截止到|截至到)(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日|底|末)?$")),
    ("as_of", re.compile(r"^(?:截至|截止|截止到|截至到)(?P<y>\d{4})[-/.](?P<m>\d{1,2})(?:[-/.](?P<d>\d{1,2}))?$")),
    ("month", re.compile(r"^(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?:份)?$")),
    ("month", re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})(?:[-/.]\d{1,2})?$")),
    ("month", re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})$")),
    ("ytd", re.compile(r"^(?P<y>\d{4})年(?:全年)?$")),
]
# A period written inside a title or a file name, e.g. "2024年1-9月各县市区主要经济指标".
_EMBEDDED = re.compile(rf"(?P<y>\d{{4}})年(?:1{DASH})?(?P<m>\d{{1,2}})月")
# "1-9月各县市区主要经济指标": a year-to-date range without a year, which the caller supplies.
_EMBEDDED_YTD = re.compile(rf"(?<![\d年])1月?{DASH}(?P<m>\d{{1,2}})月")
_YEAR = re.compile(r"(?P<y>20\d{2})年")


@dataclass(frozen=True)
class Period:
    month: date
    form: str


class PeriodError(ValueError):
    """The text is not a period; ``year_missing`` tells the rule apart."""

    def __init__(self, text: str, year_missing: bool = False) -> None:
        super().__init__(f"not a period: {text!r}")
        self.year_missing = year_missing


@lru_cache(maxsize=4096)  # a long sheet repeats its one or two periods on every row
def parse_period(text: str, default_year: int | None = None) -> Period:
    """Parse a period; a missing year is taken from ``default_year`` (title or folder)."""
    s = normalize(text).replace(" ", "")
    for form, pattern in _PATTERNS:
        match = pattern.match(s)
        if not match:
            continue
        month = int(match.group("m")) if "m" in pattern.groupindex else 12
        year_text = match.group("y")
        if year_text is None and default_year is None:
            raise PeriodError(text, year_missing=True)
        year = int(year_text) if year_text else int(default_year)  # type: ignore[arg-type]
        if not 1 <= month <= 12 or not 1900 <= year <= 2999:
            break
        if "d" in pattern.groupindex and match.group("d") and not _is_day_of(year, month, int(match.group("d"))):
            break
        return Period(date(year, month, 1), form)
    raise PeriodError(text)


def _is_day_of(year: int, month: int, day: int) -> bool:
    return 1 <= day <= calendar.monthrange(year, month)[1]


def period_in_text(text: str, default_year: int | None = None) -> Period | None:
    """The first ``YYYY年[1-]M月`` written inside a longer text (a title or a file name).

    With ``default_year``, a year-less ``1-9月`` in the text counts too.
    """
    folded = normalize(text)
    match = _EMBEDDED.search(folded)
    if match:
        year, month = int(match.group("y")), int(match.group("m"))
        form = "ytd" if re.search(DASH, match.group(0)) else "month"
    else:
        match = _EMBEDDED_YTD.search(folded) if default_year else None
        if not match:
            return None
        year, month, form = int(default_year), int(match.group("m")), "ytd"  # type: ignore[arg-type]
    if not 1 <= month <= 12:
        return None
    return Period(date(year, month, 1), form)


def year_in_text(text: str) -> int | None:
    match = _YEAR.search(normalize(text))
    return int(match.group("y")) if match else None
