"""The report month (``YYYY-MM``): one value type for parsing, printing and month arithmetic.

It lives in ``ingestion``, the lowest layer (docs/design.md, "Layers"), so that every package
above — expectations, publication, synth, yuebao, the DAGs — can use the same one.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

# The one spelling of a report month; the DAG's `month` param uses this very text. `\Z`, not `$`:
# `$` also matches before a trailing newline ("2024-10\n").
PATTERN = r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])\Z"
_PATTERN = re.compile(PATTERN)
# The office's clock: "the month before" a run is the month before in Beijing time.
OFFICE_TIMEZONE = ZoneInfo("Asia/Shanghai")


class InvalidMonth(ValueError):
    """Text that is not a report month ``YYYY-MM`` (1900-2199)."""


@dataclass(frozen=True, order=True)
class ReportMonth:
    """A calendar month a report is about; ordered, hashable, printed as ``YYYY-MM``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not (1900 <= self.year <= 2199 and 1 <= self.month <= 12):
            raise InvalidMonth(f"report month must be YYYY-MM, got {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str) -> ReportMonth:
        if not isinstance(text, str) or not _PATTERN.match(text):
            raise InvalidMonth(f"report month must be YYYY-MM, got {text!r}")
        return cls(int(text[:4]), int(text[5:]))

    @classmethod
    def of(cls, day: date) -> ReportMonth:
        """The month a date (or datetime) falls in."""
        return cls(day.year, day.month)

    @classmethod
    def before(cls, moment: datetime) -> ReportMonth:
        """The month before ``moment``'s month in Beijing time: the DAG's default report month
        (the October report is loaded in early November)."""
        return cls.of(moment.astimezone(OFFICE_TIMEZONE)).previous()

    @classmethod
    def range(cls, first: ReportMonth | str, last: ReportMonth | str) -> list[ReportMonth]:
        """Every month from ``first`` to ``last``, both included; empty when last < first."""
        start, end = cls._coerce(first), cls._coerce(last)
        return [start.shift(offset) for offset in range(end.index - start.index + 1)]

    @classmethod
    def _coerce(cls, value: ReportMonth | str) -> ReportMonth:
        return value if isinstance(value, ReportMonth) else cls.parse(value)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def index(self) -> int:
        """Months since January of year 0: differences of two indices count months."""
        return self.year * 12 + self.month - 1

    def shift(self, months: int) -> ReportMonth:
        """The month ``months`` later (earlier when negative)."""
        year, month = divmod(self.index + months, 12)
        return ReportMonth(year, month + 1)

    def previous(self) -> ReportMonth:
        return self.shift(-1)

    def next(self) -> ReportMonth:
        return self.shift(1)

    def months(self, count: int) -> Iterator[ReportMonth]:
        """This month and the ``count - 1`` after it."""
        return (self.shift(offset) for offset in range(count))

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
