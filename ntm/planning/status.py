"""Status of a plan target from stored results — pure functions, no database.

A target is judged on the latest result reported up to the reference day, but never after its
deadline: once the deadline has passed, what was reported by then decides achieved or missed.
Before the deadline a target not yet reached is "at risk" within ``WARN_DAYS`` of it, else "on
track". Qualitative targets carry the status a person gave, with a reason.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

WARN_DAYS = 90


@dataclass(frozen=True)
class Observed:
    """What the stored results say at the judging day (None: nothing reported yet)."""

    period: str | None = None
    met: int | None = None
    total: int | None = None
    criteria: dict[int, str] = field(default_factory=dict)  # number -> status
    indicators: dict[str, tuple[Decimal | None, str]] = field(
        default_factory=dict
    )  # code -> (value, direction)
    set_status: str | None = None
    ocop: dict[int, int] = field(default_factory=dict)  # stars -> valid certified products


@dataclass(frozen=True)
class Judgement:
    status: str  # achieved | on_track | at_risk | missed | no_data
    judged_on: dt.date
    period: str | None
    actual: str  # what was observed, for people ("12/19", "2.21", "met")


def judging_day(deadline: dt.date, on: dt.date) -> dt.date:
    return min(deadline, on)


def _open_status(reached: bool, deadline: dt.date, on: dt.date) -> str:
    if reached:
        return "achieved"
    if on > deadline:
        return "missed"
    return "at_risk" if (deadline - on).days <= WARN_DAYS else "on_track"


def judge(
    *,
    kind: str,
    deadline: dt.date,
    on: dt.date,
    observed: Observed,
    count: int | None = None,
    criterion_number: int | None = None,
    indicator_code: str = "",
    value: Decimal | None = None,
    manual_status: str = "",
    stars: int | None = None,
) -> Judgement:
    day = judging_day(deadline, on)
    if kind == "qualitative":
        return Judgement(manual_status or "no_data", day, None, "")
    if kind == "ocop":
        # From the OCOP register, not from criteria results: products of at least that rating.
        have = sum(n for s, n in observed.ocop.items() if s >= (stars or 3))
        return Judgement(_open_status(have >= (count or 1), deadline, on), day, None, str(have))
    if observed.period is None:
        return Judgement("no_data", day, None, "")
    if kind == "criteria_count":
        reached = observed.met is not None and count is not None and observed.met >= count
        actual = f"{observed.met}/{observed.total}"
    elif kind == "criterion":
        status = observed.criteria.get(criterion_number or 0)
        if status is None:
            return Judgement("no_data", day, observed.period, "")
        reached, actual = status == "met", status
    elif kind == "indicator":
        found = observed.indicators.get(indicator_code)
        number, direction = found if found is not None else (None, "higher")
        if number is None or value is None:
            return Judgement("no_data", day, observed.period, "")
        reached = number <= value if direction == "lower" else number >= value
        actual = format(number.normalize(), "f")
    elif kind == "village_set":
        if observed.set_status is None:
            return Judgement("no_data", day, observed.period, "")
        reached, actual = observed.set_status == "met", observed.set_status
        if observed.met is not None:
            actual = f"{observed.met}/{observed.total}"
    else:
        raise ValueError(f"unknown target kind {kind!r}")
    return Judgement(_open_status(reached, deadline, on), day, observed.period, actual)
