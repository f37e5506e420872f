from decimal import Decimal as D

import pytest

from ntm.engine import (
    Axis,
    CriterionDef,
    Direction,
    IndicatorDef,
    Kind,
    Reference,
    SetDef,
    Status,
    ThresholdRule,
    UnitProfile,
    evaluate,
    select_threshold,
)
from ntm.engine.evaluate import NO_GROUP, evaluate_indicator
from ntm.engine.model import IndicatorResult

IRRIGATION = IndicatorDef("3.1", Kind.PERCENT, thresholds=(ThresholdRule(D(80), verified=True),))
DISASTER = IndicatorDef("3.2", Kind.PASS_FAIL, thresholds=(ThresholdRule(True, verified=True),))
POVERTY = IndicatorDef(
    "11",
    Kind.PERCENT,
    Direction.LOWER,
    formula="poor_households / households * 100",
    thresholds=(
        ThresholdRule(D(4)),
        ThresholdRule(D(6), region="TDMNPB"),
        ThresholdRule(D(3), region="DBSH"),
    ),
)
INCOME = IndicatorDef(
    "10",
    Kind.AMOUNT,
    thresholds=(
        ThresholdRule(D(60), year=2024),
        ThresholdRule(D(55), year=2024, region="TDMNPB"),
        ThresholdRule(D(50)),
    ),
)
BASIC = SetDef(
    "basic",
    Axis.REGION,
    (
        CriterionDef(3, (IRRIGATION, DISASTER)),
        CriterionDef(10, (INCOME,), key=True),
        CriterionDef(11, (POVERTY,)),
    ),
)
TDMNPB_2024 = UnitProfile(region="TDMNPB", year=2024)


def test_criterion_is_met_only_when_every_indicator_is():
    result = evaluate(
        BASIC,
        TDMNPB_2024,
        {"3.1": D("85"), "3.2": True, "10": D(56), "households": D(1000), "poor_households": D(50)},
    )
    assert [c.status for c in result.criteria] == [Status.MET, Status.MET, Status.MET]
    assert (result.met, result.total) == (3, 3) and result.fully_met

    result = evaluate(BASIC, TDMNPB_2024, {"3.1": D("85"), "3.2": False})
    assert result.criteria[0].status is Status.NOT_MET


def test_regional_threshold_wins_over_the_general_one_and_says_why():
    applied = select_threshold(POVERTY, Axis.REGION, UnitProfile(region="DBSH", year=2024))
    assert applied.value == D(3) and applied.rule == "region:DBSH"
    applied = select_threshold(POVERTY, Axis.REGION, UnitProfile(region="TN", year=2024))
    assert applied.value == D(4) and applied.rule == "general"


def test_especially_difficult_communes_use_the_northern_mountain_level():
    profile = UnitProfile(region="DBSH", especially_difficult=True, year=2024)
    applied = select_threshold(POVERTY, Axis.REGION, profile)
    assert applied.value == D(6) and "difficult" in applied.rule


def test_year_specific_thresholds_win_over_undated_ones():
    assert select_threshold(INCOME, Axis.REGION, TDMNPB_2024).value == D(55)
    assert select_threshold(INCOME, Axis.REGION, UnitProfile(region="DBSH", year=2024)).value == D(
        60
    )
    assert select_threshold(INCOME, Axis.REGION, UnitProfile(region="DBSH", year=2023)).value == D(
        50
    )


def test_commune_group_axis():
    indicator = IndicatorDef(
        "2.1",
        Kind.PERCENT,
        thresholds=(
            ThresholdRule(D(100), commune_group="1"),
            ThresholdRule(D(90), commune_group="2"),
        ),
    )
    assert select_threshold(
        indicator, Axis.COMMUNE_GROUP, UnitProfile(commune_group="2")
    ).value == D(90)
    assert select_threshold(indicator, Axis.COMMUNE_GROUP, UnitProfile(commune_group="3")) is None


def test_a_commune_without_a_group_gets_no_threshold_and_the_reason_never_a_guess():
    by_group = IndicatorDef(
        "2.1",
        Kind.PERCENT,
        thresholds=(
            ThresholdRule(D(80)),
            ThresholdRule(D(100), commune_group="1"),
            ThresholdRule(D(90), commune_group="2"),
        ),
    )
    unknown = UnitProfile()
    assert select_threshold(by_group, Axis.COMMUNE_GROUP, unknown) is None
    result = evaluate_indicator(by_group, Axis.COMMUNE_GROUP, unknown, {"2.1": D(95)})
    assert (result.status, result.reason) == (Status.NO_THRESHOLD, NO_GROUP)
    # Group 3 has no rule of its own: the general one applies, as written in the set.
    assert select_threshold(
        by_group, Axis.COMMUNE_GROUP, UnitProfile(commune_group="3")
    ).value == D(80)
    # One threshold for every group needs no group.
    same = IndicatorDef("2.2", Kind.PERCENT, thresholds=(ThresholdRule(D(70)),))
    assert select_threshold(same, Axis.COMMUNE_GROUP, unknown).value == D(70)


def test_missing_threshold_is_never_met():
    bare = SetDef(
        "s", Axis.NONE, (CriterionDef(1, (IndicatorDef("1", Kind.PERCENT),)), CriterionDef(2, ()))
    )
    result = evaluate(bare, UnitProfile(), {"1": D(100)})
    assert [c.status for c in result.criteria] == [Status.NO_THRESHOLD, Status.NO_THRESHOLD]
    assert result.met == 0


def test_gap_is_the_distance_left_in_the_good_direction():
    result = evaluate(
        BASIC, TDMNPB_2024, {"3.1": D("72.5"), "households": D(400), "poor_households": D(30)}
    )
    irrigation = result.criteria[0].indicators[0]
    poverty = result.criteria[2].indicators[0]
    assert irrigation.status is Status.NOT_MET and irrigation.gap == D("7.50")
    assert poverty.value == D("7.50") and poverty.value_source == "computed"
    assert poverty.status is Status.NOT_MET and poverty.gap == D("1.50")


def test_formula_falls_back_to_the_entered_value_and_reports_missing_elements():
    only_rate = evaluate(BASIC, TDMNPB_2024, {"11": D("2.21")}).criteria[2].indicators[0]
    assert only_rate.value == D("2.21") and only_rate.value_source == "entered"
    nothing = evaluate(BASIC, TDMNPB_2024, {"households": D(10)}).criteria[2].indicators[0]
    assert nothing.status is Status.NO_DATA and "poor_households" in nothing.reason


def test_division_by_zero_is_no_data_with_a_reason():
    result = evaluate(BASIC, TDMNPB_2024, {"households": D(0), "poor_households": D(0)})
    poverty = result.criteria[2].indicators[0]
    assert poverty.status is Status.NO_DATA and "zero" in poverty.reason


def test_values_are_rounded_half_up_before_comparison():
    indicator = IndicatorDef("x", Kind.PERCENT, decimals=1, thresholds=(ThresholdRule(D("99.7")),))
    s = SetDef("s", Axis.NONE, (CriterionDef(1, (indicator,)),))
    assert evaluate(s, UnitProfile(), {"x": D("99.65")}).criteria[0].status is Status.MET
    assert evaluate(s, UnitProfile(), {"x": D("99.64")}).criteria[0].status is Status.NOT_MET


def test_ordered_levels_compare_by_position():
    indicator = IndicatorDef(
        "14.1", Kind.LEVEL, levels=("mức 1", "mức 2", "mức 3"), thresholds=(ThresholdRule("mức 2"),)
    )
    s = SetDef("s", Axis.NONE, (CriterionDef(14, (indicator,)),))
    assert evaluate(s, UnitProfile(), {"14.1": "mức 3"}).criteria[0].status is Status.MET
    low = evaluate(s, UnitProfile(), {"14.1": "mức 1"}).criteria[0].indicators[0]
    assert low.status is Status.NOT_MET and low.gap == D(1)


def test_prerequisite_not_met_fails_the_set_even_when_all_criteria_are_met():
    advanced = SetDef("advanced", Axis.NONE, (CriterionDef(3, (DISASTER,)),), prerequisite="basic")
    assert evaluate(advanced, UnitProfile(), {"3.2": True}, prerequisite_met=True).fully_met
    result = evaluate(advanced, UnitProfile(), {"3.2": True}, prerequisite_met=False)
    assert result.met == 1 and result.status is Status.NOT_MET


def test_threshold_may_refer_to_another_sets_threshold():
    model = IndicatorDef(
        "KM2",
        Kind.AMOUNT,
        thresholds=(ThresholdRule(reference=Reference("basic", "10", D("1.1")), verified=True),),
    )
    s = SetDef("model", Axis.NONE, (CriterionDef(2, (model,)),))
    applied = select_threshold(model, Axis.NONE, TDMNPB_2024, {"basic": BASIC})
    assert applied.value == D("60.5") and "region:TDMNPB" in applied.rule
    result = evaluate(s, TDMNPB_2024, {"KM2": D(61)}, references={"basic": BASIC})
    assert result.criteria[0].status is Status.MET
    assert evaluate(s, TDMNPB_2024, {"KM2": D(61)}).criteria[0].status is Status.NO_THRESHOLD


def test_unverified_thresholds_are_flagged_on_the_criterion():
    result = evaluate(BASIC, TDMNPB_2024, {"11": D(1)})
    assert result.criteria[2].unverified and not result.criteria[0].unverified


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("99,7%", Kind.PERCENT, D("99.7")),
        ("99.7", Kind.PERCENT, D("99.7")),
        ("1.234,5", Kind.AMOUNT, D("1234.5")),
        ("1,234.5", Kind.AMOUNT, D("1234.5")),
        ("1.234.567", Kind.AMOUNT, D("1234567")),
        ("Đạt", Kind.PASS_FAIL, True),
        ("không đạt", Kind.PASS_FAIL, False),
        ("có", Kind.PASS_FAIL, True),
        ("Không", Kind.PASS_FAIL, False),
    ],
)
def test_values_are_read_the_way_officials_type_them(text, kind, expected):
    from ntm.engine.values import parse_value

    assert parse_value(text, kind) == expected


@pytest.mark.parametrize(
    ("text", "kind", "code"),
    [
        ("101", Kind.PERCENT, "out_of_range"),
        ("-1", Kind.COUNT, "negative"),
        ("2.5", Kind.COUNT, "not_whole"),
        ("abc", Kind.NUMBER, "not_a_number"),
        ("maybe", Kind.PASS_FAIL, "not_pass_fail"),
        ("", Kind.PERCENT, "empty"),
        ("1e400", Kind.NUMBER, "not_a_number"),
        ("9" * 30, Kind.NUMBER, "too_large"),
    ],
)
def test_bad_values_are_refused_with_a_reason(text, kind, code):
    from ntm.engine.values import ValueError_, parse_value

    with pytest.raises(ValueError_) as info:
        parse_value(text, kind)
    assert info.value.code == code


def test_revocation_rule_of_18_2022():
    from ntm.engine import Risk, revocation_risk
    from ntm.engine.model import CriterionResult, SetResult

    def set_with(failed: int, key_failed: bool, total: int = 19) -> SetResult:
        criteria = tuple(
            CriterionResult(
                n, Status.NOT_MET if n <= failed else Status.MET, (), key=key_failed and n == 1
            )
            for n in range(1, total + 1)
        )
        return SetResult("s", criteria)

    assert revocation_risk(set_with(10, False)).risk is Risk.REVOCATION  # 52.6%
    assert revocation_risk(set_with(6, True)).risk is Risk.REVOCATION  # 31.6% with a key criterion
    assert revocation_risk(set_with(6, False)).risk is Risk.WATCH
    assert revocation_risk(set_with(5, True)).risk is Risk.WATCH  # 26.3%
    assert revocation_risk(set_with(0, False)).risk is Risk.NONE


def test_periods():
    from ntm.engine.periods import parse_period

    q4 = parse_period("2024q4")
    assert (q4.code, str(q4.start), str(q4.end)) == ("2024Q4", "2024-10-01", "2024-12-31")
    assert parse_period("2024H1").end.isoformat() == "2024-06-30"
    assert (
        sorted([parse_period("2024"), parse_period("2024Q4"), parse_period("2024Q1")])[0].code
        == "2024Q1"
    )
    for bad in ("2024Q5", "2024H3", "24", "2024-1"):
        with pytest.raises(ValueError):
            parse_period(bad)


def test_indicator_result_keeps_direction_for_explanations():
    result = evaluate(BASIC, TDMNPB_2024, {"11": D(9)}).criteria[2].indicators[0]
    assert isinstance(result, IndicatorResult) and result.direction is Direction.LOWER


def test_a_retired_indicator_is_not_judged_from_its_date():
    import datetime as dt

    from ntm.engine.evaluate import evaluate
    from ntm.engine.model import (
        Axis,
        CriterionDef,
        IndicatorDef,
        Kind,
        SetDef,
        Status,
        ThresholdRule,
        UnitProfile,
    )

    met = IndicatorDef("1.1", Kind.PASS_FAIL, thresholds=(ThresholdRule(value=True),))
    old = IndicatorDef(
        "1.2",
        Kind.PASS_FAIL,
        thresholds=(ThresholdRule(value=True),),
        retired_from=dt.date(2025, 1, 1),
    )
    definition = SetDef("s", Axis.NONE, (CriterionDef(1, (met, old)),))
    values = {"1.1": True, "1.2": False}
    before = evaluate(definition, UnitProfile(), values, day=dt.date(2024, 12, 31))
    after = evaluate(definition, UnitProfile(), values, day=dt.date(2025, 3, 31))
    assert before.criteria[0].status == Status.NOT_MET
    assert after.criteria[0].status == Status.MET
    assert [i.code for i in after.criteria[0].indicators] == ["1.1"]
