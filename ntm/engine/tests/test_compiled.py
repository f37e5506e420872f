"""The compiled set gives what the interpreted engine and its explanation give, on any set."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

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
    revocation_risk,
)
from ntm.engine.compiled import CompiledSet
from ntm.engine.explain import compact

LEVELS = ("thấp", "trung bình", "cao")
numbers = st.decimals(min_value=-5, max_value=120, places=3, allow_nan=False, allow_infinity=False)
values_ = st.one_of(numbers, st.booleans(), st.sampled_from([*LEVELS, "khác"]))
formulas_ = st.sampled_from(
    ["", "", "", "a / b * 100", "a + b", "(a - c) / b", "max(a, c)", "a +", "x / 0"]
)
days = st.one_of(st.none(), st.sampled_from([dt.date(2024, 3, 31), dt.date(2024, 12, 31)]))
OTHER = SetDef(
    "other",
    Axis.REGION,
    (
        CriterionDef(
            1,
            (
                IndicatorDef(
                    "x",
                    Kind.PERCENT,
                    thresholds=(
                        ThresholdRule(Decimal("50"), verified=True, source="QĐ 318"),
                        ThresholdRule(Decimal("40"), region="TDMNPB", source="QĐ 318"),
                    ),
                ),
            ),
        ),
    ),
)


@st.composite
def rules(draw, kind: Kind) -> ThresholdRule:
    if kind is Kind.PASS_FAIL:
        value = draw(st.one_of(st.booleans(), st.none()))
    elif kind is Kind.LEVEL:
        value = draw(st.sampled_from([*LEVELS, "khác"]))
    else:
        value = draw(st.one_of(numbers, st.none(), st.just(True)))
    reference = draw(
        st.one_of(
            st.none(),
            st.just(Reference("other", "x", Decimal("1.1"))),
            st.just(Reference("missing", "x", Decimal("1"))),
        )
    )
    return ThresholdRule(
        value=value,
        reference=reference if kind in (Kind.PERCENT, Kind.NUMBER) else None,
        region=draw(st.sampled_from(["", "", "DBSH", "TDMNPB"])),
        commune_group=draw(st.sampled_from(["", "", "1", "2"])),
        year=draw(st.sampled_from([None, None, 2024, 2025])),
        verified=draw(st.booleans()),
        source=draw(st.sampled_from(["", "QĐ 318", "QĐ 319", "Tỉnh"])),
        rule_id=draw(st.one_of(st.none(), st.integers(1, 9))),
    )


@st.composite
def indicators(draw, code: str) -> IndicatorDef:
    kind = draw(st.sampled_from(list(Kind)))
    return IndicatorDef(
        code=code,
        kind=kind,
        direction=draw(st.sampled_from(list(Direction))),
        formula=draw(formulas_) if kind not in (Kind.PASS_FAIL, Kind.LEVEL) else "",
        decimals=draw(st.integers(0, 3)),
        levels=LEVELS if kind is Kind.LEVEL else (),
        thresholds=tuple(draw(st.lists(rules(kind), max_size=3))),
        retired_from=draw(st.sampled_from([None, None, None, dt.date(2024, 7, 1)])),
    )


@st.composite
def sets(draw) -> SetDef:
    criteria = []
    n = 0
    for number in range(1, draw(st.integers(1, 4)) + 1):
        found = []
        for _ in range(draw(st.integers(0, 3))):
            found.append(draw(indicators(f"{number}.{n}")))
            n += 1
        criteria.append(CriterionDef(number, tuple(found), key=draw(st.booleans())))
    return SetDef(
        "s",
        draw(st.sampled_from(list(Axis))),
        tuple(criteria),
        prerequisite=draw(st.sampled_from(["", "basic"])),
    )


@settings(max_examples=400, deadline=None)
@given(
    definition=sets(),
    profile=st.builds(
        UnitProfile,
        region=st.sampled_from(["", "DBSH", "TDMNPB"]),
        commune_group=st.sampled_from(["", "1", "2"]),
        especially_difficult=st.booleans(),
        year=st.sampled_from([2024, 2025]),
    ),
    data=st.data(),
    prerequisite_met=st.sampled_from([None, True, False]),
    day=days,
)
def test_a_compiled_set_gives_what_the_engine_and_its_explanation_give(
    definition, profile, data, prerequisite_met, day
):
    codes = [i.code for c in definition.criteria for i in c.indicators] + ["a", "b", "c"]
    values = data.draw(st.dictionaries(st.sampled_from(codes), values_, max_size=len(codes)))
    periods = {
        code: data.draw(st.sampled_from(["2024Q1", "2024Q2", "2024H1", "2024", "2023Q4"]))
        for code in values
    }
    references = {"other": OTHER}
    formulas = {i.code: i.formula for c in definition.criteria for i in c.indicators}
    expected = evaluate(
        definition,
        profile,
        values,
        prerequisite_met=prerequisite_met,
        references=references,
        day=day,
    )
    compiled = CompiledSet(definition, references)
    for _ in range(2):  # the second run reads the plan compiled by the first
        got = compiled.run(profile, values, periods, prerequisite_met=prerequisite_met, day=day)
        assert got.detail == compact(expected, periods, formulas)
        assert (got.met, got.total, got.status) == (
            expected.met,
            expected.total,
            expected.status,
        )
        assert got.unverified == any(c.unverified for c in expected.criteria)
        assert got.revocation() == revocation_risk(expected)
        assert got.criteria_status == " ".join(
            f"{c.number}{compact_letter(c.status)}" for c in expected.criteria
        )


LOOKALIKES = [
    Decimal("1"),
    Decimal("1.0"),
    Decimal("1.000"),
    Decimal("-0"),
    Decimal("0"),
    Decimal("0.00"),
    Decimal("79.995"),
    Decimal("80.0"),
    True,
    False,
    "1",
    "cao",
]


@settings(max_examples=200, deadline=None)
@given(definition=sets(), data=st.data(), day=days)
def test_a_compiled_set_run_after_run_judges_each_value_as_the_engine_does(definition, data, day):
    """One compiled set over many units, as a national run uses it: nothing judged for one
    unit leaks into the next, and equal values that print apart (1 and 1.0, 0 and -0, True and
    1) are never taken for each other (a guard for any cache of judged values)."""
    codes = [i.code for c in definition.criteria for i in c.indicators] + ["a", "b", "c"]
    profile = UnitProfile(region="DBSH", commune_group="1", year=2024)
    formulas = {i.code: i.formula for c in definition.criteria for i in c.indicators}
    compiled = CompiledSet(definition, {"other": OTHER})
    for _ in range(4):
        values = data.draw(
            st.dictionaries(
                st.sampled_from(codes),
                st.one_of(values_, st.sampled_from(LOOKALIKES)),
                max_size=len(codes),
            )
        )
        periods = dict.fromkeys(values, "2024Q1")
        expected = evaluate(definition, profile, values, references={"other": OTHER}, day=day)
        got = compiled.run(profile, values, periods, day=day)
        assert got.detail == compact(expected, periods, formulas)
        assert (got.met, got.status) == (expected.met, expected.status)


def compact_letter(status: Status) -> str:
    return {"met": "m", "not_met": "n", "no_data": "d", "no_threshold": "t"}[status.value]


def test_a_plan_is_compiled_once_per_profile_and_day():
    definition = SetDef(
        "s",
        Axis.REGION,
        (
            CriterionDef(
                1,
                (
                    IndicatorDef(
                        "x",
                        Kind.PERCENT,
                        thresholds=(
                            ThresholdRule(Decimal("70")),
                            ThresholdRule(Decimal("60"), region="TDMNPB"),
                        ),
                    ),
                ),
            ),
        ),
    )
    compiled = CompiledSet(definition)
    north = UnitProfile(region="TDMNPB", year=2024)
    delta = UnitProfile(region="DBSH", year=2024)
    day = dt.date(2024, 12, 31)
    assert compiled.run(north, {"x": Decimal("65")}, {"x": "2024Q4"}, day=day).met == 1
    assert compiled.run(delta, {"x": Decimal("65")}, {"x": "2024Q4"}, day=day).met == 0
    assert compiled.plan(north, day) is compiled.plan(north, day)
    assert len(compiled._plans) == 2


def test_equal_values_that_print_apart_are_judged_apart():
    definition = SetDef(
        "s",
        Axis.REGION,
        (
            CriterionDef(
                1,
                (
                    IndicatorDef("p", Kind.PERCENT, thresholds=(ThresholdRule(Decimal("80")),)),
                    IndicatorDef("f", Kind.PASS_FAIL, thresholds=(ThresholdRule(True),)),
                    IndicatorDef(
                        "l", Kind.LEVEL, levels=LEVELS, thresholds=(ThresholdRule("cao"),)
                    ),
                ),
            ),
        ),
    )
    compiled = CompiledSet(definition)
    profile = UnitProfile(year=2024)
    formulas = {"p": "", "f": "", "l": ""}
    sequence = [
        {"p": Decimal("-0"), "f": Decimal("1"), "l": Decimal("1")},
        {"p": Decimal("0"), "f": Decimal("1.0"), "l": Decimal("1.00")},
        {"p": True, "f": True, "l": "cao"},
        {"p": Decimal("1"), "f": Decimal("1"), "l": "cao"},
        {"p": Decimal("80.0"), "f": False, "l": "thấp"},
        {"p": Decimal("80"), "f": False, "l": "thấp"},
    ]
    for values in sequence:
        periods = dict.fromkeys(values, "2024Q1")
        expected = compact(evaluate(definition, profile, values), periods, formulas)
        assert compiled.run(profile, values, periods).detail == expected, values
