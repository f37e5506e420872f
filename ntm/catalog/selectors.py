"""Catalog reads: engine definitions built from the database in a fixed number of queries."""

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal

from django.db.models import Prefetch, Q

from ntm.catalog.models import CriteriaSet, Criterion, Indicator, Standard, Threshold
from ntm.engine.model import (
    Axis,
    CriterionDef,
    Direction,
    IndicatorDef,
    Kind,
    Reference,
    SetDef,
    ThresholdRule,
    Value,
)
from ntm.geo.models import AdminUnit


def threshold_value(threshold: Threshold, kind: str) -> Value | None:
    if threshold.reference_set or threshold.value == "":
        return None
    if kind == Kind.PASS_FAIL:
        return threshold.value == "true"
    if kind == Kind.LEVEL:
        return threshold.value
    return Decimal(threshold.value)


def _rule(threshold: Threshold, kind: str) -> ThresholdRule:
    reference = None
    if threshold.reference_set:
        reference = Reference(
            threshold.reference_set,
            threshold.reference_indicator,
            threshold.reference_factor or Decimal(1),
        )
    return ThresholdRule(
        value=threshold_value(threshold, kind),
        reference=reference,
        region=threshold.region,
        commune_group=threshold.commune_group,
        year=threshold.year,
        verified=threshold.verified,
        source=threshold.source,
        rule_id=threshold.pk,
    )


def criteria_with_indicators(criteria_set: CriteriaSet) -> list[Criterion]:
    """Criteria, their indicators and current thresholds: three queries."""
    current = Threshold.objects.filter(superseded_at__isnull=True).order_by("pk")
    return list(
        criteria_set.criteria.order_by("number").prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("position").prefetch_related(
                    Prefetch("thresholds", queryset=current, to_attr="current_thresholds")
                ),
            )
        )
    )


_CACHE: dict[tuple[int, object, int], SetDef] = {}


def set_definition(criteria_set: CriteriaSet, criteria: list[Criterion] | None = None) -> SetDef:
    """The engine's view of a set; cached per (set, version) since every change bumps it."""
    key = (criteria_set.pk, criteria_set.instance_token, criteria_set.version)
    if criteria is None and key in _CACHE:
        return _CACHE[key]
    definition = _build_definition(criteria_set, criteria)
    if len(_CACHE) > 256:
        _CACHE.clear()
    _CACHE[key] = definition
    return definition


def _build_definition(criteria_set: CriteriaSet, criteria: list[Criterion] | None) -> SetDef:
    criteria = criteria if criteria is not None else criteria_with_indicators(criteria_set)
    prerequisite = criteria_set.prerequisite.family.code if criteria_set.prerequisite else ""
    return SetDef(
        code=criteria_set.family.code if criteria_set.localises_id else criteria_set.code,
        axis=Axis(criteria_set.threshold_axis),
        prerequisite=prerequisite,
        criteria=tuple(
            CriterionDef(
                number=c.number,
                key=c.key,
                indicators=tuple(
                    IndicatorDef(
                        code=i.code,
                        kind=Kind(i.kind),
                        direction=Direction(i.direction),
                        formula=i.formula,
                        decimals=i.decimals,
                        levels=tuple(i.levels),
                        unit=i.unit,
                        thresholds=tuple(_rule(t, i.kind) for t in i.current_thresholds),  # type: ignore[attr-defined]
                        retired_from=i.retired_from,
                    )
                    for i in c.indicators.all()
                ),
            )
            for c in criteria
        ),
    )


def province_id_of(unit: AdminUnit) -> int | None:
    parts = unit.path.strip(".").split(".")
    return int(parts[0]) if parts and parts[0] else None


def variants_by_province(family: CriteriaSet) -> dict[int | None, CriteriaSet]:
    """The national set (key None) and every province's localisation of it (one query)."""
    variants: dict[int | None, CriteriaSet] = {None: family}
    for localised in family.localisations.select_related("localises", "prerequisite"):
        variants[localised.province_id] = localised
    return variants


def applicable_set(family: CriteriaSet, unit: AdminUnit) -> CriteriaSet:
    """A unit is judged against its province's localisation of a set when there is one."""
    province = province_id_of(unit)
    localised = family.localisations.filter(province_id=province).first() if province else None
    return localised or family


def families(level: str | None = None) -> list[CriteriaSet]:
    qs = CriteriaSet.objects.filter(localises__isnull=True)
    if level:
        qs = qs.filter(level=level)
    return list(qs.order_by("valid_from", "code"))


def families_for_unit(unit: AdminUnit, level: str) -> list[CriteriaSet]:
    """Sets of a level that can apply to the unit (national ones and its province's own)."""
    return list(
        CriteriaSet.objects.filter(localises__isnull=True, level=level)
        .filter(Q(province__isnull=True) | Q(province_id__in=[*unit.ancestor_ids, unit.pk]))
        .order_by("-valid_from", "code")
    )


def prerequisite_order(sets: list[CriteriaSet]) -> list[CriteriaSet]:
    """Prerequisites before the sets that need them."""
    by_code = {s.code: s for s in sets}
    done: list[CriteriaSet] = []
    seen: set[str] = set()

    def visit(s: CriteriaSet) -> None:
        if s.code in seen:
            return
        seen.add(s.code)
        if s.prerequisite_id:
            parent = next((x for x in sets if x.pk == s.prerequisite_id), None)
            if parent is not None:
                visit(parent)
        done.append(s)

    for s in sets:
        visit(by_code[s.code])
    return done


def threshold_history(indicator: Indicator) -> list[Threshold]:
    return list(
        indicator.thresholds.select_related("created_by", "superseded_by").order_by(
            "region", "commune_group", "year", "created_at"
        )
    )


def group_thresholds(
    thresholds: list[Threshold],
) -> dict[tuple[str, str, int | None], list[Threshold]]:
    grouped: dict[tuple[str, str, int | None], list[Threshold]] = defaultdict(list)
    for t in thresholds:
        grouped[(t.region, t.commune_group, t.year)].append(t)
    return dict(grouped)


POVERTY_ELEMENT = "poor_households"


def poverty_codes(criteria_set: CriteriaSet) -> set[str]:
    """Codes of the set measured against the poverty standard: the data element of poor
    households and every indicator computed from it (the poverty rate). One query."""
    codes = {POVERTY_ELEMENT}
    for code, formula in criteria_set.indicators.values_list("code", "formula"):
        if re.search(rf"\b{POVERTY_ELEMENT}\b", formula or ""):
            codes.add(code)
    return codes


def standards(kind: str = Standard.Kind.POVERTY) -> list[Standard]:
    """The dated standards of a kind, oldest first (one query)."""
    return list(Standard.objects.filter(kind=kind).order_by("valid_from"))


def standard_on(found: list[Standard], day: dt.date) -> Standard | None:
    """The standard in force on the day, among those given."""
    for standard in found:
        if standard.valid_from <= day and (standard.valid_to is None or day <= standard.valid_to):
            return standard
    return None
