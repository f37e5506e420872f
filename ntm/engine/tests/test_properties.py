"""Property tests: the engine's promises hold for any values, thresholds and profiles."""

import subprocess
import sys
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ntm.engine import (
    Axis,
    CriterionDef,
    Direction,
    IndicatorDef,
    Kind,
    SetDef,
    Status,
    ThresholdRule,
    UnitProfile,
    evaluate,
)
from ntm.engine.values import format_value, parse_value

numbers = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
directions = st.sampled_from(list(Direction))
regions = st.sampled_from(["", "TDMNPB", "DBSH", "BTB", "DHNTB", "TN", "DNB", "DBSCL"])


def one_indicator_set(direction: Direction, threshold: Decimal | None) -> SetDef:
    rules = (ThresholdRule(threshold),) if threshold is not None else ()
    return SetDef(
        "s",
        Axis.REGION,
        (CriterionDef(1, (IndicatorDef("x", Kind.PERCENT, direction, thresholds=rules),)),),
    )


@given(value=numbers, better=numbers, threshold=numbers, direction=directions, region=regions)
def test_improving_a_value_never_turns_met_into_not_met(
    value, better, threshold, direction, region
):
    improved = value + better if direction is Direction.HIGHER else value - better
    improved = min(max(improved, Decimal(0)), Decimal(100))
    definition = one_indicator_set(direction, threshold)
    profile = UnitProfile(region=region, year=2024)
    before = evaluate(definition, profile, {"x": value}).criteria[0].status
    after = evaluate(definition, profile, {"x": improved}).criteria[0].status
    if before is Status.MET:
        assert after is Status.MET


@given(value=numbers, threshold=numbers, direction=directions)
def test_gap_is_zero_exactly_when_met_and_positive_otherwise(value, threshold, direction):
    result = evaluate(one_indicator_set(direction, threshold), UnitProfile(), {"x": value})
    indicator = result.criteria[0].indicators[0]
    assert (indicator.status is Status.MET) == (indicator.gap == 0)
    assert indicator.gap >= 0


@given(value=st.one_of(st.none(), numbers), direction=directions)
def test_without_a_threshold_nothing_is_ever_met(value, direction):
    values = {} if value is None else {"x": value}
    status = evaluate(one_indicator_set(direction, None), UnitProfile(), values).criteria[0].status
    assert status in (Status.NO_DATA, Status.NO_THRESHOLD)


@given(statuses=st.lists(st.sampled_from([True, False, None]), min_size=1, max_size=19))
def test_met_count_counts_criteria_whose_every_indicator_is_met(statuses):
    criteria = tuple(
        CriterionDef(n, (IndicatorDef(f"{n}", Kind.PASS_FAIL, thresholds=(ThresholdRule(True),)),))
        for n in range(1, len(statuses) + 1)
    )
    values = {f"{n}": s for n, s in enumerate(statuses, start=1) if s is not None}
    result = evaluate(SetDef("s", Axis.NONE, criteria), UnitProfile(), values)
    assert result.met == statuses.count(True) and result.total == len(statuses)


@given(
    number=st.decimals(
        min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False
    )
)
def test_exported_numbers_read_back_unchanged(number):
    assert parse_value(format_value(number), Kind.NUMBER) == number


def test_the_engine_does_not_import_django():
    code = (
        "import sys, ntm.engine, ntm.engine.values, ntm.engine.periods; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@given(value=numbers, threshold=numbers, direction=directions, region=regions)
def test_the_threshold_cache_never_changes_a_result(value, threshold, direction, region):
    definition = one_indicator_set(direction, threshold)
    profile = UnitProfile(region=region, year=2024)
    cache: dict = {}
    plain = evaluate(definition, profile, {"x": value})
    for _ in range(2):
        assert evaluate(definition, profile, {"x": value}, cache=cache) == plain


_leaves = st.one_of(
    st.sampled_from(["a", "b", "c"]),
    st.integers(min_value=0, max_value=1000).map(str),
    st.sampled_from(["0.5", "100", "0"]),
)
formulas_ = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(st.sampled_from(["min", "max"]), st.lists(inner, min_size=1, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        ),
        inner.map(lambda e: f"-{e}"),
    ),
    max_leaves=8,
)


@given(
    formula=formulas_,
    values=st.dictionaries(st.sampled_from(["a", "b", "c"]), numbers, max_size=3),
)
def test_a_compiled_formula_computes_what_the_interpreter_computes(formula, values):
    from ntm.engine import formula as f

    def outcome(run):
        try:
            return run(formula, values)
        except f.MissingData as exc:
            return ("missing", tuple(exc.names))
        except f.FormulaError as exc:
            return ("error", str(exc))

    assert outcome(lambda text, v: f.compiled(text)(v)) == outcome(f.interpret)
