"""Decision support (read): scenarios judged beside the real result, and projections at the
current pace. Both are labelled as what they are — never results — and permissioned like
results: the caller must see the unit."""

from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from ntm.accounts.permissions import Action, can
from ntm.api.common import criteria_set, unit_for
from ntm.api.errors import ERRORS
from ntm.decisions.models import Scenario
from ntm.decisions.selectors import projections, scenarios_of
from ntm.decisions.services import scenario_evaluate

router = Router(tags=["decision support"])


class ScenarioOut(Schema):
    kind: str = Field(description='Always "scenario": hypothetical values, never a result')
    id: int
    unit: str
    set: str
    base_period: str
    name: str
    source: str = Field(description="typed | targets | works")
    illustrative: bool = Field(description="Demo data")


class IndicatorWhatIfOut(Schema):
    code: str
    real_value: str | None
    real_status: str
    value: str | None = Field(description="In the scenario")
    status: str = Field(description="In the scenario")
    threshold: str | None
    gap: Decimal | None
    from_scenario: bool = Field(description="The scenario gives this value (or an input of it)")


class CriterionWhatIfOut(Schema):
    number: int
    name: str
    real_status: str
    status: str
    changed: bool
    indicators: list[IndicatorWhatIfOut]


class ScenarioDetailOut(ScenarioOut):
    real_met: int = Field(description="Criteria met by the stored working result of the period")
    projected_met: int = Field(description="Criteria met in the scenario")
    total: int
    values: dict[str, str] = Field(description="The scenario's values, by indicator code")
    criteria: list[CriterionWhatIfOut]


class ProjectionOut(Schema):
    kind: str = Field(description='Always "projection": a trend, never a result')
    criterion: int
    code: str
    threshold: Decimal
    higher_is_better: bool
    slope_per_quarter: Decimal = Field(description="Theil–Sen slope")
    slope_low: Decimal = Field(description="Lower quartile of the pairwise slopes")
    slope_high: Decimal = Field(description="Upper quartile of the pairwise slopes")
    reaches: str | None = Field(description="The quarter the trend reaches the threshold")
    already: bool
    after_deadline: bool = Field(description="Reached after the year's end asked, or never")
    points: list[tuple[str, Decimal]] = Field(description="(period, value), oldest first")


def _scenario(scenario: Scenario) -> dict[str, Any]:
    return {
        "kind": "scenario",
        "id": scenario.pk,
        "unit": scenario.unit.code,
        "set": scenario.criteria_set.code,
        "base_period": scenario.base_period,
        "name": scenario.name,
        "source": scenario.source,
        "illustrative": scenario.is_demo,
    }


@router.get("/scenarios", response={200: list[ScenarioOut], **ERRORS}, operation_id="scenario_list")
def scenario_list(
    request: HttpRequest,
    unit: str = Query(..., max_length=32, description="Unit code (today's unit)"),
) -> Any:
    """The unit's saved scenarios, newest first."""
    found = unit_for(request, unit)
    scenarios = scenarios_of(found)
    for scenario in scenarios:
        scenario.unit = found  # one unit: no query per scenario
    return [_scenario(s) for s in scenarios]


@router.get(
    "/scenarios/{scenario_id}",
    response={200: ScenarioDetailOut, **ERRORS},
    operation_id="scenario_detail",
)
def scenario_detail(request: HttpRequest, scenario_id: int) -> Any:
    """The scenario judged by the same engine beside the stored working result of its period;
    nothing is written."""
    scenario = (
        Scenario.objects.select_related("unit", "criteria_set")
        .filter(pk=scenario_id if 0 < scenario_id < 2**63 else 0)
        .first()
    )
    # Outside the caller's view a scenario does not exist (404, as for units).
    if scenario is None or not can(request.user, Action.VIEW, scenario.unit):
        raise Http404
    outcome = scenario_evaluate(scenario)
    return {
        **_scenario(scenario),
        "real_met": outcome.real_met,
        "projected_met": outcome.projected.met,
        "total": outcome.projected.total,
        "values": outcome.values,
        "criteria": [
            {
                "number": row.number,
                "name": row.name,
                "real_status": row.real_status,
                "status": row.status,
                "changed": row.changed,
                "indicators": [
                    {
                        "code": i.code,
                        "real_value": i.real_value,
                        "real_status": i.real_status,
                        "value": i.value,
                        "status": i.status,
                        "threshold": i.threshold,
                        "gap": i.gap,
                        "from_scenario": i.overlaid,
                    }
                    for i in row.indicators
                ],
            }
            for row in outcome.rows
        ],
    }


@router.get(
    "/projections", response={200: list[ProjectionOut], **ERRORS}, operation_id="projections"
)
def projection_list(
    request: HttpRequest,
    unit: str = Query(..., max_length=32, description="Unit code (today's unit)"),
    set: str = Query(..., max_length=80),
    year: int | None = Query(
        None, ge=2000, le=2100, description="Deadline: the end of this year (default: none)"
    ),
) -> Any:
    """Per open numeric indicator with at least three periods of values, where its trend meets
    the threshold — a projection from the working results, never a result."""
    found = unit_for(request, unit)
    family = criteria_set(set)
    return [
        {
            "kind": "projection",
            "criterion": p.criterion,
            "code": p.code,
            "threshold": p.threshold,
            "higher_is_better": p.higher,
            "slope_per_quarter": p.slope,
            "slope_low": p.slope_low,
            "slope_high": p.slope_high,
            "reaches": p.reaches,
            "already": p.already,
            "after_deadline": p.deadline_missed,
            "points": p.points,
        }
        for p in projections(unit=found, family=family, deadline_year=year)
    ]
