"""Pages of committees, emulation campaigns and the OCOP register of a unit.

Every view asks the permission service about the unit in the URL first (404 outside the user's
scope, 403 without the right), then fetches objects only inside that unit's subtree, so an id
changed by hand never reaches another unit's data.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ntm.accounts.permissions import Action, can, unit_or_404
from ntm.geo.forms import AsOfForm
from ntm.geo.models import AdminUnit
from ntm.organisation import selectors, services
from ntm.organisation.forms import (
    AwardForm,
    CampaignForm,
    CommitteeForm,
    MemberForm,
    OcopProductForm,
)
from ntm.organisation.models import (
    Award,
    Committee,
    CommitteeMember,
    EmulationCampaign,
    OcopProduct,
)


def _unit(request: HttpRequest, unit_id: int, action: Action = Action.VIEW) -> AdminUnit:
    return unit_or_404(request.user, unit_id, action)


def _committee(unit: AdminUnit, committee_id: int) -> Committee:
    return get_object_or_404(
        Committee.objects.select_related("unit"), pk=committee_id, unit__path__startswith=unit.path
    )


def _campaign(unit: AdminUnit, campaign_id: int) -> EmulationCampaign:
    return get_object_or_404(
        EmulationCampaign.objects.select_related("unit"),
        pk=campaign_id,
        unit__path__startswith=unit.path,
    )


def _product(unit: AdminUnit, product_id: int) -> OcopProduct:
    return get_object_or_404(
        OcopProduct.objects.select_related("unit", "village"),
        pk=product_id,
        unit__path__startswith=unit.path,
    )


def _submit[T](
    request: HttpRequest,
    form: forms.Form,
    write: Callable[[dict[str, Any]], T],
    aliases: Mapping[str, str] | None = None,
) -> T | None:
    """Run the service on a valid POST; its refusal becomes a form error, never a 500."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return write(dict(form.cleaned_data))
    except services.OrganisationError as exc:
        name = (aliases or {}).get(exc.field, exc.field)
        form.add_error(name if name in form.fields else None, str(exc))
        return None


def _form_page(
    request: HttpRequest,
    unit: AdminUnit,
    form: forms.Form,
    *,
    title: str,
    back: str,
    subtitle: str = "",
    delete_url: str = "",
) -> HttpResponse:
    return render(
        request,
        "organisation/form.html",
        {
            "unit": unit,
            "form": form,
            "title": title,
            "subtitle": subtitle,
            "back": back,
            "delete_url": delete_url,
        },
    )


def _url(name: str, unit: AdminUnit, *args: int) -> str:
    return reverse(name, args=[unit.pk, *args])


def _initial(obj: object, names: list[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


# --- committees -------------------------------------------------------------------------------


@login_required
def committee_list(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit(request, unit_id)
    return render(
        request,
        "organisation/committees.html",
        {
            "unit": unit,
            "page": selectors.committees_page(unit=unit),
            "can_manage": can(request.user, Action.MANAGE_UNITS, unit),
            "can_add": unit.level in (3, 4) and can(request.user, Action.MANAGE_UNITS, unit),
        },
    )


COMMITTEE_FIELDS = [
    "kind",
    "name",
    "decision_number",
    "decision_date",
    "term_start",
    "term_end",
    "note",
]


@login_required
@require_http_methods(["GET", "POST"])
def committee_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit(request, unit_id, Action.MANAGE_UNITS)
    form = CommitteeForm(request.POST or None, unit=unit)
    committee = _submit(
        request, form, lambda d: services.committee_create(user=request.user, unit=unit, **d)
    )
    if committee is not None:
        messages.success(request, _("%(name)s was added.") % {"name": committee.name})
        return redirect("organisation:committees", unit_id=unit.pk)
    return _form_page(
        request, unit, form, title=_("Add a committee"), back=_url("organisation:committees", unit)
    )


@login_required
@require_http_methods(["GET", "POST"])
def committee_edit(request: HttpRequest, unit_id: int, committee_id: int) -> HttpResponse:
    unit = _unit(request, unit_id, Action.MANAGE_UNITS)
    committee = _committee(unit, committee_id)
    form = CommitteeForm(
        request.POST or None, unit=committee.unit, initial=_initial(committee, COMMITTEE_FIELDS)
    )
    saved = _submit(
        request,
        form,
        lambda d: services.committee_update(user=request.user, committee=committee, **d),
    )
    if saved is not None:
        messages.success(request, _("%(name)s was saved.") % {"name": saved.name})
        return redirect("organisation:committees", unit_id=unit.pk)
    return _form_page(
        request,
        unit,
        form,
        title=_("Edit the committee"),
        subtitle=committee.name,
        back=_url("organisation:committees", unit),
    )


MEMBER_FIELDS = ["full_name", "position", "role", "phone", "term_start", "term_end"]


def _member_write(data: dict[str, Any]) -> dict[str, Any]:
    data["fields"] = data.pop("assigned_fields")
    return data


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request: HttpRequest, unit_id: int, committee_id: int) -> HttpResponse:
    unit = _unit(request, unit_id, Action.MANAGE_UNITS)
    committee = _committee(unit, committee_id)
    form = MemberForm(request.POST or None, unit=committee.unit)
    member = _submit(
        request,
        form,
        lambda d: services.committee_member_create(
            user=request.user, committee=committee, **_member_write(d)
        ),
        {"fields": "assigned_fields"},
    )
    if member is not None:
        messages.success(request, _("%(name)s was added.") % {"name": member.full_name})
        return redirect("organisation:committees", unit_id=unit.pk)
    return _form_page(
        request,
        unit,
        form,
        title=_("Add a member"),
        subtitle=committee.name,
        back=_url("organisation:committees", unit),
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(
    request: HttpRequest, unit_id: int, committee_id: int, member_id: int
) -> HttpResponse:
    unit = _unit(request, unit_id, Action.MANAGE_UNITS)
    committee = _committee(unit, committee_id)
    member = get_object_or_404(CommitteeMember, pk=member_id, committee=committee)
    member.committee = committee
    initial = {
        **_initial(member, MEMBER_FIELDS),
        "account": member.user_id,
        "assigned_fields": member.fields,
    }
    form = MemberForm(request.POST or None, unit=committee.unit, initial=initial)
    saved = _submit(
        request,
        form,
        lambda d: services.committee_member_update(
            user=request.user, member=member, **_member_write(d)
        ),
        {"fields": "assigned_fields"},
    )
    if saved is not None:
        messages.success(request, _("%(name)s was saved.") % {"name": saved.full_name})
        return redirect("organisation:committees", unit_id=unit.pk)
    return _form_page(
        request,
        unit,
        form,
        title=_("Edit a member"),
        subtitle=committee.name,
        back=_url("organisation:committees", unit),
        delete_url=_url("organisation:member_delete", unit, committee.pk, member.pk),
    )


@login_required
@require_POST
def member_delete(
    request: HttpRequest, unit_id: int, committee_id: int, member_id: int
) -> HttpResponse:
    unit = _unit(request, unit_id, Action.MANAGE_UNITS)
    committee = _committee(unit, committee_id)
    member = get_object_or_404(CommitteeMember, pk=member_id, committee=committee)
    member.committee = committee
    services.committee_member_delete(user=request.user, member=member)
    messages.success(request, _("%(name)s was removed.") % {"name": member.full_name})
    return redirect("organisation:committees", unit_id=unit.pk)


# --- emulation campaigns ----------------------------------------------------------------------


@login_required
def campaign_list(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit(request, unit_id)
    return render(
        request,
        "organisation/campaigns.html",
        {
            "unit": unit,
            "campaigns": selectors.campaigns_page(unit=unit),
            "can_edit": can(request.user, Action.EDIT_DATA, unit),
        },
    )


CAMPAIGN_FIELDS = [
    "name",
    "start_date",
    "end_date",
    "decision_number",
    "decision_date",
    "description",
]


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit(request, unit_id, Action.EDIT_DATA)
    form = CampaignForm(request.POST or None)
    campaign = _submit(
        request, form, lambda d: services.campaign_create(user=request.user, unit=unit, **d)
    )
    if campaign is not None:
        messages.success(request, _("%(name)s was added.") % {"name": campaign.name})
        return redirect("organisation:campaigns", unit_id=unit.pk)
    return _form_page(
        request,
        unit,
        form,
        title=_("Add an emulation campaign"),
        back=_url("organisation:campaigns", unit),
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, unit_id: int, campaign_id: int) -> HttpResponse:
    unit = _unit(request, unit_id, Action.EDIT_DATA)
    campaign = _campaign(unit, campaign_id)
    form = CampaignForm(request.POST or None, initial=_initial(campaign, CAMPAIGN_FIELDS))
    saved = _submit(
        request,
        form,
        lambda d: services.campaign_update(user=request.user, campaign=campaign, **d),
    )
    if saved is not None:
        messages.success(request, _("%(name)s was saved.") % {"name": saved.name})
        return redirect("organisation:campaigns", unit_id=unit.pk)
    return _form_page(
        request,
        unit,
        form,
        title=_("Edit the emulation campaign"),
        subtitle=campaign.name,
        back=_url("organisation:campaigns", unit),
    )


AWARD_FIELDS = [
    "recipient_kind",
    "recipient_name",
    "form",
    "awarded_by",
    "decision_number",
    "decision_date",
    "reason",
]


@login_required
@require_http_methods(["GET", "POST"])
def award_create(request: HttpRequest, unit_id: int, campaign_id: int) -> HttpResponse:
    unit = _unit(request, unit_id, Action.EDIT_DATA)
    campaign = _campaign(unit, campaign_id)
    form = AwardForm(request.POST or None, unit=campaign.unit)
    award = _submit(
        request, form, lambda d: services.award_create(user=request.user, campaign=campaign, **d)
    )
    if award is not None:
        messages.success(
            request, _("The award to %(name)s was added.") % {"name": award.recipient_name}
        )
        return redirect("organisation:campaigns", unit_id=unit.pk)
    return _form_page(
        request,
        unit,
        form,
        title=_("Add an award"),
        subtitle=campaign.name,
        back=_url("organisation:campaigns", unit),
    )


@login_required
@require_http_methods(["GET", "POST"])
def award_edit(request: HttpRequest, unit_id: int, campaign_id: int, award_id: int) -> HttpResponse:
    unit = _unit(request, unit_id, Action.EDIT_DATA)
    campaign = _campaign(unit, campaign_id)
    award = get_object_or_404(
        Award.objects.select_related("village"), pk=award_id, campaign=campaign
    )
    award.campaign = campaign
    form = AwardForm(
        request.POST or None,
        unit=campaign.unit,
        keep=award.village,
        initial={**_initial(award, AWARD_FIELDS), "village": award.village_id},
    )
    saved = _submit(
        request, form, lambda d: services.award_update(user=request.user, award=award, **d)
    )
    if saved is not None:
        messages.success(
            request, _("The award to %(name)s was saved.") % {"name": saved.recipient_name}
        )
        return redirect("organisation:campaigns", unit_id=unit.pk)
    return _form_page(
        request,
        unit,
        form,
        title=_("Edit an award"),
        subtitle=campaign.name,
        back=_url("organisation:campaigns", unit),
    )


# --- OCOP register ----------------------------------------------------------------------------


@login_required
def ocop_list(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit(request, unit_id)
    form = AsOfForm(request.GET or None)
    on = form.cleaned_data.get("as_of") if form.is_valid() else None
    return render(
        request,
        "organisation/ocop.html",
        {
            "unit": unit,
            "form": form,
            "asked": on is not None,
            "register": selectors.ocop_register(unit=unit, on=on or timezone.localdate()),
            "can_edit": unit.level == 3 and can(request.user, Action.EDIT_DATA, unit),
        },
    )


PRODUCT_FIELDS = [
    "name",
    "producer",
    "stars",
    "certification_number",
    "certification_date",
    "expiry_date",
    "notes",
]


@login_required
@require_http_methods(["GET", "POST"])
def ocop_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit(request, unit_id, Action.EDIT_DATA)
    form = OcopProductForm(request.POST or None, unit=unit)
    product = _submit(
        request, form, lambda d: services.ocop_product_create(user=request.user, unit=unit, **d)
    )
    if product is not None:
        messages.success(request, _("%(name)s was added.") % {"name": product.name})
        return redirect("organisation:ocop", unit_id=unit.pk)
    return _form_page(
        request,
        unit,
        form,
        title=_("Register an OCOP product"),
        back=_url("organisation:ocop", unit),
    )


@login_required
@require_http_methods(["GET", "POST"])
def ocop_edit(request: HttpRequest, unit_id: int, product_id: int) -> HttpResponse:
    unit = _unit(request, unit_id, Action.EDIT_DATA)
    product = _product(unit, product_id)
    form = OcopProductForm(
        request.POST or None,
        unit=product.unit,
        keep=product.village,
        initial={**_initial(product, PRODUCT_FIELDS), "village": product.village_id},
    )
    saved = _submit(
        request,
        form,
        lambda d: services.ocop_product_update(user=request.user, product=product, **d),
    )
    if saved is not None:
        messages.success(request, _("%(name)s was saved.") % {"name": saved.name})
        return redirect("organisation:ocop", unit_id=unit.pk)
    return _form_page(
        request,
        unit,
        form,
        title=_("Edit an OCOP product"),
        subtitle=product.name,
        back=_url("organisation:ocop", unit),
    )
