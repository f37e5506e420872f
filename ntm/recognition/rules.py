"""Pure rules of the recognition procedure: the posting window and the survey's arithmetic.

No Django here, so the rules are tested without a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


def most_postings_within(dates: Iterable[dt.date], within_days: int) -> int:
    """The largest number of postings inside any window of ``within_days`` consecutive days."""
    ordered = sorted(dates)
    best = 0
    start = 0
    for end, day in enumerate(ordered):
        while (day - ordered[start]).days >= within_days:
            start += 1
        best = max(best, end - start + 1)
    return best


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class SurveyTally:
    households: int  # households of the surveyed villages
    ballots: int
    satisfied: int  # ballots answering yes to every question
    required_share: Decimal | None

    @property
    def coverage(self) -> Decimal | None:
        return percent(self.ballots, self.households)

    @property
    def satisfied_share(self) -> Decimal | None:
        return percent(self.satisfied, self.ballots)

    @property
    def passes(self) -> bool:
        """Never passes without a threshold or without ballots."""
        share = self.satisfied_share
        return (
            self.required_share is not None and share is not None and share >= self.required_share
        )
