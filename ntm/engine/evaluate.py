"""evaluate(set, profile, values) -> which criteria are met, by how much the others fall short, and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from ntm.engine import formula as formulas
from ntm.engine.model import (
    DIFFICULT_REGION,
    NUMERIC_KINDS,
    AppliedThreshold,
    Axis,
    CriterionDef,
    CriterionResult,
    Direction,
    IndicatorDef,
    IndicatorResult,
    Kind,
    SetDef,
    SetResult,
    Status,
    ThresholdRule,
    UnitProfile,
    Value,
    combine,
)

# Chosen thresholds by profile, then by indicator identity; valid for one run whose definitions
# stay alive. Keyed by profile first so that one evaluation hashes its profile once.
ThresholdCache = dict[UnitProfile, dict[int, AppliedThreshold | None]]


def quantize(value: Decimal, decimals: int) -> Decimal:
    """Round half up to the indicator's decimals, as officials round the figures they report."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


# Reasons a threshold is missing (stored with the result; pages translate them).
NO_THRESHOLD = "no threshold applies"
NO_GROUP = "commune group not set"


def select_threshold(
    indicator: IndicatorDef,
    axis: Axis,
    profile: UnitProfile,
    references: Mapping[str, SetDef] | None = None,
) -> AppliedThreshold | None:
    """The threshold that applies to this unit, and the rule that chose it; None when none does."""
    rules = indicator.thresholds
    dated = [r for r in rules if r.year == profile.year]
    candidates = dated or [r for r in rules if r.year is None]
    year_note = f" +year:{profile.year}" if dated else ""
    chosen: ThresholdRule | None = None
    rule = ""
    if axis is Axis.REGION:
        region = DIFFICULT_REGION if profile.especially_difficult else profile.region
        chosen = next((r for r in candidates if region and r.region == region), None)
        if chosen is not None:
            rule = f"region:{region}" + (" (difficult)" if profile.especially_difficult else "")
    elif axis is Axis.COMMUNE_GROUP:
        group = profile.commune_group
        if not group and any(r.commune_group for r in candidates):
            # Thresholds differ by group and the commune's is unknown: no guess.
            return None
        chosen = next((r for r in candidates if group and r.commune_group == group), None)
        if chosen is not None:
            rule = f"group:{group}"
    if chosen is None:
        chosen = next((r for r in candidates if not r.region and not r.commune_group), None)
        rule = "general"
    if chosen is None:
        return None
    if chosen.reference is not None:
        return _resolve_reference(chosen, profile, references or {}, rule + year_note)
    if chosen.value is None:
        return None
    return AppliedThreshold(
        chosen.value, rule + year_note, chosen.verified, chosen.source, chosen.rule_id
    )


def _resolve_reference(
    rule: ThresholdRule, profile: UnitProfile, references: Mapping[str, SetDef], how: str
) -> AppliedThreshold | None:
    ref = rule.reference
    assert ref is not None
    other_set = references.get(ref.set_code)
    other = other_set.indicator(ref.indicator_code) if other_set else None
    if other_set is None or other is None or other.thresholds == ():
        return None
    base = select_threshold(other, other_set.axis, profile, references)
    if base is None or not isinstance(base.value, Decimal):
        return None
    return AppliedThreshold(
        base.value * ref.factor,
        f"{how}; ×{ref.factor} of {ref.set_code}/{ref.indicator_code} ({base.rule})",
        rule.verified and base.verified,
        rule.source,
        rule.rule_id,
    )


def _value_for(
    indicator: IndicatorDef, values: Mapping[str, Value]
) -> tuple[Value | None, str, str]:
    """(value, source, reason): computed from data elements when possible, else entered."""
    reason = ""
    if indicator.formula:
        try:
            computed = formulas.compiled(indicator.formula)(values)
        except formulas.MissingData as exc:
            reason = "missing data elements: " + ", ".join(exc.names)
        except formulas.FormulaError as exc:
            reason = str(exc)
        else:
            return quantize(computed, indicator.decimals), "computed", ""
    entered = values.get(indicator.code)
    if entered is None:
        return None, "", reason or "no value"
    if indicator.kind in NUMERIC_KINDS and isinstance(entered, Decimal):
        return quantize(entered, indicator.decimals), "entered", ""
    return entered, "entered", ""


def evaluate_indicator(
    indicator: IndicatorDef,
    axis: Axis,
    profile: UnitProfile,
    values: Mapping[str, Value],
    references: Mapping[str, SetDef] | None = None,
    cache: ThresholdCache | None = None,
    chosen: dict[int, AppliedThreshold | None] | None = None,
) -> IndicatorResult:
    """``chosen`` is the cache's entry for this profile (``evaluate`` looks it up once)."""
    value, source, reason = _value_for(indicator, values)
    if chosen is None and cache is not None:
        chosen = cache.setdefault(profile, {})
    if chosen is None:
        threshold = select_threshold(indicator, axis, profile, references)
    else:
        key = id(indicator)
        if key not in chosen:
            chosen[key] = select_threshold(indicator, axis, profile, references)
        threshold = chosen[key]

    def result(status: Status, gap: Decimal | None = None, why: str = "") -> IndicatorResult:
        return IndicatorResult(
            indicator.code, status, value, source, threshold, gap, indicator.direction, why
        )

    if value is None:
        return result(Status.NO_DATA, why=reason)
    if threshold is None:
        if (
            axis is Axis.COMMUNE_GROUP
            and not profile.commune_group
            and any(r.commune_group for r in indicator.thresholds)
        ):
            return result(Status.NO_THRESHOLD, why=NO_GROUP)
        return result(Status.NO_THRESHOLD, why=NO_THRESHOLD)
    target = threshold.value
    if indicator.kind is Kind.PASS_FAIL:
        if not isinstance(value, bool) or not isinstance(target, bool):
            return result(Status.NO_DATA, why="not a pass/fail value")
        return result(Status.MET if value == target else Status.NOT_MET)
    if indicator.kind is Kind.LEVEL:
        levels = indicator.levels
        if value not in levels or target not in levels:
            return result(Status.NO_DATA, why="unknown level")
        met = levels.index(str(value)) >= levels.index(str(target))
        return result(
            Status.MET if met else Status.NOT_MET,
            Decimal(max(0, levels.index(str(target)) - levels.index(str(value)))),
        )
    if not isinstance(value, Decimal) or not isinstance(target, Decimal):
        return result(Status.NO_DATA, why="not a number")
    gap = target - value if indicator.direction is Direction.HIGHER else value - target
    if gap <= 0:
        return result(Status.MET, Decimal(0))
    return result(Status.NOT_MET, gap)


def evaluate_criterion(
    criterion: CriterionDef,
    axis: Axis,
    profile: UnitProfile,
    values: Mapping[str, Value],
    references: Mapping[str, SetDef] | None = None,
    cache: ThresholdCache | None = None,
    chosen: dict[int, AppliedThreshold | None] | None = None,
    day: dt.date | None = None,
) -> CriterionResult:
    if chosen is None and cache is not None:
        chosen = cache.setdefault(profile, {})
    indicators = tuple(
        evaluate_indicator(i, axis, profile, values, references, chosen=chosen)
        for i in criterion.indicators
        # Retired indicators are not judged for periods ending on or after their day.
        if i.retired_from is None or day is None or day < i.retired_from
    )
    status = combine([i.status for i in indicators]) if indicators else Status.NO_THRESHOLD
    return CriterionResult(criterion.number, status, indicators, criterion.key)


def evaluate(
    definition: SetDef,
    profile: UnitProfile,
    values: Mapping[str, Value],
    *,
    prerequisite_met: bool | None = None,
    references: Mapping[str, SetDef] | None = None,
    cache: ThresholdCache | None = None,
    day: dt.date | None = None,
) -> SetResult:
    """Evaluate one unit against one set for one period's values (``day``: the period's end;
    indicators retired by then are not judged).

    ``prerequisite_met`` is the result of the prerequisite set (None when not evaluated);
    ``references`` holds the sets that thresholds refer to. ``cache`` may be shared by the
    calls of one run over many units with the same definitions: the threshold that applies
    depends only on the indicator and the profile, so it is chosen once per pair.
    """
    chosen = cache.setdefault(profile, {}) if cache is not None else None
    criteria = tuple(
        evaluate_criterion(c, definition.axis, profile, values, references, chosen=chosen, day=day)
        for c in definition.criteria
        # A criterion whose indicators are all retired by then has left the set.
        if day is None or c.retired_from is None or day < c.retired_from
    )
    return SetResult(definition.code, criteria, definition.prerequisite, prerequisite_met)
