"""Writes on funding, works and contributions. Views, imports and the demo call these; each checks
the role and the unit scope itself."""

import datetime as dt
import os
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from ntm.accounts.permissions import Action, require
from ntm.core.uploads import IMAGES, UploadError, check_upload
from ntm.finance.models import (
    CASH_SOURCES,
    CONTRIBUTION_SOURCE,
    DISTRICTS_ABOLISHED,
    QUANTITY_SOURCES,
    SOURCE_RATE,
    Allocation,
    BudgetLine,
    Contribution,
    ContributionKind,
    ContributorKind,
    Disbursement,
    RateKind,
    SourceKind,
    ValuationRate,
    Work,
    WorkKind,
    WorkProgress,
)
from ntm.finance.money import MoneyError, check_vnd, parse_quantity, valued
from ntm.geo.models import AdminUnit, Level


class FinanceError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def commune_of(unit: AdminUnit) -> AdminUnit:
    """The commune a village belongs to (villages hang directly under their commune)."""
    if unit.level == Level.VILLAGE and unit.parent_id:
        parent = unit.parent
        assert parent is not None
        return parent
    return unit


def rate_for(unit: AdminUnit, year: int, kind: str) -> Decimal | None:
    rate = ValuationRate.objects.filter(unit=commune_of(unit), year=year, kind=kind).first()
    return rate.vnd_per_unit if rate else None


def _vnd(value: Decimal | None, field: str, *, positive: bool = False) -> Decimal:
    if value is None:
        raise FinanceError(_("Enter an amount in VND."), field)
    try:
        amount = check_vnd(Decimal(value))
    except MoneyError as exc:
        raise FinanceError(
            _("Enter a whole number of dong (no fractional digits), not negative."), field
        ) from exc
    if positive and amount <= 0:
        raise FinanceError(_("The amount must be more than 0."), field)
    return amount


def _quantity(value: Decimal | None, field: str) -> Decimal:
    if value is None:
        raise FinanceError(_("Enter the quantity."), field)
    try:
        quantity = parse_quantity(Decimal(value))
    except MoneyError as exc:
        raise FinanceError(_("Enter a quantity of at most two decimals."), field) from exc
    if quantity <= 0:
        raise FinanceError(_("The quantity must be more than 0."), field)
    return quantity


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise FinanceError(_("Enter a year."), "year")


def _check_district(source: str, year: int, on: dt.date | None, field: str = "source") -> None:
    """Districts ended on 1/7/2025: no district budget for anything later."""
    if source != SourceKind.DISTRICT_BUDGET:
        return
    if year > DISTRICTS_ABOLISHED.year or (on is not None and on >= DISTRICTS_ABOLISHED):
        raise FinanceError(
            _("There is no district budget from 1/7/2025 (two-tier local government)."), field
        )


# --- rates -----------------------------------------------------------------------------------


@transaction.atomic
def rate_set(
    *,
    user: Any,
    unit: AdminUnit,
    year: int,
    kind: str,
    vnd_per_unit: Decimal,
    basis: str = "",
    is_demo: bool = False,
) -> ValuationRate:
    """Set the commune's rate; the year's contributions of that kind are revalued with it, so the
    ledger and every summary always use one rate."""
    commune = commune_of(unit)
    require(user, Action.MANAGE_PLAN, commune)
    if commune.level != Level.COMMUNE:
        raise FinanceError(_("Rates are set by a commune."))
    _check_year(year)
    if kind not in RateKind.values:
        raise FinanceError(_("Choose the rate."), "kind")
    amount = _vnd(vnd_per_unit, "vnd_per_unit")
    rate, _created = ValuationRate.objects.update_or_create(
        unit=commune,
        year=year,
        kind=kind,
        defaults={
            "vnd_per_unit": amount,
            "basis": basis.strip(),
            "updated_by": user,
            "is_demo": is_demo,
        },
    )
    contribution_kind = (
        ContributionKind.LABOUR if kind == RateKind.LABOUR_DAY else ContributionKind.LAND
    )
    changed = []
    for c in Contribution.objects.filter(
        unit__path__startswith=commune.path, date__year=year, kind=contribution_kind
    ):
        assert c.quantity is not None
        c.rate, c.value = amount, valued(c.quantity, amount)
        changed.append(c)
    Contribution.objects.bulk_update(changed, ["rate", "value"])
    return rate


# --- works -----------------------------------------------------------------------------------

WORK_FIELDS = {
    "length_km",
    "criterion_number",
    "indicator_code",
    "latitude",
    "longitude",
    "decision_number",
    "contractor",
    "start",
    "finish",
    "status",
}


def _check_work(unit: AdminUnit, fields: Mapping[str, Any]) -> None:
    if unit.level < Level.COMMUNE:
        raise FinanceError(_("Works belong to a commune or a village."))
    _check_year(fields["year"])
    if fields["kind"] not in WorkKind.values:
        raise FinanceError(_("Choose the kind of work."), "kind")
    if not str(fields["name"]).strip():
        raise FinanceError(_("Name the work."), "name")
    lat, lon = fields.get("latitude"), fields.get("longitude")
    if (lat is None) != (lon is None):
        raise FinanceError(_("Give both latitude and longitude, or neither."), "latitude")
    if lat is not None and not Decimal(-90) <= lat <= Decimal(90):
        raise FinanceError(_("Latitude is between -90 and 90."), "latitude")
    if lon is not None and not Decimal(-180) <= lon <= Decimal(180):
        raise FinanceError(_("Longitude is between -180 and 180."), "longitude")
    start, finish = fields.get("start"), fields.get("finish")
    if start and finish and finish < start:
        raise FinanceError(_("The finish is before the start."), "finish")
    length = fields.get("length_km")
    if length is not None and length < 0:
        raise FinanceError(_("The length cannot be negative."), "length_km")
    if fields.get("status", Work.Status.PLANNED) not in Work.Status.values:
        raise FinanceError(_("Choose a status."), "status")


@transaction.atomic
def work_create(
    *,
    user: Any,
    unit: AdminUnit,
    year: int,
    kind: str,
    name: str,
    is_demo: bool = False,
    **fields: Any,
) -> Work:
    require(user, Action.EDIT_DATA, unit)
    unknown = set(fields) - WORK_FIELDS
    if unknown:
        raise TypeError(f"unknown work fields: {sorted(unknown)}")
    _check_work(unit, {"year": year, "kind": kind, "name": name, **fields})
    if Work.objects.filter(unit=unit, year=year, name=name.strip()).exists():
        raise FinanceError(_("This unit already has a work of that name for the year."), "name")
    return Work.objects.create(
        unit=unit,
        year=year,
        kind=kind,
        name=name.strip(),
        is_demo=is_demo,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        **fields,
    )


@transaction.atomic
def work_update(*, user: Any, work: Work, **fields: Any) -> Work:
    require(user, Action.EDIT_DATA, work.unit)
    unknown = set(fields) - WORK_FIELDS - {"year", "kind", "name"}
    if unknown:
        raise TypeError(f"unknown work fields: {sorted(unknown)}")
    merged = {f: getattr(work, f) for f in WORK_FIELDS | {"year", "kind", "name"}} | fields
    _check_work(work.unit, merged)
    if (
        Work.objects.filter(unit=work.unit, year=merged["year"], name=str(merged["name"]).strip())
        .exclude(pk=work.pk)
        .exists()
    ):
        raise FinanceError(_("This unit already has a work of that name for the year."), "name")
    if merged["year"] != work.year and work.budget_lines.filter(source="district").exists():
        _check_district("district", merged["year"], merged.get("start"))
    for key, value in fields.items():
        setattr(work, key, value.strip() if isinstance(value, str) else value)
    work.save()
    return work


@transaction.atomic
def work_budget_set(
    *, user: Any, work: Work, lines: Mapping[str, Decimal | None]
) -> list[BudgetLine]:
    """Replace the work's planned budget: VND for money and materials, a quantity for labour days
    and donated land. Empty or zero removes the source."""
    require(user, Action.EDIT_DATA, work.unit)
    kept = []
    for source, raw in lines.items():
        if source not in SourceKind.values:
            raise FinanceError(_("Unknown source: %s") % source)
        if raw is None or raw == 0:
            continue
        _check_district(source, work.year, work.start, source)
        if source in QUANTITY_SOURCES:
            kept.append(BudgetLine(work=work, source=source, quantity=_quantity(raw, source)))
        else:
            kept.append(BudgetLine(work=work, source=source, amount=_vnd(raw, source)))
    work.budget_lines.all().delete()
    return BudgetLine.objects.bulk_create(kept)


MAX_PHOTO_BYTES = 10 * 1024 * 1024


@transaction.atomic
def work_progress_add(
    *,
    user: Any,
    work: Work,
    date: dt.date,
    percent: int,
    note: str = "",
    photo_name: str = "",
    photo: bytes | None = None,
    photo_stage: str = "",
) -> WorkProgress:
    """A dated progress update, optionally with a photo; the work's progress and status follow the
    latest update."""
    require(user, Action.EDIT_DATA, work.unit)
    if not 0 <= percent <= 100:
        raise FinanceError(_("Progress is between 0 and 100%."), "percent")
    update = WorkProgress(work=work, date=date, percent=percent, note=note.strip(), created_by=user)
    if photo is not None:
        try:
            checked = check_upload(photo_name, photo, allowed=IMAGES, max_bytes=MAX_PHOTO_BYTES)
        except UploadError as exc:
            raise FinanceError(str(exc), "photo") from exc
        if photo_stage not in WorkProgress.Stage.values:
            raise FinanceError(
                _("Say whether the photo shows before, during or after."), "photo_stage"
            )
        update.photo_type = checked.content_type
        update.photo_stage = photo_stage
        update.photo.save(
            f"{date:%Y%m%d}-{os.urandom(8).hex()}{checked.extension}",
            ContentFile(photo),
            save=False,
        )
    update.save()
    latest = work.updates.order_by("-date", "-pk").first()
    assert latest is not None
    work.percent = latest.percent
    work.status = (
        Work.Status.DONE
        if latest.percent >= 100
        else Work.Status.IN_PROGRESS
        if latest.percent > 0
        else Work.Status.PLANNED
    )
    if work.status == Work.Status.DONE and work.finish is None:
        work.finish = latest.date
    work.save(update_fields=["percent", "status", "finish"])
    return update


# --- allocations and disbursements ---------------------------------------------------------------


@transaction.atomic
def allocation_add(
    *,
    user: Any,
    commune: AdminUnit,
    village: AdminUnit,
    year: int,
    source: str,
    amount: Decimal,
    decided_on: dt.date,
    decision_number: str = "",
    note: str = "",
    is_demo: bool = False,
) -> Allocation:
    require(user, Action.MANAGE_PLAN, commune)
    if commune.level != Level.COMMUNE:
        raise FinanceError(_("Allocations are made by a commune."))
    if village.level != Level.VILLAGE or not village.is_in_subtree_of(commune):
        raise FinanceError(_("Choose a village of this commune."), "village")
    _check_year(year)
    if source not in CASH_SOURCES:
        raise FinanceError(_("Allocate money: choose a budget or another cash source."), "source")
    _check_district(source, year, decided_on)
    return Allocation.objects.create(
        commune=commune,
        village=village,
        year=year,
        source=source,
        amount=_vnd(amount, "amount", positive=True),
        decided_on=decided_on,
        decision_number=decision_number.strip(),
        note=note.strip(),
        is_demo=is_demo,
        created_by=user,
    )


@transaction.atomic
def disbursement_add(
    *,
    user: Any,
    work: Work,
    source: str,
    amount: Decimal,
    date: dt.date,
    document: str = "",
    note: str = "",
) -> Disbursement:
    """Money paid out on a work. Recorded even beyond the plan or the allocation (the payment
    happened); the pages then show the overrun as a warning."""
    require(user, Action.APPROVE_DATA, work.unit)
    if source not in CASH_SOURCES:
        raise FinanceError(_("Disburse money: choose a budget or another cash source."), "source")
    _check_district(source, date.year, date)
    return Disbursement.objects.create(
        work=work,
        source=source,
        amount=_vnd(amount, "amount", positive=True),
        date=date,
        document=document.strip(),
        note=note.strip(),
        created_by=user,
    )


# --- contributions ------------------------------------------------------------------------------


@transaction.atomic
def contribution_add(
    *,
    user: Any,
    unit: AdminUnit,
    contributor_kind: str,
    contributor_name: str,
    kind: str,
    date: dt.date,
    quantity: Decimal | None = None,
    value: Decimal | None = None,
    consent_to_publish: bool = False,
    work: Work | None = None,
    note: str = "",
    is_demo: bool = False,
) -> Contribution:
    """One contribution. Labour days and land are valued with the commune's rate of the year; a
    value given with them must equal that valuation (an exported ledger imports back)."""
    require(user, Action.EDIT_DATA, unit)
    if unit.level < Level.COMMUNE:
        raise FinanceError(_("Contributions are recorded for a commune or a village."))
    if work is not None:
        if not work.unit.is_in_subtree_of(unit):
            raise FinanceError(_("Choose a work of this unit."), "work")
        unit = work.unit  # recorded where the work is
    if contributor_kind not in ContributorKind.values:
        raise FinanceError(_("Choose who contributed."), "contributor_kind")
    if not contributor_name.strip():
        raise FinanceError(_("Enter the contributor's name."), "contributor_name")
    if kind not in ContributionKind.values:
        raise FinanceError(_("Choose the kind of contribution."), "kind")
    rate = None
    source = CONTRIBUTION_SOURCE[ContributionKind(kind)]
    if source in QUANTITY_SOURCES:
        quantity = _quantity(quantity, "quantity")
        rate = rate_for(unit, date.year, SOURCE_RATE[source])
        if rate is None:
            raise FinanceError(
                _("Set the commune's %(rate)s for %(year)s first.")
                % {"rate": RateKind(SOURCE_RATE[source]).label, "year": date.year},
                "quantity",
            )
        computed = valued(quantity, rate)
        if value is not None and _vnd(value, "value") != computed:
            raise FinanceError(
                _("The value is computed from the rate: %(v)s VND.") % {"v": computed}, "value"
            )
        value = computed
    else:
        if quantity is not None:
            raise FinanceError(
                _("Cash and materials are recorded by their value only."), "quantity"
            )
        value = _vnd(value, "value", positive=True)
    return Contribution.objects.create(
        unit=unit,
        work=work,
        contributor_kind=contributor_kind,
        contributor_name=contributor_name.strip(),
        consent_to_publish=bool(consent_to_publish),
        kind=kind,
        quantity=quantity,
        rate=rate,
        value=value,
        date=date,
        note=note.strip(),
        is_demo=is_demo,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


@transaction.atomic
def contribution_delete(*, user: Any, contribution: Contribution) -> None:
    require(user, Action.EDIT_DATA, contribution.unit)
    contribution.delete()
