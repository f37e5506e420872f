"""When, at this pace: a robust trend of an indicator's history and the period it crosses its
threshold. Pure Python, no Django.

Theil–Sen: the slope is the median of the slopes between every pair of points, the intercept
the median of ``y - slope·x``. Half the points may be wrong before it moves, which suits
figures typed by hand (one mistyped quarter does not change the forecast), and it is exact and
short enough not to need scipy or statsmodels. The interval is the range of the middle half of
the pairwise slopes, a plain statement of how much the pace varies, not a confidence level.

Time runs in quarters: a period's index is ``year·4 + quarter − 1`` counted from its end (a year
and a second half end with Q4, a first half with Q2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from statistics import median

MIN_POINTS = 3


def quarter_index(year: int, quarter: int) -> int:
    return year * 4 + quarter - 1


def quarter_label(index: int) -> str:
    return f"{index // 4}Q{index % 4 + 1}"


@dataclass(frozen=True)
class Trend:
    slope: Fraction  # per quarter
    intercept: Fraction
    slope_low: Fraction
    slope_high: Fraction

    def at(self, index: int) -> Fraction:
        return self.intercept + self.slope * index


def theil_sen(points: Sequence[tuple[int, Decimal | Fraction | int]]) -> Trend | None:
    """The trend of (quarter index, value) points; None with fewer than ``MIN_POINTS``
    distinct quarters."""
    xs = {x for x, _y in points}
    if len(xs) < MIN_POINTS:
        return None
    pts = [(x, Fraction(y)) for x, y in points]
    slopes = sorted(
        (y2 - y1) / (x2 - x1)
        for i, (x1, y1) in enumerate(pts)
        for x2, y2 in pts[i + 1 :]
        if x2 != x1
    )
    slope = Fraction(median(slopes))
    intercept = Fraction(median(y - slope * x for x, y in pts))
    quarter = len(slopes) // 4
    return Trend(slope, intercept, slopes[quarter], slopes[-1 - quarter])


@dataclass(frozen=True)
class Crossing:
    index: int | None  # first quarter at or after ``after`` when the trend meets the threshold
    already: bool  # the trend is on the good side at ``after`` already
    never: bool  # flat or moving away: no crossing


def crossing(trend: Trend, threshold: Decimal, *, higher: bool, after: int) -> Crossing:
    """The first quarter from ``after`` on when the trend line reaches ``threshold`` in the
    good direction (up for ``higher``, down otherwise)."""
    target = Fraction(threshold)

    def good(value: Fraction) -> bool:
        return value >= target if higher else value <= target

    if good(trend.at(after)):
        return Crossing(after, True, False)
    moving = trend.slope > 0 if higher else trend.slope < 0
    if not moving:
        return Crossing(None, False, True)
    exact = (target - trend.intercept) / trend.slope
    index = max(after, -((-exact.numerator) // exact.denominator))  # ceiling
    return Crossing(index, False, False)
