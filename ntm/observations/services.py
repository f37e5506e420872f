"""Writes on indicator data. Web forms, the import, the API and commands all come through here."""

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.accounts.models import Role
from ntm.accounts.permissions import ROLE_ACTIONS, Action, can, memberships_of, require
from ntm.catalog.models import CriteriaSet, DataElement, Indicator
from ntm.catalog.selectors import applicable_set
from ntm.core.uploads import DOCUMENTS, UploadError, check_upload
from ntm.engine.model import Kind, Value
from ntm.engine.periods import Period, parse_period
from ntm.engine.values import ValueError_, check_number, format_value, parse_value
from ntm.geo.models import AdminUnit, Level
from ntm.geo.services import units_lock
from ntm.observations.models import (
    DataValue,
    Evidence,
    InputStamp,
    PeriodLock,
    ValueComment,
    ValueSource,
    ValueStatus,
)


class DataError(ValueError):
    """A refused write, with a message for people (already translated)."""


class StaleValue(DataError):
    """Someone changed the value after the person's copy was read: their save would silently
    undo it. ``current`` is the value as it is now (None: it was deleted)."""

    def __init__(self, message: str, current: "DataValue | None"):
        super().__init__(message)
        self.current = current


def version_of(record: "DataValue | None") -> str:
    """What a form or an API client sends back as ``based_on``: the value's last change ("" for
    no value yet)."""
    return record.updated_at.isoformat() if record is not None and record.pk else ""


def _same_version(existing: "DataValue | None", based_on: str) -> bool:
    text = based_on.strip()
    if not text or text.lower() == "none":  # read when there was no value yet
        return existing is None
    try:
        read = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise DataError(
            _("“%(text)s” is not the date and time the value was read (ISO 8601).")
            % {"text": text[:40]}
        ) from exc
    if timezone.is_naive(read):
        read = timezone.make_aware(read, dt.UTC)
    # To the millisecond: the API writes times with milliseconds (JSON), forms with microseconds.
    return existing is not None and _ms(existing.updated_at) == _ms(read)


def _ms(moment: dt.datetime) -> dt.datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _stale_message(current: "DataValue | None") -> str:
    if current is None:
        return _("Someone deleted this value after you read it.")
    who = current.updated_by
    name = (who.get_full_name() or who.get_username()) if who is not None else _("someone")
    return _("%(who)s changed this value to %(value)s at %(time)s, after you read it.") % {
        "who": name,
        "value": current.text,
        "time": timezone.localtime(current.updated_at).strftime("%H:%M %d/%m/%Y"),
    }


def value_message(error: ValueError_) -> str:
    messages = {
        "empty": _("Enter a value."),
        "not_a_number": _("“%(value)s” is not a number."),
        "too_large": _("“%(value)s” is too large."),
        "out_of_range": _("A percentage is between %(low)s and %(high)s; “%(value)s” is not."),
        "negative": _("The value cannot be negative (“%(value)s”)."),
        "not_whole": _("A count is a whole number; “%(value)s” is not."),
        "not_pass_fail": _("Enter “đạt” or “không đạt” (“%(value)s” is neither)."),
        "unknown_level": _("“%(value)s” is not one of the levels: %(levels)s."),
    }
    return messages.get(error.code, error.code) % error.params


@dataclass(frozen=True)
class Target:
    """What a code means in a set: an indicator or a data element, its kind and levels."""

    code: str
    kind: Kind
    levels: tuple[str, ...]
    field: str  # the criterion's field of work ("" for data elements)
    indicator: Indicator | None


def resolve_target(variant: CriteriaSet, code: str) -> Target:
    indicator = (
        Indicator.objects.select_related("criterion")
        .filter(criteria_set=variant, code=code)
        .first()
    )
    if indicator is not None:
        return Target(
            code,
            Kind(indicator.kind),
            tuple(indicator.levels),
            indicator.criterion.field,
            indicator,
        )
    element = DataElement.objects.filter(criteria_set=variant, code=code).first()
    if element is not None:
        return Target(code, Kind(element.kind), (), "", None)
    raise DataError(
        _("“%(code)s” is neither an indicator nor a data element of %(set)s.")
        % {"code": code, "set": variant.code}
    )


def check_can_edit(user: Any, unit: AdminUnit, target: Target) -> None:
    require(user, Action.EDIT_DATA, unit)
    # A specialist official edits only the criteria of their assigned fields, unless another
    # role of theirs on this unit allows more.
    roles = {
        m.role
        for m in memberships_of(user)
        if unit.is_in_subtree_of(m.unit) and Action.EDIT_DATA in ROLE_ACTIONS[m.role]
    }
    if roles == {Role.SPECIALIST} and target.field:
        fields = {
            f
            for m in memberships_of(user)
            if m.role == Role.SPECIALIST and unit.is_in_subtree_of(m.unit)
            for f in m.fields
        }
        if target.field not in fields:
            raise DataError(_("This indicator belongs to another official's field."))


def locked_reason(unit: AdminUnit, period: Period) -> str | None:
    """A lock on the unit or an ancestor for this period or the year/half containing it."""
    ancestors = [*unit.ancestor_ids, unit.pk]
    containing = {period.code, str(period.year)}
    if period.kind.value == "quarter":
        containing.add(f"{period.year}H{1 if period.end.month <= 6 else 2}")
    lock = PeriodLock.objects.filter(unit_id__in=ancestors, period__in=containing).first()
    if lock is None:
        return None
    return _("Period %(period)s is locked for %(unit)s") % {
        "period": lock.period,
        "unit": lock.unit.name,
    } + (f": {lock.reason}" if lock.reason else "")


def _check_set(unit: AdminUnit, family: CriteriaSet, period: Period) -> CriteriaSet:
    if family.localises is not None:
        raise DataError(
            _("Record values against the national set %(code)s.") % {"code": family.localises.code}
        )
    if family.province is not None and not unit.is_in_subtree_of(family.province):
        raise DataError(
            _("%(set)s is %(province)s's own set.")
            % {"set": family.code, "province": family.province.name}
        )
    wanted = Level.VILLAGE if family.level == "village" else Level.COMMUNE
    if unit.level != wanted:
        raise DataError(
            _("%(set)s applies to %(level)s units, not to %(unit)s.")
            % {"set": family.code, "level": Level(wanted).label, "unit": unit.name}
        )
    if (family.valid_to and period.start > family.valid_to) or (
        family.valid_from and period.end < family.valid_from
    ):
        raise DataError(
            _("%(set)s is not in force in %(period)s.")
            % {"set": family.code, "period": period.code}
        )
    if not unit.is_valid_on(period.start) and not unit.is_valid_on(period.end):
        raise DataError(
            _("%(unit)s did not exist in %(period)s.") % {"unit": unit.name, "period": period.code}
        )
    return applicable_set(family, unit)


def _apply(value: DataValue, typed: Value) -> None:
    value.text = format_value(typed)
    value.number = typed if isinstance(typed, Decimal) else None
    value.flag = typed if isinstance(typed, bool) else None


@transaction.atomic
def value_set(
    *,
    user: Any,
    unit: AdminUnit,
    criteria_set: CriteriaSet,
    code: str,
    period: str,
    value: str | Value,
    note: str = "",
    source: str = ValueSource.ENTERED,
    based_on: str | None = None,
) -> tuple[DataValue, bool]:
    """Record a value; returns (value, changed). Validates kind, range, scope and locks.

    ``based_on`` is the ``version_of`` the value the person read (a form's hidden field, an
    API client's ``updated_at``): when the value changed since, the save is refused with
    ``StaleValue`` instead of silently undoing the other person's change. None: no check
    (imports, commands, the demo).

    Results are not refreshed here: callers use ``evaluation.actions.value_record``. The unit
    is locked until the transaction ends, so two saves of one unit (and their refreshes) run
    one after the other instead of colliding."""
    try:
        parsed_period = parse_period(str(period))
    except ValueError as exc:
        raise DataError(
            _("“%(period)s” is not a period (2024, 2024H1, 2024Q1).") % {"period": period}
        ) from exc
    variant = _check_set(unit, criteria_set, parsed_period)
    target = resolve_target(variant, code)
    check_can_edit(user, unit, target)
    reason = locked_reason(unit, parsed_period)
    if reason:
        raise DataError(reason)
    if isinstance(value, (bool, Decimal)):
        typed: Value = value
        if isinstance(value, Decimal):
            try:
                typed = check_number(value, target.kind)
            except ValueError_ as exc:
                raise DataError(value_message(exc)) from exc
    else:
        try:
            typed = parse_value(str(value), target.kind, target.levels)
        except ValueError_ as exc:
            raise DataError(value_message(exc)) from exc
    units_lock([unit.pk])
    existing = DataValue.objects.filter(
        unit=unit, criteria_set=criteria_set, code=code, period=parsed_period.code
    ).first()
    # Saving what is already there is no conflict.
    if (
        based_on is not None
        and not _same_version(existing, based_on)
        and (existing is None or existing.text != format_value(typed))
    ):
        raise StaleValue(_stale_message(existing), existing)
    if existing is not None and existing.is_locked:
        raise DataError(
            _(
                "The value of %(code)s for %(period)s is approved and locked; reopen it "
                "with a reason first."
            )
            % {"code": code, "period": parsed_period.code}
        )
    record = existing or DataValue(
        unit=unit,
        criteria_set=criteria_set,
        code=code,
        period=parsed_period.code,
        period_end=parsed_period.end,
    )
    before = (record.text, record.note, record.source)
    _apply(record, typed)
    record.note = note.strip() if note is not None else record.note
    record.source = source
    if existing is not None and (record.text, record.note, record.source) == before:
        return record, False
    record.updated_by = user if getattr(user, "is_authenticated", False) else None
    record.status = ValueStatus.DRAFT
    record._history_user = record.updated_by  # type: ignore[attr-defined]
    record.save()
    stamp_bump(unit_id=unit.pk, criteria_set_id=criteria_set.pk)
    return record, True


def stamp_bump(*, unit_id: int, criteria_set_id: int) -> None:
    """Note that the unit's values for the set changed (see ``InputStamp``). Called with the
    unit locked (``units_lock``) by every write of values, so the create cannot race."""
    bumped = InputStamp.objects.filter(unit_id=unit_id, criteria_set_id=criteria_set_id).update(
        version=F("version") + 1
    )
    if not bumped:
        InputStamp.objects.create(unit_id=unit_id, criteria_set_id=criteria_set_id, version=1)


def _transition(
    user: Any, value: DataValue, action: Action, status: str, reason: str = ""
) -> DataValue:
    require(user, action, value.unit)
    crosses = ValueStatus.APPROVED in (value.status, status)
    value.status = status
    if status == ValueStatus.APPROVED:
        value.approved_by, value.approved_at = user, timezone.now()
    value._history_user = user  # type: ignore[attr-defined]
    value._change_reason = reason  # type: ignore[attr-defined]
    if crosses:
        # Approving or reopening changes the approved count: the results' inputs changed.
        units_lock([value.unit_id])
    value.save()
    if crosses:
        stamp_bump(unit_id=value.unit_id, criteria_set_id=value.criteria_set_id)
    return value


@transaction.atomic
def value_submit(*, user: Any, value: DataValue) -> DataValue:
    if value.status != ValueStatus.DRAFT:
        raise DataError(_("Only a draft can be submitted."))
    _check_field(user, value)
    return _transition(user, value, Action.EDIT_DATA, ValueStatus.SUBMITTED)


def _check_field(user: Any, value: DataValue) -> None:
    """Submitting a value or attaching its evidence is editing it: a specialist official does
    it only in their fields (``check_can_edit``)."""
    target = resolve_target(applicable_set(value.criteria_set, value.unit), value.code)
    check_can_edit(user, value.unit, target)


@transaction.atomic
def value_approve(*, user: Any, value: DataValue) -> DataValue:
    if value.status == ValueStatus.APPROVED:
        raise DataError(_("The value is already approved."))
    return _transition(user, value, Action.APPROVE_DATA, ValueStatus.APPROVED)


@transaction.atomic
def value_reopen(*, user: Any, value: DataValue, reason: str) -> DataValue:
    if value.status != ValueStatus.APPROVED:
        raise DataError(_("Only an approved value is reopened."))
    if not reason.strip():
        raise DataError(_("Say why the approved value is reopened."))
    reason_text = locked_reason(value.unit, parse_period(value.period))
    if reason_text:
        raise DataError(reason_text)
    ValueComment.objects.create(value=value, author=user, text=_("Reopened: %s") % reason.strip())
    return _transition(user, value, Action.APPROVE_DATA, ValueStatus.DRAFT, reason.strip())


@dataclass
class Batch:
    """What a whole period's submission or approval did."""

    done: int = 0
    skipped: int = 0  # values of fields the person does not answer for


@transaction.atomic
def values_submit(*, user: Any, unit: AdminUnit, criteria_set: CriteriaSet, period: str) -> Batch:
    """Submit every draft of the unit's period for approval (a specialist official: those of
    their fields; the others are counted as skipped)."""
    require(user, Action.EDIT_DATA, unit)
    batch = Batch()
    applied = applicable_set(criteria_set, unit)
    drafts = DataValue.objects.filter(
        unit=unit, criteria_set=criteria_set, period=period, status=ValueStatus.DRAFT
    ).order_by("code")
    for value in drafts.select_for_update():
        try:
            check_can_edit(user, unit, resolve_target(applied, value.code))
        except DataError:
            batch.skipped += 1
            continue
        _transition(user, value, Action.EDIT_DATA, ValueStatus.SUBMITTED)
        batch.done += 1
    return batch


@transaction.atomic
def values_approve(*, user: Any, unit: AdminUnit, criteria_set: CriteriaSet, period: str) -> Batch:
    """Approve and lock every submitted value of the unit's period (drafts stay drafts: the
    commune decides when a value is ready). One stamp bump for the lot."""
    require(user, Action.APPROVE_DATA, unit)
    units_lock([unit.pk])
    now = timezone.now()
    batch = Batch()
    waiting = DataValue.objects.filter(
        unit=unit, criteria_set=criteria_set, period=period, status=ValueStatus.SUBMITTED
    ).order_by("code")
    for value in waiting.select_for_update():
        value.status = ValueStatus.APPROVED
        value.approved_by, value.approved_at = user, now
        value._history_user = user  # type: ignore[attr-defined]
        value.save()
        batch.done += 1
    if batch.done:
        stamp_bump(unit_id=unit.pk, criteria_set_id=criteria_set.pk)
    return batch


@transaction.atomic
def value_clear(*, user: Any, value: DataValue) -> None:
    target = resolve_target(applicable_set(value.criteria_set, value.unit), value.code)
    check_can_edit(user, value.unit, target)
    if value.is_locked:
        raise DataError(_("An approved value cannot be deleted."))
    reason = locked_reason(value.unit, parse_period(value.period))
    if reason:
        raise DataError(reason)
    units_lock([value.unit_id])
    value._history_user = user  # type: ignore[attr-defined]
    value.delete()
    stamp_bump(unit_id=value.unit_id, criteria_set_id=value.criteria_set_id)


@transaction.atomic
def comment_add(*, user: Any, value: DataValue, text: str) -> ValueComment:
    if not (
        can(user, Action.EDIT_DATA, value.unit)
        or can(user, Action.SUPERVISE, value.unit)
        or can(user, Action.APPRAISE, value.unit)
    ):
        require(user, Action.EDIT_DATA, value.unit)
    if not text.strip():
        raise DataError(_("Write the comment."))
    return ValueComment.objects.create(value=value, author=user, text=text.strip()[:4000])


MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


@transaction.atomic
def evidence_add(*, user: Any, value: DataValue, name: str, content: bytes) -> Evidence:
    """Attach a file; its type is judged by extension *and* content, its size is capped."""
    require(user, Action.EDIT_DATA, value.unit)
    _check_field(user, value)
    try:
        checked = check_upload(name, content, allowed=DOCUMENTS, max_bytes=MAX_EVIDENCE_BYTES)
    except UploadError as exc:
        raise DataError(str(exc)) from exc
    digest = hashlib.sha256(content).hexdigest()
    evidence = Evidence(
        value=value,
        original_name=checked.name,
        content_type=checked.content_type,
        size=len(content),
        sha256=digest,
        uploaded_by=user,
    )
    evidence.file.save(digest, ContentFile(content), save=False)
    evidence.save()
    return evidence


@transaction.atomic
def period_lock(*, user: Any, unit: AdminUnit, period: str, reason: str = "") -> PeriodLock:
    require(user, Action.APPROVE_DATA, unit)
    code = parse_period(period).code
    lock, _created = PeriodLock.objects.get_or_create(
        unit=unit, period=code, defaults={"locked_by": user, "reason": reason.strip()}
    )
    return lock


@transaction.atomic
def period_unlock(*, user: Any, lock: PeriodLock) -> None:
    require(user, Action.APPROVE_DATA, lock.unit)
    lock.delete()
