"""Writes of decision support: scenarios ("kịch bản"), gap costs, and a confirmed cheapest
path turned into plan targets; and ``scenario_evaluate``, which judges a scenario by the same
engine as real values and stores nothing.

Writes check role and scope here (``require``), as everywhere.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ntm.accounts.permissions import Action, require
from ntm.catalog.models import CriteriaSet, DataElement, Indicator, SetLevel
from ntm.catalog.selectors import applicable_set
from ntm.decisions.errors import DecisionError
from ntm.decisions.models import GapCost, Scenario, ScenarioValue
from ntm.decisions.selectors import CheapestPlan, join_codes, money
from ntm.engine import formula, parse_period
from ntm.engine.model import Kind, Status, Value
from ntm.engine.model import SetResult as EngineResult
from ntm.engine.values import ValueError_, format_value, parse_value
from ntm.evaluation.models import Basis, SetResult
from ntm.evaluation.selectors import criterion_names, result_as_of
from ntm.evaluation.services import evaluate_with
from ntm.finance.models import Work
from ntm.finance.money import MoneyError, parse_vnd
from ntm.geo.models import AdminUnit, Level
from ntm.observations.services import value_message
from ntm.planning.models import Plan, Target, TargetKind
from ntm.planning.services import PlanError, target_add

# --- scenarios ------------------------------------------------------------------------------


def _check_set(unit: AdminUnit, family: CriteriaSet) -> CriteriaSet:
    """The variant of a national set that judges this unit; refuses a set of another level."""
    if family.localises_id is not None:
        raise DecisionError(_("Choose a national criteria set."), "criteria_set")
    wanted = Level.VILLAGE if family.level == SetLevel.VILLAGE else Level.COMMUNE
    if family.level not in (SetLevel.COMMUNE, SetLevel.VILLAGE) or unit.level != wanted:
        raise DecisionError(
            _("%(set)s does not apply to %(unit)s.") % {"set": family.code, "unit": unit.name},
            "criteria_set",
        )
    return applicable_set(family, unit)


def check_period(text: str) -> str:
    try:
        return parse_period(text).code
    except ValueError:
        raise DecisionError(
            _("“%(value)s” is not a period (e.g. 2024, 2024H1, 2024Q4).") % {"value": text},
            "base_period",
        ) from None


def _kinds(variant: CriteriaSet, codes: set[str]) -> dict[str, tuple[Kind, tuple[str, ...]]]:
    """Kind and levels of each code that names an indicator or a data element (two queries)."""
    found: dict[str, tuple[Kind, tuple[str, ...]]] = {
        code: (Kind(kind), ())
        for code, kind in DataElement.objects.filter(
            criteria_set=variant, code__in=codes
        ).values_list("code", "kind")
    }
    for code, kind, levels in Indicator.objects.filter(
        criteria_set=variant, code__in=codes
    ).values_list("code", "kind", "levels"):
        found[code] = (Kind(kind), tuple(levels or ()))
    return found


def _canonical(variant: CriteriaSet, values: Mapping[str, str]) -> dict[str, str]:
    """The values in canonical text, each checked against its code's kind."""
    cleaned = {str(code).strip(): str(text).strip() for code, text in values.items()}
    kinds = _kinds(variant, set(cleaned))
    out: dict[str, str] = {}
    for code, text in cleaned.items():
        if code not in kinds:
            raise DecisionError(
                _("“%(code)s” is neither an indicator nor a data element of %(set)s.")
                % {"code": code, "set": variant.code},
                "values",
            )
        kind, levels = kinds[code]
        try:
            out[code] = format_value(parse_value(text, kind, levels))
        except ValueError_ as exc:
            raise DecisionError(f"{code}: {value_message(exc)}", "values") from None
    return out


def parse_lines(text: str) -> dict[str, str]:
    """ "8.4 = đạt" per line (or "8.4: đạt", "8.4<tab>đạt") into code → value; refuses a line
    it cannot read, naming it."""
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        for separator in ("=", "\t", ":"):
            if separator in line:
                code, value = line.split(separator, 1)
                break
        else:
            raise DecisionError(
                _("Line %(n)s: write “code = value”, e.g. “8.4 = đạt”.") % {"n": number},
                "values",
            )
        if not code.strip() or not value.strip():
            raise DecisionError(
                _("Line %(n)s: write “code = value”, e.g. “8.4 = đạt”.") % {"n": number},
                "values",
            )
        found[code.strip()] = value.strip()
    return found


@transaction.atomic
def scenario_create(
    *,
    user: Any,
    unit: AdminUnit,
    criteria_set: CriteriaSet,
    base_period: str,
    name: str,
    values: Mapping[str, str],
    note: str = "",
    source: str = Scenario.Source.TYPED,
    is_demo: bool = False,
) -> Scenario:
    require(user, Action.MANAGE_PLAN, unit)
    variant = _check_set(unit, criteria_set)
    period = check_period(base_period)
    name = name.strip()
    if not name:
        raise DecisionError(_("Give the scenario a name."), "name")
    if Scenario.objects.filter(unit=unit, criteria_set=criteria_set, name=name).exists():
        raise DecisionError(
            _("%(unit)s already has a scenario named “%(name)s”.")
            % {"unit": unit.name, "name": name},
            "name",
        )
    typed = _canonical(variant, values)
    if not typed:
        raise DecisionError(_("A scenario needs at least one value."), "values")
    scenario = Scenario.objects.create(
        unit=unit,
        criteria_set=criteria_set,
        base_period=period,
        name=name,
        note=note.strip(),
        source=source,
        is_demo=is_demo,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    ScenarioValue.objects.bulk_create(
        ScenarioValue(scenario=scenario, code=code, text=text) for code, text in typed.items()
    )
    return scenario


@transaction.atomic
def scenario_values_set(*, user: Any, scenario: Scenario, values: Mapping[str, str]) -> Scenario:
    """Replace the scenario's values."""
    require(user, Action.MANAGE_PLAN, scenario.unit)
    typed = _canonical(_check_set(scenario.unit, scenario.criteria_set), values)
    if not typed:
        raise DecisionError(_("A scenario needs at least one value."), "values")
    scenario.values.all().delete()
    ScenarioValue.objects.bulk_create(
        ScenarioValue(scenario=scenario, code=code, text=text) for code, text in typed.items()
    )
    return scenario


@transaction.atomic
def scenario_delete(*, user: Any, scenario: Scenario) -> None:
    require(user, Action.MANAGE_PLAN, scenario.unit)
    scenario.delete()


def _threshold_text(text: str | None) -> str | None:
    """A stored threshold as a value a scenario can hold (pass/fail as people write it)."""
    if text is None:
        return None
    return {"true": "đạt", "false": "không đạt"}.get(text, text)


def values_from_targets(*, plan: Plan, family: CriteriaSet, period: str) -> dict[str, str]:
    """What the plan's targets on this set say, as values: an indicator target gives its value;
    a criterion target gives each indicator of the criterion not yet met its threshold (as of
    the period's working result)."""
    targets = list(
        Target.objects.filter(
            plan=plan,
            criteria_set=family,
            kind__in=[TargetKind.INDICATOR, TargetKind.CRITERION],
        ).order_by("position", "pk")
    )
    values: dict[str, str] = {}
    wanted = {t.criterion_number for t in targets if t.kind == TargetKind.CRITERION}
    if wanted:
        result = result_as_of(
            unit=plan.unit, family=family, period=parse_period(period), basis=Basis.WORKING
        )
        criteria = result.explanation["criteria"] if result is not None else []
        for criterion in criteria:
            if criterion["number"] not in wanted:
                continue
            for indicator in criterion["indicators"]:
                threshold = _threshold_text(indicator["threshold"])
                if indicator["status"] != Status.MET and threshold is not None:
                    values[indicator["code"]] = threshold
    for t in targets:
        if t.kind == TargetKind.INDICATOR and t.indicator_code and t.value is not None:
            values[t.indicator_code] = format(t.value.normalize(), "f")
    return values


def scenario_from_targets(
    *,
    user: Any,
    plan: Plan,
    criteria_set: CriteriaSet,
    base_period: str = "",
    name: str = "",
) -> Scenario:
    """A scenario of the plan's targets reached (base period: the plan's year-end quarter)."""
    period = check_period(base_period or f"{plan.year}Q4")
    require(user, Action.MANAGE_PLAN, plan.unit)
    values = values_from_targets(plan=plan, family=criteria_set, period=period)
    if not values:
        raise DecisionError(
            _("The %(year)s plan has no indicator or criterion target on %(set)s.")
            % {"year": plan.year, "set": criteria_set.code},
            "source",
        )
    return scenario_create(
        user=user,
        unit=plan.unit,
        criteria_set=criteria_set,
        base_period=period,
        name=name or _("Targets of the %(year)s plan") % {"year": plan.year},
        values=values,
        source=Scenario.Source.TARGETS,
    )


def values_from_works(*, unit: AdminUnit, family: CriteriaSet, period: str) -> dict[str, str]:
    """The values the commune's works would feed if those in progress were finished: as
    ``finance.services.feed_recompute`` records them, the total quantity of the works feeding
    a code, finished by the period's year, here with the works in progress counted too. Codes
    no work in progress feeds are left out (their real value stands)."""
    year = parse_period(period).year
    works = Work.objects.filter(
        unit__path__startswith=unit.path,
        feeds_set=family,
        quantity__isnull=False,
        status__in=[Work.Status.DONE, Work.Status.IN_PROGRESS],
    ).exclude(feeds_code="")
    totals: dict[str, Decimal] = {}
    pending: set[str] = set()
    for work in works.only("feeds_code", "quantity", "status", "finish", "year"):
        if work.status == Work.Status.DONE and work.feed_year > year:
            continue
        assert work.quantity is not None
        totals[work.feeds_code] = totals.get(work.feeds_code, Decimal(0)) + work.quantity
        if work.status == Work.Status.IN_PROGRESS:
            pending.add(work.feeds_code)
    return {code: format(totals[code].normalize(), "f") for code in sorted(pending)}


def scenario_from_works(
    *, user: Any, unit: AdminUnit, criteria_set: CriteriaSet, base_period: str, name: str = ""
) -> Scenario:
    period = check_period(base_period)
    require(user, Action.MANAGE_PLAN, unit)
    values = values_from_works(unit=unit, family=criteria_set, period=period)
    if not values:
        raise DecisionError(
            _("No work in progress feeds an indicator or data element of %(set)s.")
            % {"set": criteria_set.code},
            "source",
        )
    return scenario_create(
        user=user,
        unit=unit,
        criteria_set=criteria_set,
        base_period=period,
        name=name or _("Works in progress finished by %(period)s") % {"period": period},
        values=values,
        source=Scenario.Source.WORKS,
    )


@dataclass(frozen=True)
class IndicatorCompare:
    code: str
    real_value: str | None
    real_status: str
    value: str | None  # the scenario's
    status: str
    threshold: str | None
    gap: Decimal | None
    overlaid: bool  # the scenario gives this indicator (or a data element of its formula)


@dataclass(frozen=True)
class CriterionCompare:
    number: int
    name: str
    real_status: str
    status: str
    indicators: list[IndicatorCompare]

    @property
    def changed(self) -> bool:
        return self.real_status != self.status


@dataclass(frozen=True)
class ScenarioOutcome:
    """A scenario judged beside the real (working) result of the same period."""

    scenario: Scenario
    real: SetResult | None
    projected: EngineResult
    rows: list[CriterionCompare]
    values: dict[str, str] = field(default_factory=dict)

    @property
    def real_met(self) -> int:
        return self.real.met if self.real is not None else 0

    @property
    def changed(self) -> list[CriterionCompare]:
        return [r for r in self.rows if r.changed]

    @property
    def gaps(self) -> list[tuple[int, IndicatorCompare]]:
        """What remains open in the scenario."""
        return [(r.number, i) for r in self.rows for i in r.indicators if i.status != Status.MET]


def _engine_text(value: Value | Decimal | None) -> str | None:
    """As stored explanations write values (``evaluation.detail``), so pages show both alike."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def scenario_evaluate(scenario: Scenario) -> ScenarioOutcome:
    """The engine's result for the scenario's unit at its base period, on the unit's working
    values with the scenario's laid over them (carried forward as the pipeline does), beside
    the stored working result. Nothing is written."""
    variant = _check_set(scenario.unit, scenario.criteria_set)
    texts = dict(scenario.values.values_list("code", "text"))
    kinds = _kinds(variant, set(texts))
    overlay: dict[str, Value] = {}
    for code, text in texts.items():
        # A code the set no longer has, or whose kind changed since, is left out rather than
        # guessed.
        try:
            if code in kinds:
                overlay[code] = parse_value(text, *kinds[code])
        except ValueError_:
            continue
    period = parse_period(scenario.base_period)
    projected = evaluate_with(
        unit=scenario.unit, family=scenario.criteria_set, period=period.code, overlay=overlay
    )
    real = result_as_of(
        unit=scenario.unit, family=scenario.criteria_set, period=period, basis=Basis.WORKING
    )
    real_criteria = {c["number"]: c for c in (real.explanation["criteria"] if real else [])}
    names = criterion_names(real.applied_set if real else variant)
    inputs = {
        code: set(formula.names(text))
        for code, text in Indicator.objects.filter(criteria_set=variant)
        .exclude(formula="")
        .values_list("code", "formula")
    }
    rows = []
    for criterion in projected.criteria:
        before = real_criteria.get(criterion.number, {"status": Status.NO_DATA, "indicators": []})
        real_indicators = {i["code"]: i for i in before["indicators"]}
        indicators = []
        for i in criterion.indicators:
            old = real_indicators.get(i.code, {})
            overlaid = i.code in overlay or bool(inputs.get(i.code, set()) & set(overlay))
            indicators.append(
                IndicatorCompare(
                    code=i.code,
                    real_value=old.get("value"),
                    real_status=old.get("status", Status.NO_DATA),
                    value=_engine_text(i.value),
                    status=i.status.value,
                    threshold=_engine_text(i.threshold.value) if i.threshold else None,
                    gap=i.gap,
                    overlaid=overlaid,
                )
            )
        rows.append(
            CriterionCompare(
                number=criterion.number,
                name=names.get(criterion.number, ""),
                real_status=before["status"],
                status=criterion.status.value,
                indicators=indicators,
            )
        )
    return ScenarioOutcome(scenario, real, projected, rows, texts)


# --- gap costs and the cheapest path ----------------------------------------------------------


def _check_vnd(cost: Any) -> Decimal:
    try:
        return parse_vnd(cost)
    except MoneyError:
        raise DecisionError(_("Enter the cost in whole dong, e.g. 350000000."), "cost") from None


@transaction.atomic
def gap_cost_set(
    *,
    user: Any,
    unit: AdminUnit,
    criteria_set: CriteriaSet,
    indicator_code: str,
    cost: Any,
    note: str = "",
    is_demo: bool = False,
) -> GapCost:
    require(user, Action.MANAGE_PLAN, unit)
    variant = _check_set(unit, criteria_set)
    code = indicator_code.strip()
    if not Indicator.objects.filter(criteria_set=variant, code=code).exists():
        raise DecisionError(
            _("“%(code)s” is not an indicator of %(set)s.") % {"code": code, "set": variant.code},
            "indicator_code",
        )
    found, _created = GapCost.objects.update_or_create(
        unit=unit,
        criteria_set=criteria_set,
        indicator_code=code,
        defaults={
            "cost": _check_vnd(cost),
            "note": note.strip()[:300],
            "is_demo": is_demo,
            "updated_by": user if getattr(user, "is_authenticated", False) else None,
        },
    )
    return found


@transaction.atomic
def gap_cost_remove(*, user: Any, cost: GapCost) -> None:
    require(user, Action.MANAGE_PLAN, cost.unit)
    cost.delete()


@transaction.atomic
def cheapest_to_targets(
    *, user: Any, plan: Plan, family: CriteriaSet, found: CheapestPlan
) -> list[Target]:
    """Turn a confirmed cheapest path into the plan's targets: one criterion target per
    criterion it completes (none twice), due at the plan's year end, its title saying where it
    came from. The plan's own services write them (role and scope checked there)."""
    require(user, Action.MANAGE_PLAN, plan.unit)
    path = found.path
    if path is None or not path.feasible or not path.completed:
        raise DecisionError(_("There is no path to turn into targets."))
    existing = set(
        Target.objects.filter(
            plan=plan, kind=TargetKind.CRITERION, criteria_set=family
        ).values_list("criterion_number", flat=True)
    )
    costs: dict[int, Decimal] = {}
    for gap in path.chosen:
        costs[gap.criterion] = costs.get(gap.criterion, Decimal(0)) + gap.cost
    created = []
    for number in path.completed:
        if number in existing:
            continue
        codes = join_codes([g.code for g in path.chosen if g.criterion == number])
        try:
            created.append(
                target_add(
                    user=user,
                    plan=plan,
                    kind=TargetKind.CRITERION,
                    criteria_set=family,
                    criterion_number=number,
                    deadline=dt.date(plan.year, 12, 31),
                    title=_("Complete criterion %(n)s: close %(codes)s (%(cost)s, cheapest path)")
                    % {"n": number, "codes": codes, "cost": money(costs.get(number, Decimal(0)))},
                )
            )
        except PlanError as exc:
            raise DecisionError(str(exc)) from exc
    return created
