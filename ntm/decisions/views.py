"""Scenario ("kịch bản") and cheapest-path pages: check permission, validate, call one service."""

import io
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ntm.accounts.permissions import Action, can, require, unit_or_404
from ntm.catalog.models import CriteriaSet
from ntm.core.csvout import write_csv
from ntm.decisions import selectors, services
from ntm.decisions.charts import AllocationChart, allocation_chart
from ntm.decisions.errors import DecisionError
from ntm.decisions.forms import (
    AllocationForm,
    CheapestForm,
    GapCostForm,
    ScenarioForm,
    ScenarioValuesForm,
    national_sets,
)
from ntm.decisions.models import GapCost, Scenario
from ntm.finance.money import MoneyError, parse_vnd
from ntm.finance.tables import render as render_table
from ntm.geo.models import Level
from ntm.planning.models import Plan


def _refuse(form: Any, exc: DecisionError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc))


def _create(user: Any, unit: Any, data: dict[str, Any]) -> Scenario:
    source = data["source"]
    family = data["criteria_set"]
    if source == Scenario.Source.TARGETS:
        period = services.check_period(data["base_period"])
        plan = Plan.objects.filter(unit=unit, year=int(period[:4])).first()
        if plan is None:
            raise DecisionError(
                _("%(unit)s has no plan for %(year)s.") % {"unit": unit.name, "year": period[:4]},
                "source",
            )
        return services.scenario_from_targets(
            user=user, plan=plan, criteria_set=family, base_period=period, name=data["name"]
        )
    if source == Scenario.Source.WORKS:
        return services.scenario_from_works(
            user=user,
            unit=unit,
            criteria_set=family,
            base_period=data["base_period"],
            name=data["name"],
        )
    return services.scenario_create(
        user=user,
        unit=unit,
        criteria_set=family,
        base_period=data["base_period"],
        name=data["name"],
        values=services.parse_lines(data["values"]),
        note=data["note"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def scenarios(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = unit_or_404(request.user, unit_id)
    form = ScenarioForm(request.POST or None, unit=unit)
    if request.method == "POST":
        require(request.user, Action.MANAGE_PLAN, unit)
        if form.is_valid():
            try:
                scenario = _create(request.user, unit, form.cleaned_data)
            except DecisionError as exc:
                _refuse(form, exc)
            else:
                return redirect("decisions:scenario", unit_id=unit.pk, scenario_id=scenario.pk)
    return render(
        request,
        "decisions/scenarios.html",
        {
            "unit": unit,
            "scenarios": selectors.scenarios_of(unit),
            "sets": national_sets(unit),
            "form": form,
            "can_manage": can(request.user, Action.MANAGE_PLAN, unit),
        },
    )


def _scenario(request: HttpRequest, unit_id: int, scenario_id: int, action: Action) -> Scenario:
    unit = unit_or_404(request.user, unit_id, action)
    # Looked up inside the unit of the URL only: another unit's scenario is not found.
    return get_object_or_404(
        Scenario.objects.select_related("unit", "criteria_set"), pk=scenario_id, unit=unit
    )


@login_required
@require_http_methods(["GET", "POST"])
def scenario_detail(request: HttpRequest, unit_id: int, scenario_id: int) -> HttpResponse:
    scenario = _scenario(request, unit_id, scenario_id, Action.VIEW)
    form = ScenarioValuesForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Action.MANAGE_PLAN, scenario.unit)
        if form.is_valid():
            try:
                services.scenario_values_set(
                    user=request.user,
                    scenario=scenario,
                    values=services.parse_lines(form.cleaned_data["values"]),
                )
            except DecisionError as exc:
                form.add_error("values", str(exc))
            else:
                return redirect("decisions:scenario", unit_id=unit_id, scenario_id=scenario.pk)
    outcome = services.scenario_evaluate(scenario)
    if not form.is_bound:
        form = ScenarioValuesForm(
            initial={"values": "\n".join(f"{c} = {v}" for c, v in sorted(outcome.values.items()))}
        )
    return render(
        request,
        "decisions/scenario_detail.html",
        {
            "unit": scenario.unit,
            "scenario": scenario,
            "outcome": outcome,
            "form": form,
            "can_manage": can(request.user, Action.MANAGE_PLAN, scenario.unit),
        },
    )


@login_required
def scenario_export(request: HttpRequest, unit_id: int, scenario_id: int) -> HttpResponse:
    """The side-by-side table as CSV, every row saying it is a scenario (kịch bản)."""
    scenario = _scenario(request, unit_id, scenario_id, Action.VIEW)
    outcome = services.scenario_evaluate(scenario)
    label = _("Scenario (kịch bản)")
    rows = [
        [
            label,
            scenario.name,
            scenario.base_period,
            row.number,
            i.code,
            i.real_value or "",
            i.real_status,
            i.value or "",
            i.status,
            i.threshold or "",
            "x" if i.overlaid else "",
        ]
        for row in outcome.rows
        for i in row.indicators
    ]
    header = [
        _("Kind"),
        _("Scenario"),
        _("Base period"),
        _("Criterion"),
        _("Indicator"),
        _("Real value"),
        _("Real status"),
        _("Scenario value"),
        _("Scenario status"),
        _("Threshold"),
        _("Given by the scenario"),
    ]
    response = HttpResponse(write_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="kich-ban-{scenario.unit.code}-{scenario.pk}.csv"'
    )
    return response


@login_required
@require_POST
def scenario_delete(request: HttpRequest, unit_id: int, scenario_id: int) -> HttpResponse:
    scenario = _scenario(request, unit_id, scenario_id, Action.MANAGE_PLAN)
    services.scenario_delete(user=request.user, scenario=scenario)
    return redirect("decisions:scenarios", unit_id=unit_id)


@login_required
@require_http_methods(["GET", "POST"])
def cheapest(request: HttpRequest, unit_id: int, set_code: str) -> HttpResponse:
    unit = unit_or_404(request.user, unit_id)
    if unit.level != Level.COMMUNE:
        raise Http404  # the cheapest path weighs a commune's gaps
    family = get_object_or_404(national_sets(unit), code=set_code)
    form = CheapestForm(request.GET or None)
    cost_form = GapCostForm(None if "plan_year" in request.POST else request.POST or None)
    target_error = ""
    if request.method == "POST":
        require(request.user, Action.MANAGE_PLAN, unit)
        if "plan_year" in request.POST:
            # Confirmed: the path of the query shown is computed again, then written as targets.
            done = _to_targets(request, unit, family, form)
            if isinstance(done, Plan):
                return redirect("planning:plan", unit_id=unit.pk, year=done.year)
            target_error = done
        elif cost_form.is_valid():
            try:
                services.gap_cost_set(
                    user=request.user, unit=unit, criteria_set=family, **cost_form.cleaned_data
                )
            except DecisionError as exc:
                _refuse(cost_form, exc)
            else:
                return redirect(request.get_full_path())
    plan = None
    if form.is_bound and form.is_valid():
        plan = _cheapest(form, unit, family)
    result, gaps = selectors.open_gaps(unit=unit, family=family)
    year = int(result.period[:4]) if result is not None else None
    found = selectors.projections(unit=unit, family=family, deadline_year=year)
    return render(
        request,
        "decisions/cheapest.html",
        {
            "unit": unit,
            "family": family,
            "result": result,
            "gaps": gaps,
            "illustrative": GapCost.objects.filter(
                unit=unit, criteria_set=family, is_demo=True
            ).exists(),
            "form": form,
            "cost_form": cost_form,
            "plan": plan,
            "projections": found,
            "projected_count": (
                selectors.projected_count(result=result, found=found, year=year)
                if result is not None and year is not None
                else None
            ),
            "deadline_year": year,
            "plans": Plan.objects.filter(unit=unit).order_by("-year"),
            "target_error": target_error,
            "can_manage": can(request.user, Action.MANAGE_PLAN, unit),
        },
    )


def _cheapest(form: CheapestForm, unit: Any, family: CriteriaSet) -> selectors.CheapestPlan | None:
    data = form.cleaned_data
    budget: Decimal | None = None
    if data["budget"]:
        try:
            budget = parse_vnd(data["budget"])
        except MoneyError:
            form.add_error("budget", _("Enter the budget in whole dong, e.g. 1200000000."))
            return None
    target: int | list[int] | None = data["criteria"] or data["target"]
    try:
        return selectors.plan_cheapest(
            unit=unit,
            family=family,
            target=target,
            budget=budget,
            key_criteria=data["key_criteria"],
        )
    except DecisionError as exc:
        _refuse(form, exc)
        return None


def _to_targets(
    request: HttpRequest, unit: Any, family: CriteriaSet, form: CheapestForm
) -> Plan | str:
    """The plan the targets went into, or why none were written."""
    year = request.POST.get("plan_year", "")
    plan = Plan.objects.filter(unit=unit, year=int(year)).first() if year.isdigit() else None
    if plan is None:
        return _("Choose one of the unit's plans.")
    found = _cheapest(form, unit, family) if form.is_valid() else None
    if found is None:
        return _("There is no path to turn into targets.")
    try:
        services.cheapest_to_targets(user=request.user, plan=plan, family=family, found=found)
    except DecisionError as exc:
        return str(exc)
    return plan


@login_required
@require_http_methods(["GET"])
def allocation(request: HttpRequest, unit_id: int, set_code: str) -> HttpResponse:
    """Which communes of the province a budget brings to the standard (reads only)."""
    unit = unit_or_404(request.user, unit_id)
    if unit.level != Level.PROVINCE:
        raise Http404  # a province's budget across its communes
    family = get_object_or_404(national_sets(unit), code=set_code)
    form = AllocationForm(request.GET or None)
    found = None
    budget = Decimal(0)
    if form.is_bound and form.is_valid():
        try:
            budget = parse_vnd(form.cleaned_data["budget"])
        except MoneyError:
            form.add_error("budget", _("Enter the budget in whole dong, e.g. 1200000000."))
        else:
            try:
                found = selectors.allocation_for(
                    province=unit,
                    family=family,
                    period=None,
                    budget=budget,
                    target=form.cleaned_data["target"],
                )
            except DecisionError as exc:
                _refuse(form, exc)
    rows = []
    if found is not None:
        labels = selectors.reason_labels()
        reasons = {c.id: r for c, r in found.allocation.not_chosen}
        chosen = {c.id for c in found.allocation.chosen}
        for candidate in [*found.allocation.chosen, *(c for c, _r in found.allocation.not_chosen)]:
            reason = reasons.get(candidate.id)
            rows.append(
                {
                    "candidate": candidate,
                    "commune": found.communes[candidate.id],
                    "chosen": candidate.id in chosen,
                    "reason": labels[reason] if reason else "",
                }
            )
    chart = allocation_chart(found, budget) if found is not None else None
    if found is not None and request.GET.get("export") == "xlsx":
        return _allocation_xlsx(unit, family, rows, found, chart)
    return render(
        request,
        "decisions/allocation.html",
        {
            "unit": unit,
            "family": family,
            "form": form,
            "found": found,
            "rows": rows,
            "chart": chart,
            "illustrative": found is not None
            and GapCost.objects.filter(
                unit__path__startswith=unit.path, criteria_set=family, is_demo=True
            ).exists(),
            "no_result_label": selectors.reason_labels()["no_result"],
        },
    )


def _allocation_xlsx(
    unit: Any,
    family: CriteriaSet,
    rows: list[dict[str, Any]],
    found: Any,
    chart: AllocationChart | None,
) -> HttpResponse:
    """The table of the page as a spreadsheet: every commune, funded or why not; the chart on
    a second sheet."""
    columns = [
        _("Code"),
        _("Commune"),
        _("District"),
        _("Criteria met"),
        _("Target"),
        _("Cost (VND)"),
        _("Funded"),
        _("Reason"),
        _("Cheapest path"),
    ]
    lines = [
        [
            row["candidate"].id,
            row["commune"].unit.name,
            row["commune"].unit.parent.name if row["commune"].unit.parent_id else "",
            row["candidate"].met,
            row["candidate"].target,
            "" if row["candidate"].cost is None else row["candidate"].cost,
            _("yes") if row["chosen"] else "",
            row["reason"],
            row["commune"].explanation,
        ]
        for row in rows
    ]
    no_result = selectors.reason_labels()["no_result"]
    lines += [[u.code, u.name, "", "", "", "", "", no_result, ""] for u in found.no_result]
    data = render_table(columns, lines, fmt="xlsx", sheet="allocation")
    if chart is not None:
        data = _with_chart(data, chart)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"allocation-{unit.code}-{family.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _with_chart(data: bytes, chart: AllocationChart) -> bytes:
    """The workbook with the chart as a picture on a sheet of its own, under its title."""
    # deferred: openpyxl takes ~0.6 s to import and only XLSX files need it
    from openpyxl import load_workbook
    from openpyxl.drawing.image import Image

    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.create_sheet("chart")
    sheet["A1"] = chart.title
    sheet.add_image(Image(io.BytesIO(chart.png)), "A3")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
