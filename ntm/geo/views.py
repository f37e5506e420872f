import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ntm.accounts.permissions import Action, browse_roots, can, require, visible_units
from ntm.core.http import HtmxHttpRequest
from ntm.evaluation import actions
from ntm.geo import selectors, services
from ntm.geo.forms import AsOfForm, ClassificationForm, SearchForm, VillageForm
from ntm.geo.models import AdminUnit


def _as_of(request: HttpRequest) -> tuple[AsOfForm, dt.date | None]:
    form = AsOfForm(request.GET or None)
    return form, (form.cleaned_data.get("as_of") if form.is_valid() else None)


def _shown_as_of(unit: AdminUnit, as_of: dt.date | None) -> dt.date | None:
    # An ended unit is shown as it stood on its last day unless another date is asked for.
    return as_of or unit.valid_to


def _visible_unit(request: HttpRequest, unit_id: int, action: Action = Action.VIEW) -> AdminUnit:
    unit = get_object_or_404(AdminUnit.objects.select_related("parent"), pk=unit_id)
    require(request.user, action, unit)
    return unit


@login_required
def unit_index(request: HtmxHttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = as_of = None
    results: list[AdminUnit] = []
    if form.is_valid():
        query = form.cleaned_data["q"]
        as_of = form.cleaned_data["as_of"]
        results = selectors.unit_search(
            units=visible_units(request.user), query=query or "", as_of=as_of
        )
    template = "geo/index.html#results" if request.htmx else "geo/index.html"
    return render(
        request,
        template,
        {
            "form": form,
            "query": query,
            "results": results,
            "as_of": as_of,
            "roots": []
            if request.htmx
            else selectors.tree_roots(roots=browse_roots(request.user), as_of=as_of),
        },
    )


@login_required
def unit_children(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _visible_unit(request, unit_id)
    _form, as_of = _as_of(request)
    as_of = _shown_as_of(unit, as_of)
    return render(
        request,
        "geo/index.html#tree-children",
        {
            "unit": unit,
            "children": selectors.unit_children(unit=unit, as_of=as_of),
            "as_of": as_of,
        },
    )


@login_required
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _visible_unit(request, unit_id)
    form, as_of = _as_of(request)
    page = selectors.unit_page(unit=unit, as_of=_shown_as_of(unit, as_of))
    linked = [s.successor for s in page.successors] + [s.predecessor for s in page.predecessors]
    return render(
        request,
        "geo/unit_detail.html",
        {
            "page": page,
            "unit": unit,
            "form": form,
            "can_add_village": unit.level == 3
            and unit.is_current
            and can(request.user, Action.MANAGE_UNITS, unit),
            "can_classify": unit.level == 3 and can(request.user, Action.CONFIGURE_CRITERIA, unit),
            # Units of the history outside the user's scope are named but not linked.
            "visible_ids": {u.pk for u in linked if can(request.user, Action.VIEW, u)},
            "can_edit_data": can(request.user, Action.EDIT_DATA, unit),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def village_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    commune = _visible_unit(request, unit_id, Action.MANAGE_UNITS)
    form = VillageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            village = services.village_create(
                commune=commune,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
            )
        except services.UnitError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, _("%(name)s was added.") % {"name": village.name})
            return redirect("geo:detail", unit_id=commune.pk)
    return render(request, "geo/village_form.html", {"form": form, "unit": commune})


@login_required
@require_http_methods(["GET", "POST"])
def classification_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _visible_unit(request, unit_id, Action.CONFIGURE_CRITERIA)
    form = ClassificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.classification_change(unit=unit, **form.cleaned_data)
        except services.UnitError as exc:
            form.add_error("value", str(exc))
        else:
            messages.success(request, _("The classification was saved."))
            return redirect("geo:detail", unit_id=unit.pk)
    return render(request, "geo/classification_form.html", {"form": form, "unit": unit})
