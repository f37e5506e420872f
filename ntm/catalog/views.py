import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ntm.accounts.models import Role
from ntm.accounts.permissions import Action, can, is_system_admin, memberships_of
from ntm.catalog import selectors, services
from ntm.catalog.editor import EditorError
from ntm.catalog.forms import LocaliseForm, ThresholdForm, UploadSetForm
from ntm.catalog.loader import (
    CatalogError,
    LoadSummary,
    export_criteria,
    owner_of,
    read_criteria,
)
from ntm.catalog.models import CriteriaSet, Indicator
from ntm.core.refusals import refused as bounded
from ntm.evaluation import actions
from ntm.geo.models import AdminUnit, Level


def _admin_provinces(user: object) -> list[AdminUnit]:
    """Provinces the user administers today: a province that ended (merged in 2025) owns no
    set any more, and its codes may now name its successor."""
    return [
        m.unit
        for m in memberships_of(user)
        if m.role == Role.PROVINCE_ADMIN and m.unit.level == Level.PROVINCE and m.unit.is_current
    ]


SET_UPLOAD = "catalog-set-upload"
SET_FORMATS = {"xlsx", "csv", "yaml"}


def _check_owner(user: object, data: bytes, filename: str) -> None:
    """A system administrator loads any set; a province administrator only a set of a province
    they administer today — the file's and, when the set exists, the stored one's."""
    if is_system_admin(user):
        return
    fields, _criteria = read_criteria(data, filename=filename)
    own = {p.pk for p in _admin_provinces(user)}
    owner = owner_of(fields)
    existing = CriteriaSet.objects.filter(code=fields["code"]).select_related("province").first()
    if (
        owner is None
        or owner.pk not in own
        or (
            existing is not None
            and (existing.province_id is None or existing.province_id not in own)
        )
    ):
        raise CatalogError(
            [
                _(
                    "You may load only sets of a province you administer today (set.province); "
                    "a province that ended in 2025 owns no set any more."
                )
            ]
        )


@login_required
def set_list(request: HttpRequest) -> HttpResponse:
    sets = list(
        CriteriaSet.objects.select_related("localises", "province", "prerequisite").order_by(
            "level", "localises_id", "code"
        )
    )
    return render(
        request,
        "catalog/set_list.html",
        {
            "sets": sets,
            "can_upload": is_system_admin(request.user) or bool(_admin_provinces(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def set_detail(request: HttpRequest, set_code: str) -> HttpResponse:
    criteria_set = get_object_or_404(
        CriteriaSet.objects.select_related("localises", "province"), code=set_code
    )
    provinces = [
        p
        for p in _admin_provinces(request.user)
        if not criteria_set.localises_id
        and criteria_set.province_id is None  # a province's own set is not localised again
        and not criteria_set.localisations.filter(province=p).exists()
    ]
    can_author = _can_author(request.user, criteria_set)
    if request.method == "POST" and "op" in request.POST:
        if not can_author:
            raise PermissionDenied
        _edit(request, criteria_set)
        return redirect("catalog:set", set_code=criteria_set.code)
    form = LocaliseForm(request.POST or None)
    if request.method == "POST":
        province = next((p for p in provinces if str(p.pk) == request.POST.get("province")), None)
        if province is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                copy = actions.set_localise(
                    user=request.user,
                    national=criteria_set,
                    province=province,
                    legal_basis=form.cleaned_data["legal_basis"],
                )
            except services.CatalogEditError as exc:
                form.add_error("legal_basis", str(exc))
            else:
                messages.success(
                    request,
                    _("%(province)s now has its own version of the set.")
                    % {"province": province.name},
                )
                return redirect("catalog:set", set_code=copy.code)
    return render(
        request,
        "catalog/set_detail.html",
        {
            "set": criteria_set,
            "criteria": selectors.criteria_with_indicators(criteria_set),
            "can_edit": criteria_set.province is not None
            and can(request.user, Action.CONFIGURE_CRITERIA, criteria_set.province),
            "provinces": provinces,
            "form": form,
            "changes": list(criteria_set.changes.select_related("user")[:50]),
            "can_author": can_author,
            "kinds": Indicator._meta.get_field("kind").choices,
            "directions": Indicator._meta.get_field("direction").choices,
        },
    )


def _saved(summary: LoadSummary) -> str:
    """What a load did, for people: the set's name, not its code."""
    found = CriteriaSet.objects.filter(code=summary.code).first()
    name = found.name if found is not None else summary.code
    if summary.preview is None or summary.preview.unchanged:
        return _("%(name)s: nothing changed.") % {"name": name}
    return _("%(name)s saved: %(n)d changes, recorded in its history.") % {
        "name": name,
        "n": len(summary.preview.lines()),
    }


def _retire(request: HttpRequest, criteria_set: CriteriaSet) -> None:
    """Retire an indicator from a date (or bring it back with an empty date)."""
    indicator = get_object_or_404(
        Indicator, criteria_set=criteria_set, code=request.POST.get("code", "")
    )
    text = request.POST.get("retired_from", "").strip()
    try:
        day = dt.date.fromisoformat(text) if text else None
    except ValueError:
        messages.error(request, _("Enter the date as on the calendar (dd/mm/yyyy)."))
        return
    actions.indicator_retire(user=request.user, indicator=indicator, day=day)
    if day is None:
        messages.success(request, _("%(code)s is judged again.") % {"code": indicator.code})
    else:
        messages.success(
            request,
            _("%(code)s is no longer judged from %(day)s; its values and earlier results stay.")
            % {"code": indicator.code, "day": day.strftime("%d/%m/%Y")},
        )


def _can_author(user: object, criteria_set: CriteriaSet) -> bool:
    """Who edits a set in the app: a system administrator any, a province administrator the
    sets of a province they administer today."""
    if is_system_admin(user):
        return True
    return criteria_set.province_id is not None and criteria_set.province_id in {
        p.pk for p in _admin_provinces(user)
    }


def _edit(request: HttpRequest, criteria_set: CriteriaSet) -> None:
    """One edit of the in-app editor; its outcome (or why it was refused) as a message."""
    post = request.POST
    op = post.get("op", "")
    fields: dict[str, object] = {}
    if op == "indicator_retire":
        _retire(request, criteria_set)
        return
    try:
        if op in {"criterion_add", "criterion_rename"}:
            fields = {
                "number": int(post.get("number", "")),
                "name_vi": post.get("name_vi", ""),
                "name_en": post.get("name_en", ""),
            }
        elif op in {"indicator_add", "indicator_edit"}:
            fields = {
                "code": post.get("code", ""),
                "content_vi": post.get("content_vi", ""),
                "kind": post.get("kind") or None,
                "unit": post.get("unit", ""),
                "direction": post.get("direction") or None,
                "formula": post.get("formula", "").strip(),
            }
            if op == "indicator_add":
                fields["number"] = int(post.get("number", ""))
        elif op == "indicator_move":
            fields = {"code": post.get("code", ""), "step": -1 if post.get("step") == "up" else 1}
        elif op == "indicator_remove":
            fields = {"code": post.get("code", "")}
        summary = actions.criteria_edit(
            user=request.user, criteria_set=criteria_set, op=op, **fields
        )
    except CatalogError as exc:
        messages.error(request, "; ".join(str(e) for e in exc.errors))
    except EditorError as exc:
        messages.error(request, str(exc))
    except ValueError:
        messages.error(request, _("Enter the criterion's number."))
    else:
        messages.success(request, _saved(summary))


@login_required
@require_http_methods(["GET", "POST"])
def indicator_detail(request: HttpRequest, set_code: str, code: str) -> HttpResponse:
    indicator = get_object_or_404(
        Indicator.objects.select_related("criteria_set__province", "criterion"),
        criteria_set__code=set_code,
        code=code,
    )
    criteria_set = indicator.criteria_set
    can_edit = criteria_set.province is not None and can(
        request.user, Action.CONFIGURE_CRITERIA, criteria_set.province
    )
    form = ThresholdForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    actions.threshold_change(
                        user=request.user,
                        indicator=indicator,
                        value=data["value"],
                        region=data["region"],
                        commune_group=data["commune_group"],
                        year=data["year"],
                        source=data["source"],
                        verified=data["verified"],
                        reason=data["reason"],
                    )
            except services.CatalogEditError as exc:
                form.add_error("value", str(exc))
            else:
                messages.success(
                    request, _("The threshold was saved; results are being recomputed.")
                )
                return redirect("catalog:indicator", set_code=set_code, code=code)
    history = selectors.threshold_history(indicator)
    return render(
        request,
        "catalog/indicator_detail.html",
        {
            "indicator": indicator,
            "set": criteria_set,
            "history": history,
            "current": [t for t in history if t.superseded_at is None],
            "form": form,
            "can_edit": can_edit,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def set_upload(request: HttpRequest) -> HttpResponse:
    """Load a set file (XLSX, CSV or YAML): checked whole and previewed — what it adds, changes
    and retires — then applied on confirmation. A province administrator loads only sets of a
    province they administer today; a system administrator any."""
    provinces = _admin_provinces(request.user)
    if not (is_system_admin(request.user) or provinces):
        raise PermissionDenied
    form = UploadSetForm()
    errors: list[str] = []
    preview: list[str] = []
    summary = None
    if request.method == "POST":
        step = request.POST.get("step", "upload")
        try:
            if step == "confirm":
                stored = request.session.get(SET_UPLOAD) or {}
                if not stored:
                    raise CatalogError(
                        [_("Upload the file again: the checked file was not found.")]
                    )
                data, name = stored["content"].encode("latin-1"), stored["name"]
                _check_owner(request.user, data, name)
                summary = actions.criteria_load(
                    data, filename=name, user=request.user, via=_("web: %(file)s") % {"file": name}
                )
                del request.session[SET_UPLOAD]
                messages.success(request, _saved(summary))
                return redirect("catalog:set", set_code=summary.code)
            form = UploadSetForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                data, name = upload.read(), upload.name
                _check_owner(request.user, data, name)
                summary = actions.criteria_load(data, filename=name, dry_run=True)
                preview = summary.preview.lines() if summary.preview is not None else []
                request.session[SET_UPLOAD] = {"name": name, "content": data.decode("latin-1")}
        except CatalogError as exc:
            errors = [str(e) for e in exc.errors]
    return render(
        request,
        "catalog/set_upload.html",
        {
            "form": form,
            "refused": bounded(request, errors) if errors else None,
            "preview": preview,
            "summary": summary,
        },
    )


@login_required
def set_export(request: HttpRequest, set_code: str, fmt: str) -> HttpResponse:
    """The set as a file to fill in and load back (the template for a province's own set)."""
    criteria_set = get_object_or_404(CriteriaSet, code=set_code)
    if fmt not in SET_FORMATS:
        raise Http404
    content_type = {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv": "text/csv; charset=utf-8",
        "yaml": "application/yaml; charset=utf-8",
    }[fmt]
    response = HttpResponse(export_criteria(criteria_set, fmt=fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{criteria_set.code}.{fmt}"'
    return response
