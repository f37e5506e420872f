"""Decision support on lower apps' pages (the commune's set page, the plan page): the unit's
scenarios ("kịch bản") and projections at the current pace, drawn by decisions so that
evaluation and planning never import it. Each is labelled as what it is, apart from the real
figures."""

from typing import Any

from django import template

from ntm.catalog.models import CriteriaSet
from ntm.decisions import selectors
from ntm.decisions.errors import DecisionError
from ntm.decisions.models import Scenario
from ntm.decisions.services import ScenarioOutcome, scenario_evaluate
from ntm.geo.models import AdminUnit

register = template.Library()


@register.inclusion_tag("decisions/_scenario_switch.html", takes_context=True)
def scenario_switch(
    context: dict[str, Any], unit: AdminUnit, family: CriteriaSet | None = None
) -> dict[str, Any]:
    """A select of the unit's saved scenarios (of the set, else all of them); the one chosen by
    ``?scenario=`` is judged and shown beside the real result: its count and the criteria that
    change. One query when none is chosen."""
    request = context.get("request")
    scenarios = selectors.scenarios_for_switch(unit=unit, family=family)
    chosen: Scenario | None = None
    asked = request.GET.get("scenario", "") if request is not None else ""
    if asked.isdigit():
        chosen = next((s for s in scenarios if s.pk == int(asked)), None)
    keep = {}
    if request is not None:
        keep = {k: v for k, v in request.GET.items() if k in ("period", "basis")}
    return {
        "unit": unit,
        "family": family,
        "scenarios": scenarios,
        "chosen": chosen,
        "outcome": _judged(chosen),
        "keep": keep,
        "asked": asked,
    }


def _judged(scenario: Scenario | None) -> ScenarioOutcome | None:
    if scenario is None:
        return None
    try:
        return scenario_evaluate(scenario)
    except DecisionError:  # its set no longer applies to the unit: shown as not found
        return None


@register.simple_tag
def target_projections(page: Any) -> dict[int, selectors.TargetProjection]:
    """The plan page's open targets the current pace reaches only after their deadline (or
    never), by target id."""
    return selectors.target_projections(unit_id=page.plan.unit_id, rows=page.targets)
