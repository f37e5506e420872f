"""Evaluation glue: fetch inputs for many units in a fixed number of queries, run the pure
engine per unit and period, store the results. The same path serves one unit after a save and
the whole country in a bulk run.

Values carry forward: a period is judged on the latest value of each code reported up to its
end, and every indicator result names the period its value came from.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction

from ntm.catalog.models import CriteriaSet
from ntm.catalog.selectors import province_id_of, set_definition, variants_by_province
from ntm.engine import evaluate, formula, parse_period, revocation_risk
from ntm.engine.evaluate import ThresholdCache
from ntm.engine.model import (
    IndicatorResult,
    SetDef,
    Status,
    UnitProfile,
    Value,
)
from ntm.engine.model import (
    SetResult as EngineResult,
)
from ntm.evaluation.models import SetResult
from ntm.geo.models import AdminUnit
from ntm.geo.selectors import ProfileSource


def _text(value: Value | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _indicator_detail(
    result: IndicatorResult, periods: dict[str, str], formula_text: str
) -> dict[str, Any]:
    if result.value_source == "computed":
        used = formula.names(formula_text)
        value_period = max(
            (periods[n] for n in used if n in periods),
            default="",
            key=lambda p: parse_period(p) if p else parse_period("1900"),
        )
    else:
        value_period = periods.get(result.code, "")
    threshold = result.threshold
    return {
        "code": result.code,
        "status": result.status.value,
        "value": _text(result.value),
        "value_source": result.value_source,
        "value_period": value_period,
        "threshold": _text(threshold.value) if threshold else None,
        "rule": threshold.rule if threshold else "",
        "verified": threshold.verified if threshold else None,
        "source": threshold.source if threshold else "",
        "threshold_id": threshold.rule_id if threshold else None,
        "gap": _text(result.gap),
        "direction": result.direction.value,
        "reason": result.reason,
    }


def _detail(result: EngineResult, periods: dict[str, str], definition: SetDef) -> dict[str, Any]:
    formulas = {i.code: i.formula for c in definition.criteria for i in c.indicators}
    return {
        "criteria": [
            {
                "number": c.number,
                "status": c.status.value,
                "key": c.key,
                "unverified": c.unverified,
                "indicators": [
                    _indicator_detail(i, periods, formulas.get(i.code, "")) for i in c.indicators
                ],
            }
            for c in result.criteria
        ]
    }


class _Definitions:
    """Engine definitions of a family's variants and of the sets their thresholds refer to."""

    def __init__(self, family: CriteriaSet):
        self.family = family
        self.variants = variants_by_province(family)
        self._built: dict[int, SetDef] = {}

    def for_unit(self, unit: AdminUnit) -> tuple[CriteriaSet, SetDef]:
        variant = self.variants.get(province_id_of(unit)) or self.variants[None]
        if variant.pk not in self._built:
            self._built[variant.pk] = set_definition(variant)
        return variant, self._built[variant.pk]

    def references(self, unit: AdminUnit, definition: SetDef) -> dict[str, SetDef]:
        codes = {
            r.reference.set_code
            for c in definition.criteria
            for i in c.indicators
            for r in i.thresholds
            if r.reference is not None
        }
        refs = {}
        for code in codes:
            other = CriteriaSet.objects.filter(code=code, localises__isnull=True).first()
            if other is not None:
                refs[code] = _Definitions(other).for_unit(unit)[1]
        return refs


def _prerequisite_lookup(
    family: CriteriaSet, units: list[AdminUnit]
) -> dict[int, list[tuple[dt.date, bool]]]:
    if not family.prerequisite_id:
        return {}
    prerequisite = family.prerequisite.family  # type: ignore[union-attr]
    rows = (
        SetResult.objects.filter(criteria_set=prerequisite, unit__in=units)
        .order_by("period_end")
        .values_list("unit_id", "period_end", "status")
    )
    found: dict[int, list[tuple[dt.date, bool]]] = defaultdict(list)
    for unit_id, end, status in rows:
        found[unit_id].append((end, status == Status.MET))
    return found


def _latest_before(entries: list[tuple[dt.date, bool]], day: dt.date) -> bool | None:
    met = None
    for end, ok in entries:
        if end <= day:
            met = ok
    return met


def evaluate_units(*, units: Iterable[AdminUnit], family: CriteriaSet) -> int:
    """(Re)compute and store the results of these units for one set; returns results stored."""
    units = list(units)
    if not units:
        return 0
    from ntm.observations.models import DataValue

    definitions = _Definitions(family)
    profiles = ProfileSource(units)
    prerequisites = _prerequisite_lookup(family, units)
    values: dict[int, list[tuple[str, str, Any, Any, str]]] = defaultdict(list)
    rows = (
        DataValue.objects.filter(criteria_set=family, unit__in=[u.pk for u in units])
        .order_by("unit_id", "period_end", "updated_at")
        .values_list("unit_id", "code", "period", "number", "flag", "text")
    )
    for unit_id, code, period_code, number, flag, text in rows.iterator(chunk_size=5000):
        values[unit_id].append((code, period_code, number, flag, text))

    results: list[SetResult] = []
    cache: ThresholdCache = {}
    for unit in units:
        unit_values = values.get(unit.pk)
        if not unit_values:
            continue
        variant, definition = definitions.for_unit(unit)
        refs = (
            definitions.references(unit, definition)
            if any(
                r.reference for c in definition.criteria for i in c.indicators for r in i.thresholds
            )
            else {}
        )
        parsed = [
            (code, parse_period(raw), _typed(number, flag, text))
            for code, raw, number, flag, text in unit_values
        ]
        for period in sorted({p for _, p, _ in parsed}):
            snapshot: dict[str, Value] = {}
            periods: dict[str, str] = {}
            for code, p, value in parsed:
                if p.end <= period.end and (code not in periods or periods[code] != period.code):
                    snapshot[code] = value
                    periods[code] = p.code
            profile = profiles.profile(unit, period.end)
            engine_profile = UnitProfile(
                profile.region, profile.commune_group, profile.especially_difficult, period.year
            )
            prerequisite_met = (
                _latest_before(prerequisites.get(unit.pk, []), period.end)
                if family.prerequisite_id
                else None
            )
            outcome = evaluate(
                definition,
                engine_profile,
                snapshot,
                prerequisite_met=prerequisite_met,
                references=refs,
                cache=cache,
            )
            results.append(
                SetResult(
                    unit=unit,
                    criteria_set=family,
                    applied_set=variant,
                    period=period.code,
                    period_end=period.end,
                    met=outcome.met,
                    total=outcome.total,
                    status=outcome.status.value,
                    prerequisite_met=prerequisite_met,
                    unverified=any(c.unverified for c in outcome.criteria),
                    revocation_risk=revocation_risk(outcome).risk.value,
                    detail=_detail(outcome, periods, definition),
                    criteria_status=criteria_status(outcome),
                )
            )
    with transaction.atomic():
        SetResult.objects.filter(criteria_set=family, unit__in=[u.pk for u in units]).delete()
        SetResult.objects.bulk_create(results, batch_size=2000)
    return len(results)


STATUS_LETTERS = {
    Status.MET: "m",
    Status.NOT_MET: "n",
    Status.NO_DATA: "d",
    Status.NO_THRESHOLD: "t",
}
LETTER_STATUS = {letter: status.value for status, letter in STATUS_LETTERS.items()}


def criteria_status(outcome: EngineResult) -> str:
    """ "1m 2n 3d": each criterion's status in a short column, for roll-ups over many units."""
    return " ".join(f"{c.number}{STATUS_LETTERS[c.status]}" for c in outcome.criteria)


def parse_criteria_status(text: str) -> dict[int, str]:
    return {int(part[:-1]): LETTER_STATUS[part[-1]] for part in text.split()}


def _typed(number: Any, flag: bool | None, text: str) -> Value:
    if flag is not None:
        return flag
    if number is not None:
        return Decimal(number)
    return text


def dependants_of(family: CriteriaSet) -> list[CriteriaSet]:
    """Sets whose prerequisite is this one, transitively, in evaluation order."""
    found: list[CriteriaSet] = []
    frontier = [family]
    while frontier:
        current = frontier.pop(0)
        for child in CriteriaSet.objects.filter(prerequisite=current, localises__isnull=True):
            if child not in found:
                found.append(child)
                frontier.append(child)
    return found


def refresh(*, unit: AdminUnit, family: CriteriaSet | None = None) -> None:
    """Recompute a unit's stored results after a change (one set and the sets that need it)."""
    from ntm.observations.models import DataValue

    if family is None:
        ids = DataValue.objects.filter(unit=unit).values_list("criteria_set", flat=True).distinct()
        families = list(CriteriaSet.objects.filter(pk__in=ids))
    else:
        families = [family]
    ordered: list[CriteriaSet] = []
    for f in families:
        for s in [f, *dependants_of(f)]:
            if s not in ordered:
                ordered.append(s)
    from ntm.catalog.selectors import prerequisite_order

    for s in prerequisite_order(ordered):
        evaluate_units(units=[unit], family=s)
