"""Reporting periods: a year ("2024"), a half-year ("2024H1") or a quarter ("2024Q3").

Read as officials write them too: "Q1/2024", "Quý I/2024", "quý 1 năm 2024", "6 tháng đầu năm
2024", "H2/2024", "năm 2024" (accents and case do not matter); the code is always the short form.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

_PATTERN = re.compile(r"^(\d{4})(?:([HQ])([1-4]))?$")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_SEP = r"\s*(?:/|-|\s|nam|,)+\s*"
# Folded (no accents, lower case) forms officials write, each giving (letter, number, year).
_SPOKEN = [
    (re.compile(r"^nam\s*(\d{4})$"), lambda m: ("", "", m.group(1))),
    (re.compile(r"^(\d{4})\s*([hq])\s*([1-4])$"), lambda m: (m.group(2), m.group(3), m.group(1))),
    (
        re.compile(r"^(?:quy|q)\s*(iv|i{1,3}|[1-4])" + _SEP + r"(\d{4})$"),
        lambda m: ("q", _ROMAN.get(m.group(1), m.group(1)), m.group(2)),
    ),
    (
        re.compile(r"^h\s*([12])" + _SEP + r"(\d{4})$"),
        lambda m: ("h", m.group(1), m.group(2)),
    ),
    (
        re.compile(r"^(?:6|sau)\s*thang\s*(dau|cuoi)" + _SEP + r"(\d{4})$"),
        lambda m: ("h", "1" if m.group(1) == "dau" else "2", m.group(2)),
    ),
]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def normalise_period(text: str) -> str:
    """The short code of a period written as people write it ("Quý I/2024" → "2024Q1"); the
    text unchanged when no form matches (``parse_period`` then refuses it)."""
    folded = _fold(text)
    for pattern, parts in _SPOKEN:
        found = pattern.match(folded)
        if found:
            letter, number, year = parts(found)
            return f"{year}{letter.upper()}{number}"
    return text


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
    """Parse "2024", "2024H2", "2024Q4" (case-insensitive) or a form people write ("Quý
    IV/2024", "6 tháng cuối năm 2024", "năm 2024"); raise ValueError otherwise."""
    match = _PATTERN.match(text.strip().upper()) or _PATTERN.match(normalise_period(text))
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


def last_ended_quarter(day: dt.date) -> Period:
    """The latest quarter that ended before the day: what a quarterly report is due for."""
    quarter = (day.month - 1) // 3  # quarters fully ended this year
    if quarter == 0:
        return parse_period(f"{day.year - 1}Q4")
    return parse_period(f"{day.year}Q{quarter}")
