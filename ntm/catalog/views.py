from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ntm.accounts.models import Role
from ntm.accounts.permissions import Action, can, is_system_admin, memberships_of
from ntm.catalog import selectors, services
from ntm.catalog.forms import LocaliseForm, ThresholdForm, UploadSetForm
from ntm.catalog.loader import CatalogError, parse
from ntm.catalog.models import CriteriaSet, Indicator
from ntm.evaluation import actions
from ntm.geo.models import AdminUnit, Level


def _admin_provinces(user: object) -> list[AdminUnit]:
    """Provinces the user may configure criteria for."""
    return [
        m.unit
        for m in memberships_of(user)
        if m.role == Role.PROVINCE_ADMIN and m.unit.level == Level.PROVINCE
    ]


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
        and not criteria_set.localisations.filter(province=p).exists()
    ]
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
        },
    )


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
    """A province admin loads a set file they wrote (for their province); a system admin any."""
    provinces = _admin_provinces(request.user)
    if not (is_system_admin(request.user) or provinces):
        raise PermissionDenied
    form = UploadSetForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            fields, _criteria = parse(data.decode("utf-8-sig"))
            if not is_system_admin(request.user):
                existing = (
                    CriteriaSet.objects.filter(code=fields["code"])
                    .select_related("province")
                    .first()
                )
                own = {p.code for p in provinces}
                if fields["province"] not in own or (
                    existing is not None
                    and (existing.province is None or existing.province.code not in own)
                ):
                    raise CatalogError(
                        [_("You may load only sets of your own province (set.province).")]
                    )
            summary = actions.criteria_load(data, filename=form.cleaned_data["file"].name)
        except (CatalogError, UnicodeDecodeError) as exc:
            errors = (
                exc.errors if isinstance(exc, CatalogError) else [_("The file is not UTF-8 text.")]
            )
        else:
            messages.success(request, summary.as_text())
            return redirect("catalog:set", set_code=summary.code)
    return render(request, "catalog/set_upload.html", {"form": form, "errors": errors})
