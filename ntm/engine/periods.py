"""Reporting periods: a year ("2024"), a half-year ("2024H1") or a quarter ("2024Q3")."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

_PATTERN = re.compile(r"^(\d{4})(?:([HQ])([1-4]))?$")


class PeriodKind(StrEnum):
    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"


@dataclass(frozen=True, order=True)
class Period:
    # Field order makes sorting follow the end date, then the longer period first.
    end: dt.date
    start: dt.date
    code: str
    kind: PeriodKind

    @property
    def year(self) -> int:
        return self.end.year

    def __str__(self) -> str:
        return self.code

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@lru_cache(maxsize=4096)
def parse_period(text: str) -> Period:
    """Parse "2024", "2024H2", "2024Q4" (case-insensitive); raise ValueError otherwise."""
    match = _PATTERN.match(text.strip().upper())
    if not match:
        raise ValueError(f"not a period: {text!r} (use 2024, 2024H1 or 2024Q1)")
    year = int(match.group(1))
    letter, number = match.group(2), match.group(3)
    if letter is None:
        return Period(dt.date(year, 12, 31), dt.date(year, 1, 1), f"{year}", PeriodKind.YEAR)
    index = int(number)
    if letter == "H":
        if index > 2:
            raise ValueError(f"not a period: {text!r} (half-years are H1 and H2)")
        first_month = 1 + 6 * (index - 1)
        months = 6
        kind = PeriodKind.HALF
    else:
        first_month = 1 + 3 * (index - 1)
        months = 3
        kind = PeriodKind.QUARTER
    start = dt.date(year, first_month, 1)
    end_month = first_month + months
    end = (
        dt.date(year + 1, 1, 1) if end_month > 12 else dt.date(year, end_month, 1)
    ) - dt.timedelta(days=1)
    return Period(end, start, f"{year}{letter}{index}", kind)


def periods_of_year(year: int) -> list[Period]:
    codes = [f"{year}Q{q}" for q in range(1, 5)] + [f"{year}H1", f"{year}H2", f"{year}"]
    return sorted(parse_period(c) for c in codes)
