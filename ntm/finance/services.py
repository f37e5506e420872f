"""Writes on funding, works and contributions. Views, imports and the demo call these; each checks
the role and the unit scope itself."""

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.accounts.permissions import Action, require
from ntm.catalog.models import CriteriaSet, DataElement, Indicator, SetLevel
from ntm.catalog.selectors import applicable_set
from ntm.core.uploads import IMAGES, UploadError, check_upload
from ntm.engine.model import NUMERIC_KINDS
from ntm.evaluation.actions import value_record
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
from ntm.observations.services import DataError


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
    "feeds_set",
    "feeds_code",
    "quantity",
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
    _check_feed(unit, fields)


def _check_feed(unit: AdminUnit, fields: Mapping[str, Any]) -> None:
    """``feeds`` names a numeric indicator or data element of the set that applies to the
    work's commune (its province's localisation when there is one), and comes with a quantity."""
    family: CriteriaSet | None = fields.get("feeds_set")
    code = str(fields.get("feeds_code") or "").strip()
    quantity = fields.get("quantity")
    if quantity is not None and quantity < 0:
        raise FinanceError(_("The quantity cannot be negative."), "quantity")
    if family is None and not code:
        return
    if family is None:
        raise FinanceError(_("Choose the criteria set the work feeds."), "feeds_set")
    if not code:
        raise FinanceError(_("Give the code of the indicator or data element."), "feeds_code")
    if family.localises_id is not None or family.level != SetLevel.COMMUNE:
        raise FinanceError(_("Choose a national commune criteria set."), "feeds_set")
    variant = applicable_set(family, commune_of(unit))
    indicator = Indicator.objects.filter(criteria_set=variant, code=code).first()
    element = (
        None if indicator else DataElement.objects.filter(criteria_set=variant, code=code).first()
    )
    if indicator is None and element is None:
        raise FinanceError(
            _("“%(code)s” is neither an indicator nor a data element of %(set)s.")
            % {"code": code, "set": variant.code},
            "feeds_code",
        )
    kind = (indicator or element).kind  # type: ignore[union-attr]
    if kind not in NUMERIC_KINDS:
        raise FinanceError(
            _("“%(code)s” is not a number: a work's quantity cannot feed it.") % {"code": code},
            "feeds_code",
        )
    if quantity is None:
        raise FinanceError(_("Enter the quantity the work adds (e.g. 1,2 km)."), "quantity")


@transaction.atomic
def work_create(
    *,
    user: Any,
    unit: AdminUnit,
    year: int,
    kind: str,
    name: str,
    is_demo: bool = False,
    feed: list["FeedResult"] | None = None,
    **fields: Any,
) -> Work:
    """A new work. ``feed`` (when given) receives what happened to the value the work feeds."""
    require(user, Action.EDIT_DATA, unit)
    unknown = set(fields) - WORK_FIELDS
    if unknown:
        raise TypeError(f"unknown work fields: {sorted(unknown)}")
    _check_work(unit, {"year": year, "kind": kind, "name": name, **fields})
    if Work.objects.filter(unit=unit, year=year, name=name.strip()).exists():
        raise FinanceError(_("This unit already has a work of that name for the year."), "name")
    if "feeds_code" in fields:
        fields["feeds_code"] = str(fields["feeds_code"] or "").strip()
    work = Work.objects.create(
        unit=unit,
        year=year,
        kind=kind,
        name=name.strip(),
        is_demo=is_demo,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        **fields,
    )
    _report(feed, feed_sync(user=user, work=work, before=None))
    return work


@transaction.atomic
def work_update(
    *, user: Any, work: Work, feed: list["FeedResult"] | None = None, **fields: Any
) -> Work:
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
    before = feed_state(work)
    for key, value in fields.items():
        setattr(work, key, value.strip() if isinstance(value, str) else value)
    work._history_user = user  # type: ignore[attr-defined]  # also outside a request
    work.save()
    _report(feed, feed_sync(user=user, work=work, before=before))
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
    feed: list["FeedResult"] | None = None,
) -> WorkProgress:
    """A dated progress update, optionally with a photo; the work's progress and status follow the
    latest update. When the work becomes done (or stops being done) the value it feeds is
    recomputed; a refusal there is reported in ``feed`` and never undoes the update."""
    require(user, Action.EDIT_DATA, work.unit)
    before = feed_state(work)
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
    _report(feed, feed_sync(user=user, work=work, before=before))
    return update


# --- finished works feed indicator data -------------------------------------------------------

# Stored with the value (data, not interface text): the commune's records are in Vietnamese.
FEED_NOTE = "Tự động từ {n} công trình đã hoàn thành"


@dataclass(frozen=True)
class FeedState:
    """What a work contributes to a value: only a done work counts."""

    family: CriteriaSet
    code: str
    done: bool
    year: int
    quantity: Decimal | None


@dataclass(frozen=True)
class FeedResult:
    """One recomputed value: recorded, or refused with the reason (already translated)."""

    code: str
    period: str
    value: Decimal
    works: int
    error: str = ""
    unfinished: bool = False  # recomputed because a work is no longer done

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def message(self) -> str:
        if self.error:
            return _(
                "%(code)s for %(period)s was not updated from the finished works "
                "(%(value)s from %(n)d works): %(reason)s"
            ) % {
                "code": self.code,
                "period": self.period,
                "value": _number(self.value),
                "n": self.works,
                "reason": self.error,
            }
        if self.unfinished:
            return _(
                "The work no longer counts as finished: %(code)s for %(period)s is now "
                "%(value)s (from %(n)d finished works)."
            ) % {
                "code": self.code,
                "period": self.period,
                "value": _number(self.value),
                "n": self.works,
            }
        return _("%(code)s for %(period)s is now %(value)s (from %(n)d finished works).") % {
            "code": self.code,
            "period": self.period,
            "value": _number(self.value),
            "n": self.works,
        }


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _report(out: list[FeedResult] | None, results: list[FeedResult]) -> None:
    if out is not None:
        out.extend(results)


def feed_state(work: Work) -> FeedState | None:
    if work.feeds_set_id is None or not work.feeds_code:
        return None
    assert work.feeds_set is not None
    return FeedState(
        family=work.feeds_set,
        code=work.feeds_code,
        done=work.status == Work.Status.DONE,
        year=work.feed_year,
        quantity=work.quantity,
    )


def feed_sync(*, user: Any, work: Work, before: FeedState | None) -> list[FeedResult]:
    """Recompute the values a change of this work touches (before and after the change)."""
    after = feed_state(work)
    if before == after:
        return []
    touched: dict[tuple[int, str], int] = {}
    families: dict[int, CriteriaSet] = {}
    for state in (before, after):
        if state is not None and state.done:
            key = (state.family.pk, state.code)
            touched[key] = min(touched.get(key, state.year), state.year)
            families[state.family.pk] = state.family
    unfinished = bool(before and before.done) and not (after and after.done)
    commune = commune_of(work.unit)
    results: list[FeedResult] = []
    for (family_id, code), year in sorted(touched.items()):
        results += feed_recompute(
            user=user,
            commune=commune,
            family=families[family_id],
            code=code,
            from_year=year,
            unfinished=unfinished,
        )
    return results


def feed_recompute(
    *,
    user: Any,
    commune: AdminUnit,
    family: CriteriaSet,
    code: str,
    from_year: int,
    unfinished: bool = False,
) -> list[FeedResult]:
    """Record, for the commune, the quantities of all its done works feeding ``code`` finished
    up to each year: the year ``from_year`` and every later year in which such a work finished
    (so later totals stay consistent). Each value goes through ``value_record`` (hence
    ``value_set`` and the results' refresh) in a savepoint: a refusal (lock, approved value,
    kind, permission) is returned, never raised."""

    done = [
        (finish.year if finish else year, quantity or Decimal(0))
        for quantity, finish, year in Work.objects.filter(
            unit__path__startswith=commune.path,
            status=Work.Status.DONE,
            feeds_set=family,
            feeds_code=code,
        ).values_list("quantity", "finish", "year")
    ]
    years = sorted({from_year} | {y for y, _q in done if y > from_year})
    results = []
    for year in years:
        counted = [q for y, q in done if y <= year]
        total = sum(counted, Decimal(0))
        error = ""
        try:
            with transaction.atomic():
                value_record(
                    user=user,
                    unit=commune,
                    criteria_set=family,
                    code=code,
                    period=str(year),
                    value=Decimal(total),
                    note=FEED_NOTE.format(n=len(counted)),
                )
        except DataError as exc:
            error = str(exc)
        except (PermissionDenied, Http404):
            error = _(
                "you may not record %(commune)s's data; a commune official can update it from "
                "the work's page."
            ) % {"commune": commune.name}
        results.append(
            FeedResult(
                code=code,
                period=str(year),
                value=total,
                works=len(counted),
                error=error,
                unfinished=unfinished,
            )
        )
    return results


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


@transaction.atomic
def work_feed_refresh(*, user: Any, work: Work) -> list[FeedResult]:
    """Record again the value a done work feeds (e.g. after a village head finished it, or after
    a lock was lifted). Needs the right to edit the commune's data."""
    commune = commune_of(work.unit)
    require(user, Action.EDIT_DATA, commune)
    state = feed_state(work)
    if state is None or not state.done:
        raise FinanceError(_("Only a finished work that feeds a value can update it."))
    return feed_recompute(
        user=user, commune=commune, family=state.family, code=state.code, from_year=state.year
    )


@transaction.atomic
def work_transfer(*, user: Any, work: Work, to: AdminUnit) -> Work:
    """A merged commune takes over an unfinished work of a unit that ended: the work moves to
    ``to`` (the successor commune, or the village that continues under it) with its progress,
    photos and money, and keeps where it came from. A finished work stays: its quantity
    already counts for the commune that built it."""
    require(user, Action.EDIT_DATA, to)
    work = Work.objects.select_for_update().select_related("unit").get(pk=work.pk)
    if work.status == Work.Status.DONE:
        raise FinanceError(_("A finished work stays with the unit that built it."), "unit")
    if work.unit.valid_to is None:
        raise FinanceError(_("This work's unit has not ended: nothing to take over."), "unit")
    if Work.objects.filter(unit=to, year=work.year, name=work.name).exists():
        raise FinanceError(_("This unit already has a work of that name for the year."), "name")
    work.transferred_from = work.unit
    work.transferred_on = timezone.localdate()
    work.unit = to
    work.save(update_fields=["unit", "transferred_from", "transferred_on"])
    return work
