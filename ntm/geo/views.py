import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ntm.accounts.permissions import Action, browse_roots, can, require, visible_units
from ntm.core.http import HtmxHttpRequest
from ntm.core.refusals import refused as bounded
from ntm.core.tabular import ImportRefused
from ntm.evaluation import actions
from ntm.geo import groups, selectors, services
from ntm.geo.forms import (
    AsOfForm,
    ClassificationForm,
    CommuneGroupsForm,
    GroupsUploadForm,
    SearchForm,
    VillageForm,
)
from ntm.geo.models import AdminUnit, Level


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
            "can_set_groups": unit.level == Level.PROVINCE
            and can(request.user, Action.CONFIGURE_CRITERIA, unit),
            # Units of the history outside the user's scope are named but not linked.
            "visible_ids": {u.pk for u in linked if can(request.user, Action.VIEW, u)},
            "can_edit_data": can(request.user, Action.EDIT_DATA, unit),
            "can_carry_people": unit.is_current
            and (bool(page.predecessors) or unit.level == Level.PROVINCE)
            and can(request.user, Action.MANAGE_USERS, unit),
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


GROUPS_UPLOAD = "geo-groups-upload"
MAX_GROUPS_BYTES = 2 * 2**20


def _groups_province(request: HttpRequest, unit_id: int) -> AdminUnit:
    province = _visible_unit(request, unit_id, Action.CONFIGURE_CRITERIA)
    if province.level != Level.PROVINCE:
        raise Http404
    return province


@login_required
@require_http_methods(["GET", "POST"])
def commune_groups(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The province's communes and their groups: set on the page, or from a file (checked
    whole, previewed, then confirmed). Only a province in force today can be changed."""
    province = _groups_province(request, unit_id)
    today = dt.date.today()
    day = today if province.is_current else (province.valid_to or today)
    rows = groups.province_groups(province=province, day=day)
    form = CommuneGroupsForm(request.POST or None, communes=rows)
    upload = GroupsUploadForm()
    preview: list[groups.GroupRow] = []
    errors: list[str] = []
    if request.method == "POST":
        if not province.is_current:
            raise PermissionDenied
        step = request.POST.get("step", "")
        try:
            if step == "set" and form.is_valid():
                changed = actions.commune_groups_set(rows=form.group_rows())
                messages.success(request, _("%(n)d communes changed group.") % {"n": changed})
                return redirect("geo:groups", unit_id=province.pk)
            if step == "upload":
                upload = GroupsUploadForm(request.POST, request.FILES)
                if upload.is_valid():
                    data = upload.cleaned_data["file"]
                    preview = groups.read_groups(
                        data["content"], province=province, filename=data["name"]
                    )
                    request.session[GROUPS_UPLOAD] = {
                        "province": province.pk,
                        "name": data["name"],
                        "content": data["content"].decode("latin-1"),
                    }
            if step == "confirm":
                stored = request.session.get(GROUPS_UPLOAD) or {}
                if stored.get("province") != province.pk:
                    errors.append(_("Upload the file again: the checked file was not found."))
                else:
                    confirmed = groups.read_groups(
                        stored["content"].encode("latin-1"),
                        province=province,
                        filename=stored["name"],
                    )
                    changed = actions.commune_groups_set(rows=confirmed)
                    del request.session[GROUPS_UPLOAD]
                    messages.success(request, _("%(n)d communes changed group.") % {"n": changed})
                    return redirect("geo:groups", unit_id=province.pk)
        except ImportRefused as exc:
            errors = [str(e) for e in exc.errors]
    return render(
        request,
        "geo/groups.html",
        {
            "unit": province,
            "day": day,
            "rows": rows,
            "form": form,
            "upload": upload,
            "preview": preview,
            "to_change": [r for r in preview if r.changes],
            "refused": bounded(request, errors) if errors else None,
            "editable": province.is_current,
        },
    )


@login_required
def commune_groups_template(request: HttpRequest, unit_id: int) -> HttpResponse:
    province = _groups_province(request, unit_id)
    day = dt.date.today() if province.is_current else (province.valid_to or dt.date.today())
    content = groups.template_csv(groups.province_groups(province=province, day=day))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="nhom-xa-{province.code}.csv"'
    return response
