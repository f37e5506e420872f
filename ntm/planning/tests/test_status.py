import datetime as dt
from decimal import Decimal as D

import pytest

from ntm.planning.status import Observed, judge

DEADLINE = dt.date(2024, 12, 31)
Q4 = Observed(
    period="2024Q4",
    met=13,
    total=19,
    criteria={8: "met", 2: "not_met"},
    indicators={"11": (D("2.21"), "lower"), "14.2": (D("99.5"), "higher")},
    set_status="met",
)


@pytest.mark.parametrize(
    ("on", "observed", "count", "expected"),
    [
        (dt.date(2025, 3, 1), Q4, 13, "achieved"),
        (dt.date(2025, 3, 1), Q4, 14, "missed"),
        (dt.date(2024, 11, 1), Q4, 14, "at_risk"),
        (dt.date(2024, 5, 1), Q4, 14, "on_track"),
        (dt.date(2024, 5, 1), Observed(), 14, "no_data"),
    ],
)
def test_criteria_count_target(on, observed, count, expected):
    assert (
        judge(
            kind="criteria_count", deadline=DEADLINE, on=on, observed=observed, count=count
        ).status
        == expected
    )


def test_a_named_criterion_target():
    assert (
        judge(
            kind="criterion",
            deadline=DEADLINE,
            on=dt.date(2025, 1, 5),
            observed=Q4,
            criterion_number=8,
        ).status
        == "achieved"
    )
    assert (
        judge(
            kind="criterion",
            deadline=DEADLINE,
            on=dt.date(2025, 1, 5),
            observed=Q4,
            criterion_number=2,
        ).status
        == "missed"
    )
    assert (
        judge(
            kind="criterion",
            deadline=DEADLINE,
            on=dt.date(2025, 1, 5),
            observed=Q4,
            criterion_number=5,
        ).status
        == "no_data"
    )


def test_indicator_targets_follow_the_indicators_direction():
    later = dt.date(2025, 1, 5)
    assert (
        judge(
            kind="indicator",
            deadline=DEADLINE,
            on=later,
            observed=Q4,
            indicator_code="11",
            value=D("2.21"),
        ).status
        == "achieved"
    )
    assert (
        judge(
            kind="indicator",
            deadline=DEADLINE,
            on=later,
            observed=Q4,
            indicator_code="11",
            value=D("2.0"),
        ).status
        == "missed"
    )
    assert (
        judge(
            kind="indicator",
            deadline=DEADLINE,
            on=later,
            observed=Q4,
            indicator_code="14.2",
            value=D("99.7"),
        ).status
        == "missed"
    )
    assert (
        judge(
            kind="indicator",
            deadline=DEADLINE,
            on=dt.date(2024, 2, 1),
            observed=Q4,
            indicator_code="14.2",
            value=D("99.7"),
        ).status
        == "on_track"
    )


def test_village_set_and_qualitative_targets():
    assert (
        judge(kind="village_set", deadline=DEADLINE, on=dt.date(2025, 1, 1), observed=Q4).status
        == "achieved"
    )
    assert (
        judge(
            kind="qualitative",
            deadline=DEADLINE,
            on=dt.date(2025, 1, 1),
            observed=Observed(),
            manual_status="at_risk",
        ).status
        == "at_risk"
    )
    assert (
        judge(
            kind="qualitative", deadline=DEADLINE, on=dt.date(2025, 1, 1), observed=Observed()
        ).status
        == "no_data"
    )


def test_after_the_deadline_the_judging_day_is_the_deadline():
    j = judge(
        kind="criteria_count", deadline=DEADLINE, on=dt.date(2026, 1, 1), observed=Q4, count=13
    )
    assert j.judged_on == DEADLINE and j.actual == "13/19"


def test_ocop_targets_count_products_of_at_least_the_rating():
    register = Observed(ocop={3: 2, 4: 1, 5: 0})
    assert (
        judge(
            kind="ocop",
            deadline=DEADLINE,
            on=dt.date(2025, 1, 1),
            observed=register,
            count=1,
            stars=4,
        ).status
        == "achieved"
    )
    assert (
        judge(
            kind="ocop",
            deadline=DEADLINE,
            on=dt.date(2025, 1, 1),
            observed=register,
            count=2,
            stars=4,
        ).status
        == "missed"
    )
    assert (
        judge(
            kind="ocop",
            deadline=DEADLINE,
            on=dt.date(2024, 3, 1),
            observed=register,
            count=3,
            stars=3,
        ).status
        == "achieved"
    )
