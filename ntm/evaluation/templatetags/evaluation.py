"""Results on other apps' pages (the unit page of geo), and how a threshold was chosen, in words."""

from collections.abc import Sequence

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ntm.catalog.models import CriteriaSet
from ntm.evaluation.models import SetResult
from ntm.evaluation.selectors import (
    AreaTodo,
    SetCounts,
    UnitTodo,
    area_todo,
    period_choices,
    predecessor_results,
    set_counts,
    sets_for_unit_level,
    unit_todo,
)
from ntm.geo.models import AdminUnit, Level, Region, Succession

register = template.Library()


@register.inclusion_tag("evaluation/_period_list.html")
def period_list(unit: AdminUnit, list_id: str = "periods") -> dict[str, object]:
    """A <datalist> for a period box: the unit's periods with data first, then recent ones;
    people may still type a period their own way ("Quý I/2024")."""
    return {"choices": period_choices(unit, timezone.localdate()), "list_id": list_id}


@register.simple_tag
def unit_sets(unit: AdminUnit) -> list[SetCounts]:
    """A commune's or village's sets with its latest working and approved result for each."""
    return set_counts(unit) if unit.level >= Level.COMMUNE else []


@register.simple_tag
def rollup_sets(unit: AdminUnit) -> list[tuple[CriteriaSet, SetResult | None]]:
    """The commune sets a province or district counts its communes against."""
    return sets_for_unit_level(unit, "commune") if unit.level < Level.COMMUNE else []


@register.filter
def rule_label(rule: str | None) -> str:
    """The engine's note of which threshold applied, for people: "region:TDMNPB +year:2024" →
    "Trung du và miền núi phía Bắc, năm 2024"."""
    if not rule:
        return ""
    main, _sep, reference = rule.partition("; ")
    parts = []
    for token in main.split():
        if token == "general":
            parts.append(str(_("general level")))
        elif token.startswith("region:"):
            code = token.split(":", 1)[1]
            parts.append(str(Region(code).label) if code in Region.values else code)
        elif token == "(difficult)":
            parts.append(str(_("especially difficult commune")))
        elif token.startswith("group:"):
            parts.append(str(_("commune group %(n)s") % {"n": token.split(":", 1)[1]}))
        elif token.startswith("+year:"):
            parts.append(str(_("year %(y)s") % {"y": token.split(":", 1)[1]}))
        else:
            parts.append(token)
    text = ", ".join(parts)
    return f"{text}; {reference}" if reference else text


@register.simple_tag
def inherited_results(successions: Sequence[Succession]) -> list[tuple[AdminUnit, SetResult]]:
    """The predecessors' last result per set, for the successor's unit page."""
    return predecessor_results([s.predecessor for s in successions])


@register.simple_tag
def unit_todo_of(unit: AdminUnit) -> UnitTodo:
    """The home card's results and data due for a commune or village."""
    return unit_todo(unit, timezone.localdate())


@register.simple_tag
def area_todo_of(unit: AdminUnit) -> AreaTodo:
    """The home card's communes for a province or district."""
    return area_todo(unit, timezone.localdate())
