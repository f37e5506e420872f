from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from ntm.accounts.permissions import Action, can, is_system_admin, require
from ntm.catalog.models import CriteriaSet
from ntm.evaluation import selectors
from ntm.geo.models import AdminUnit, Level


def _unit_and_set(
    request: HttpRequest, unit_id: int, set_code: str
) -> tuple[AdminUnit, CriteriaSet]:
    unit = get_object_or_404(AdminUnit.objects.select_related("parent"), pk=unit_id)
    require(request.user, Action.VIEW, unit)
    family = get_object_or_404(CriteriaSet, code=set_code, localises__isnull=True)
    return unit, family


@login_required
def set_result(request: HttpRequest, unit_id: int, set_code: str) -> HttpResponse:
    unit, family = _unit_and_set(request, unit_id, set_code)
    period = selectors.parse_period_or_none(request.GET.get("period"))
    page = selectors.set_page(unit=unit, family=family, period=period)
    villages: list[selectors.SubunitRow] = []
    village_family = None
    if unit.level == Level.COMMUNE:
        village_sets = [f for f, _r in selectors.sets_for_unit_level(unit, "village")]
        if village_sets:
            village_family = village_sets[0]
            villages = selectors.subunit_results(
                parent=unit, family=village_family, period=period, level=Level.VILLAGE
            )
    return render(
        request,
        "evaluation/set_result.html",
        {
            "page": page,
            "unit": unit,
            "family": family,
            "villages": villages,
            "village_family": village_family,
            "can_edit": can(request.user, Action.EDIT_DATA, unit),
        },
    )


@login_required
def criterion_detail(
    request: HttpRequest, unit_id: int, set_code: str, number: int
) -> HttpResponse:
    unit, family = _unit_and_set(request, unit_id, set_code)
    period = selectors.parse_period_or_none(request.GET.get("period"))
    page = selectors.set_page(unit=unit, family=family, period=period)
    row = next((r for r in page.rows if r.criterion.number == number), None)
    if row is None:
        raise Http404
    return render(
        request,
        "evaluation/criterion_detail.html",
        {
            "page": page,
            "unit": unit,
            "family": family,
            "row": row,
            "history": selectors.criterion_history(unit=unit, family=family, number=number),
        },
    )


@login_required
def subunits(request: HttpRequest, unit_id: int, set_code: str) -> HttpResponse:
    """A province's (or district's) communes with their counts for a set."""
    unit, family = _unit_and_set(request, unit_id, set_code)
    if unit.level >= Level.COMMUNE and family.level == "commune":
        raise Http404
    period = selectors.parse_period_or_none(request.GET.get("period"))
    level = Level.VILLAGE if family.level == "village" else Level.COMMUNE
    rows = selectors.subunit_results(parent=unit, family=family, period=period, level=level)
    with_result = [r for r in rows if r.result]
    return render(
        request,
        "evaluation/subunits.html",
        {
            "unit": unit,
            "family": family,
            "rows": rows,
            "period": period,
            "met_all": sum(1 for r in with_result if r.result and r.result.status == "met"),
            "with_result": len(with_result),
            "rollup": selectors.criterion_rollup(rows),
        },
    )


@login_required
def pipeline(request: HttpRequest) -> HttpResponse:
    """Results waiting for the workers (after a set changed or a national `evaluate --queue`);
    the page polls itself while anything is waiting. System administrators only."""
    if not is_system_admin(request.user):
        raise PermissionDenied
    pending = selectors.pipeline_status()
    template = (
        "evaluation/pipeline.html#status"
        if getattr(request, "htmx", False)
        else "evaluation/pipeline.html"
    )
    return render(request, template, {"pending": pending})
