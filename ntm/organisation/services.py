"""Writes on committees, emulation campaigns and the OCOP register.

Web forms, commands and the demo all come through here. Every function checks the acting user's
role and scope with the permission service, validates, and raises ``OrganisationError`` (with a
translated message and, when it concerns one input, the name of that field) when it refuses.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.accounts.models import Field, User
from ntm.accounts.permissions import Action, require
from ntm.geo.models import AdminUnit, Level
from ntm.organisation.models import (
    Award,
    Committee,
    CommitteeKind,
    CommitteeMember,
    EmulationCampaign,
    MemberRole,
    OcopProduct,
    RecipientKind,
)
from ntm.organisation.selectors import account_candidates


class OrganisationError(ValueError):
    """A refused write. ``field`` names the input it concerns ("" when it concerns the whole)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _text(value: str, field: str, message: str) -> str:
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise OrganisationError(message, field)
    return cleaned


def _optional_text(value: str) -> str:
    return " ".join((value or "").split())


def _check_order(start: dt.date | None, end: dt.date | None, end_field: str) -> None:
    if start is not None and end is not None and end < start:
        raise OrganisationError(_("The end date cannot be before the start date."), end_field)


def _check_choice(value: str, choices: Iterable[str], field: str) -> None:
    if value not in set(choices):
        raise OrganisationError(_("“%(value)s” is not a valid choice.") % {"value": value}, field)


def _check_village_under(village: AdminUnit | None, unit: AdminUnit) -> None:
    if village is None:
        return
    if (
        village.level != Level.VILLAGE
        or village.pk == unit.pk
        or not village.is_in_subtree_of(unit)
    ):
        raise OrganisationError(
            _("%(village)s is not a village of %(unit)s.")
            % {"village": village.name, "unit": unit.name},
            "village",
        )


def _name_taken(qs: QuerySet[Any], name: str, exclude_pk: int | None) -> bool:
    # Compared in Python: SQLite folds the case of ASCII letters only ("GẠO" ≠ "gạo" there).
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    wanted = name.casefold()
    return any(other.casefold() == wanted for other in qs.values_list("name", flat=True))


def _remember(obj: Any, user: Any) -> None:
    # simple_history records who made the change when it is not made in a web request.
    obj._history_user = user if getattr(user, "is_authenticated", False) else None


# --- committees -------------------------------------------------------------------------------


def _clean_committee(
    *,
    unit: AdminUnit,
    kind: str,
    name: str,
    decision_number: str,
    decision_date: dt.date | None,
    term_start: dt.date | None,
    term_end: dt.date | None,
    note: str,
    exclude_pk: int | None = None,
) -> dict[str, Any]:
    _check_choice(kind, CommitteeKind.values, "kind")
    if unit.level not in (Level.COMMUNE, Level.VILLAGE):
        raise OrganisationError(_("Committees are kept for communes and villages."))
    if kind == CommitteeKind.VILLAGE_DEVELOPMENT and unit.level != Level.VILLAGE:
        raise OrganisationError(_("A village development board belongs to a village."), "kind")
    if kind in (CommitteeKind.STEERING, CommitteeKind.MANAGEMENT) and unit.level != Level.COMMUNE:
        raise OrganisationError(
            _("A steering committee or management board belongs to a commune."), "kind"
        )
    name = _text(name, "name", _("Enter the committee's name."))
    _check_order(term_start, term_end, "term_end")
    if _name_taken(Committee.objects.filter(unit=unit), name, exclude_pk):
        raise OrganisationError(
            _("%(unit)s already has a committee named %(name)s.")
            % {"unit": unit.name, "name": name},
            "name",
        )
    return {
        "kind": kind,
        "name": name,
        "decision_number": _optional_text(decision_number),
        "decision_date": decision_date,
        "term_start": term_start,
        "term_end": term_end,
        "note": (note or "").strip(),
    }


@transaction.atomic
def committee_create(
    *,
    user: Any,
    unit: AdminUnit,
    kind: str,
    name: str,
    decision_number: str = "",
    decision_date: dt.date | None = None,
    term_start: dt.date | None = None,
    term_end: dt.date | None = None,
    note: str = "",
) -> Committee:
    """Record a committee of a commune or village (Ban Chỉ đạo, Ban quản lý, Ban phát triển thôn)."""
    require(user, Action.MANAGE_UNITS, unit)
    values = _clean_committee(
        unit=unit,
        kind=kind,
        name=name,
        decision_number=decision_number,
        decision_date=decision_date,
        term_start=term_start,
        term_end=term_end,
        note=note,
    )
    committee = Committee(unit=unit, **values)
    _remember(committee, user)
    committee.save()
    return committee


@transaction.atomic
def committee_update(
    *,
    user: Any,
    committee: Committee,
    kind: str,
    name: str,
    decision_number: str = "",
    decision_date: dt.date | None = None,
    term_start: dt.date | None = None,
    term_end: dt.date | None = None,
    note: str = "",
) -> Committee:
    require(user, Action.MANAGE_UNITS, committee.unit)
    values = _clean_committee(
        unit=committee.unit,
        kind=kind,
        name=name,
        decision_number=decision_number,
        decision_date=decision_date,
        term_start=term_start,
        term_end=term_end,
        note=note,
        exclude_pk=committee.pk,
    )
    for attr, value in values.items():
        setattr(committee, attr, value)
    _remember(committee, user)
    committee.save()
    return committee


def _clean_member(
    *,
    committee: Committee,
    full_name: str,
    role: str,
    position: str,
    account: User | None,
    fields: Iterable[str],
    phone: str,
    term_start: dt.date | None,
    term_end: dt.date | None,
    exclude_pk: int | None = None,
) -> dict[str, Any]:
    full_name = _text(full_name, "full_name", _("Enter the member's full name."))
    _check_choice(role, MemberRole.values, "role")
    chosen = list(dict.fromkeys(fields))
    unknown = [f for f in chosen if f not in Field.values]
    if unknown:
        raise OrganisationError(
            _("“%(value)s” is not a valid choice.") % {"value": ", ".join(unknown)}, "fields"
        )
    _check_order(term_start, term_end, "term_end")
    if account is not None:
        # Only people who work in this commune (or its villages) can be linked, so the choice
        # never reveals or binds accounts from elsewhere.
        if not account_candidates(committee.unit).filter(pk=account.pk).exists():
            raise OrganisationError(
                _("This account does not belong to %(unit)s.") % {"unit": committee.unit.name},
                "account",
            )
        again = committee.members.filter(user=account)
        if exclude_pk is not None:
            again = again.exclude(pk=exclude_pk)
        if again.exists():
            raise OrganisationError(
                _("This account is already linked to another member of the committee."),
                "account",
            )
    return {
        "full_name": full_name,
        "role": role,
        "position": _optional_text(position),
        "user": account,
        "fields": [f for f in Field.values if f in chosen],
        "phone": _optional_text(phone),
        "term_start": term_start,
        "term_end": term_end,
    }


@transaction.atomic
def committee_member_create(
    *,
    user: Any,
    committee: Committee,
    full_name: str,
    role: str = MemberRole.MEMBER,
    position: str = "",
    account: User | None = None,
    fields: Iterable[str] = (),
    phone: str = "",
    term_start: dt.date | None = None,
    term_end: dt.date | None = None,
) -> CommitteeMember:
    require(user, Action.MANAGE_UNITS, committee.unit)
    values = _clean_member(
        committee=committee,
        full_name=full_name,
        role=role,
        position=position,
        account=account,
        fields=fields,
        phone=phone,
        term_start=term_start,
        term_end=term_end,
    )
    member = CommitteeMember(committee=committee, **values)
    _remember(member, user)
    member.save()
    return member


@transaction.atomic
def committee_member_update(
    *,
    user: Any,
    member: CommitteeMember,
    full_name: str,
    role: str = MemberRole.MEMBER,
    position: str = "",
    account: User | None = None,
    fields: Iterable[str] = (),
    phone: str = "",
    term_start: dt.date | None = None,
    term_end: dt.date | None = None,
) -> CommitteeMember:
    require(user, Action.MANAGE_UNITS, member.committee.unit)
    values = _clean_member(
        committee=member.committee,
        full_name=full_name,
        role=role,
        position=position,
        account=account,
        fields=fields,
        phone=phone,
        term_start=term_start,
        term_end=term_end,
        exclude_pk=member.pk,
    )
    for attr, value in values.items():
        setattr(member, attr, value)
    _remember(member, user)
    member.save()
    return member


@transaction.atomic
def committee_member_delete(*, user: Any, member: CommitteeMember) -> None:
    """Remove a member entered by mistake; someone who left keeps the record with a term end."""
    require(user, Action.MANAGE_UNITS, member.committee.unit)
    _remember(member, user)
    member.delete()


# --- emulation campaigns and awards -----------------------------------------------------------


def _clean_campaign(
    *,
    unit: AdminUnit,
    name: str,
    start_date: dt.date | None,
    end_date: dt.date | None,
    decision_number: str,
    decision_date: dt.date | None,
    description: str,
    exclude_pk: int | None = None,
) -> dict[str, Any]:
    name = _text(name, "name", _("Enter the campaign's name."))
    if start_date is None:
        raise OrganisationError(_("Enter the start date."), "start_date")
    _check_order(start_date, end_date, "end_date")
    if _name_taken(EmulationCampaign.objects.filter(unit=unit), name, exclude_pk):
        raise OrganisationError(
            _("%(unit)s already has a campaign named %(name)s.")
            % {"unit": unit.name, "name": name},
            "name",
        )
    return {
        "name": name,
        "start_date": start_date,
        "end_date": end_date,
        "decision_number": _optional_text(decision_number),
        "decision_date": decision_date,
        "description": (description or "").strip(),
    }


@transaction.atomic
def campaign_create(
    *,
    user: Any,
    unit: AdminUnit,
    name: str,
    start_date: dt.date | None,
    end_date: dt.date | None = None,
    decision_number: str = "",
    decision_date: dt.date | None = None,
    description: str = "",
) -> EmulationCampaign:
    """Record an emulation movement (phong trào thi đua) launched in a unit."""
    require(user, Action.EDIT_DATA, unit)
    values = _clean_campaign(
        unit=unit,
        name=name,
        start_date=start_date,
        end_date=end_date,
        decision_number=decision_number,
        decision_date=decision_date,
        description=description,
    )
    campaign = EmulationCampaign(unit=unit, **values)
    _remember(campaign, user)
    campaign.save()
    return campaign


@transaction.atomic
def campaign_update(
    *,
    user: Any,
    campaign: EmulationCampaign,
    name: str,
    start_date: dt.date | None,
    end_date: dt.date | None = None,
    decision_number: str = "",
    decision_date: dt.date | None = None,
    description: str = "",
) -> EmulationCampaign:
    require(user, Action.EDIT_DATA, campaign.unit)
    values = _clean_campaign(
        unit=campaign.unit,
        name=name,
        start_date=start_date,
        end_date=end_date,
        decision_number=decision_number,
        decision_date=decision_date,
        description=description,
        exclude_pk=campaign.pk,
    )
    if campaign.awards.filter(decision_date__lt=values["start_date"]).exists():
        raise OrganisationError(
            _("Some awards of this campaign were decided before that start date."), "start_date"
        )
    for attr, value in values.items():
        setattr(campaign, attr, value)
    _remember(campaign, user)
    campaign.save()
    return campaign


def _clean_award(
    *,
    campaign: EmulationCampaign,
    recipient_kind: str,
    recipient_name: str,
    village: AdminUnit | None,
    form: str,
    awarded_by: str,
    decision_number: str,
    decision_date: dt.date | None,
    reason: str,
) -> dict[str, Any]:
    _check_choice(recipient_kind, RecipientKind.values, "recipient_kind")
    recipient_name = _text(recipient_name, "recipient_name", _("Enter the recipient's name."))
    _check_village_under(village, campaign.unit)
    form = _text(form, "form", _("Enter the form of the award, e.g. Giấy khen."))
    awarded_by = _text(awarded_by, "awarded_by", _("Enter who gave the award."))
    if decision_date is not None and decision_date < campaign.start_date:
        raise OrganisationError(
            _("The award cannot be decided before the campaign started (%(date)s).")
            % {"date": campaign.start_date.strftime("%d/%m/%Y")},
            "decision_date",
        )
    return {
        "recipient_kind": recipient_kind,
        "recipient_name": recipient_name,
        "village": village,
        "form": form,
        "awarded_by": awarded_by,
        "decision_number": _optional_text(decision_number),
        "decision_date": decision_date,
        "reason": (reason or "").strip(),
    }


@transaction.atomic
def award_create(
    *,
    user: Any,
    campaign: EmulationCampaign,
    recipient_kind: str,
    recipient_name: str,
    form: str,
    awarded_by: str,
    village: AdminUnit | None = None,
    decision_number: str = "",
    decision_date: dt.date | None = None,
    reason: str = "",
) -> Award:
    """Record a commendation (khen thưởng) of a collective or an individual under a campaign."""
    require(user, Action.EDIT_DATA, campaign.unit)
    values = _clean_award(
        campaign=campaign,
        recipient_kind=recipient_kind,
        recipient_name=recipient_name,
        village=village,
        form=form,
        awarded_by=awarded_by,
        decision_number=decision_number,
        decision_date=decision_date,
        reason=reason,
    )
    award = Award(campaign=campaign, **values)
    _remember(award, user)
    award.save()
    return award


@transaction.atomic
def award_update(
    *,
    user: Any,
    award: Award,
    recipient_kind: str,
    recipient_name: str,
    form: str,
    awarded_by: str,
    village: AdminUnit | None = None,
    decision_number: str = "",
    decision_date: dt.date | None = None,
    reason: str = "",
) -> Award:
    require(user, Action.EDIT_DATA, award.campaign.unit)
    values = _clean_award(
        campaign=award.campaign,
        recipient_kind=recipient_kind,
        recipient_name=recipient_name,
        village=village,
        form=form,
        awarded_by=awarded_by,
        decision_number=decision_number,
        decision_date=decision_date,
        reason=reason,
    )
    for attr, value in values.items():
        setattr(award, attr, value)
    _remember(award, user)
    award.save()
    return award


# --- OCOP register ----------------------------------------------------------------------------


def _clean_product(
    *,
    unit: AdminUnit,
    name: str,
    producer: str,
    village: AdminUnit | None,
    stars: int | None,
    certification_number: str,
    certification_date: dt.date | None,
    expiry_date: dt.date | None,
    notes: str,
    exclude_pk: int | None = None,
) -> dict[str, Any]:
    if unit.level != Level.COMMUNE:
        raise OrganisationError(_("The OCOP register is kept by communes."))
    name = _text(name, "name", _("Enter the product's name."))
    producer = _text(
        producer, "producer", _("Enter the producer (cooperative, household or enterprise).")
    )
    _check_village_under(village, unit)
    if stars not in OcopProduct.Stars.values:
        raise OrganisationError(_("An OCOP product has 3, 4 or 5 stars."), "stars")
    if certification_date is None:
        raise OrganisationError(_("Enter the certification date."), "certification_date")
    if certification_date > timezone.localdate():
        # The register holds certified products only; targets belong in plans.
        raise OrganisationError(
            _("The certification date cannot be in the future."), "certification_date"
        )
    if expiry_date is None:
        raise OrganisationError(_("Enter the expiry date."), "expiry_date")
    if expiry_date <= certification_date:
        raise OrganisationError(
            _("The certificate must expire after the certification date."), "expiry_date"
        )
    same_certificate = OcopProduct.objects.filter(unit=unit, certification_date=certification_date)
    if _name_taken(same_certificate, name, exclude_pk):
        raise OrganisationError(
            _("%(name)s is already registered with that certification date.") % {"name": name},
            "name",
        )
    return {
        "name": name,
        "producer": producer,
        "village": village,
        "stars": stars,
        "certification_number": _optional_text(certification_number),
        "certification_date": certification_date,
        "expiry_date": expiry_date,
        "notes": (notes or "").strip(),
    }


@transaction.atomic
def ocop_product_create(
    *,
    user: Any,
    unit: AdminUnit,
    name: str,
    producer: str,
    stars: int | None,
    certification_date: dt.date | None,
    expiry_date: dt.date | None,
    village: AdminUnit | None = None,
    certification_number: str = "",
    notes: str = "",
) -> OcopProduct:
    """Register a certified OCOP product of a commune; its status comes from its dates."""
    require(user, Action.EDIT_DATA, unit)
    values = _clean_product(
        unit=unit,
        name=name,
        producer=producer,
        village=village,
        stars=stars,
        certification_number=certification_number,
        certification_date=certification_date,
        expiry_date=expiry_date,
        notes=notes,
    )
    product = OcopProduct(unit=unit, **values)
    _remember(product, user)
    product.save()
    return product


@transaction.atomic
def ocop_product_update(
    *,
    user: Any,
    product: OcopProduct,
    name: str,
    producer: str,
    stars: int | None,
    certification_date: dt.date | None,
    expiry_date: dt.date | None,
    village: AdminUnit | None = None,
    certification_number: str = "",
    notes: str = "",
) -> OcopProduct:
    require(user, Action.EDIT_DATA, product.unit)
    values = _clean_product(
        unit=product.unit,
        name=name,
        producer=producer,
        village=village,
        stars=stars,
        certification_number=certification_number,
        certification_date=certification_date,
        expiry_date=expiry_date,
        notes=notes,
        exclude_pk=product.pk,
    )
    for attr, value in values.items():
        setattr(product, attr, value)
    _remember(product, user)
    product.save()
    return product
