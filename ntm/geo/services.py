"""Writes on administrative units. Web views, commands, importers and the demo all call these."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ntm.core.db import AmongIds
from ntm.geo.models import KIND_LEVEL, AdminUnit, Classification, Kind, Level, Succession


class UnitError(ValueError):
    pass


def units_lock(unit_ids: Iterable[int]) -> None:
    """Serialise the writes that change these units' data and results until the transaction
    ends: row locks taken in id order (so two lockers never deadlock). ``NO KEY UPDATE`` does
    not block rows that merely refer to the units. SQLite has one writer at a time anyway."""
    ids = sorted(set(unit_ids))
    if not ids or not connection.features.has_select_for_update:
        return
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        list(
            AdminUnit.objects.filter(AmongIds(F("pk"), chunk))
            .order_by("pk")
            .select_for_update(no_key=True)
            .values_list("pk", flat=True)
        )


def _with_path(unit: AdminUnit) -> AdminUnit:
    prefix = unit.parent.path if unit.parent_id and unit.parent else "."
    unit.path = f"{prefix}{unit.pk}."
    AdminUnit.objects.filter(pk=unit.pk).update(path=unit.path)
    return unit


@transaction.atomic
def unit_create(
    *,
    code: str,
    name: str,
    kind: str,
    parent: AdminUnit | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    region: str = "",
    is_demo: bool = False,
) -> AdminUnit:
    level = KIND_LEVEL[kind]
    if parent is not None and parent.level >= level:
        raise UnitError(
            _("A %(kind)s cannot sit under %(parent)s.")
            % {"kind": Kind(kind).label, "parent": parent}
        )
    if parent is None and level != Level.PROVINCE:
        raise UnitError(_("Only a province can have no parent unit."))
    unit = AdminUnit(
        code=code,
        name=name.strip(),
        kind=kind,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
        region=region,
        is_demo=is_demo,
    )
    unit.save()
    return _with_path(unit)


def _next_village_code(commune: AdminUnit) -> str:
    # Villages have no national code; they are numbered inside their commune ("07408.03").
    prefix = f"{commune.code}."
    existing = AdminUnit.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(c[len(prefix) :]) for c in existing if c[len(prefix) :].isdigit()]
    return f"{prefix}{(max(numbers) + 1) if numbers else 1:02d}"


@transaction.atomic
def village_create(
    *, commune: AdminUnit, name: str, kind: str = Kind.VILLAGE, is_demo: bool = False
) -> AdminUnit:
    """A commune user adds a village (thôn, bản, ấp, tổ dân phố) under their commune. The caller
    has checked MANAGE_UNITS on the commune (permissions sit above geo)."""
    if commune.level != Level.COMMUNE:
        raise UnitError(_("Villages are created under a commune or ward."))
    if not commune.is_current:
        raise UnitError(
            _("%(unit)s is no longer in force; add villages to its successor.") % {"unit": commune}
        )
    if KIND_LEVEL.get(kind) != Level.VILLAGE:
        raise UnitError(_("Choose a village kind."))
    name = " ".join(name.split())
    if not name:
        raise UnitError(_("Enter the village name."))
    if commune.children.current().filter(name__iexact=name).exists():
        raise UnitError(
            _("%(name)s already exists in %(commune)s.") % {"name": name, "commune": commune.name}
        )
    return unit_create(
        code=_next_village_code(commune),
        name=name,
        kind=kind,
        parent=commune,
        valid_from=dt.date.today() if not is_demo else None,
        is_demo=is_demo,
    )


@transaction.atomic
def unit_rename(*, unit: AdminUnit, name: str) -> AdminUnit:
    """The caller has checked MANAGE_UNITS on the village."""
    if unit.level != Level.VILLAGE:
        raise UnitError(_("Only villages are edited here; communes come from the national list."))
    name = " ".join(name.split())
    if not name:
        raise UnitError(_("Enter the village name."))
    unit.name = name
    unit.save()
    return unit


@transaction.atomic
def succession_record(
    *,
    predecessor: AdminUnit,
    successor: AdminUnit,
    effective_date: dt.date,
    kind: str = Succession.Kind.MERGED,
    legal_basis: str = "",
) -> tuple[Succession, bool]:
    """Idempotent: the same pair is stored once; a re-run updates kind, date and basis when they
    differ and otherwise writes nothing, not even history."""
    if predecessor.pk == successor.pk:
        raise UnitError(_("A unit cannot succeed itself."))
    values = {"kind": kind, "effective_date": effective_date, "legal_basis": legal_basis}
    succession, created = Succession.objects.select_for_update().get_or_create(
        predecessor=predecessor, successor=successor, defaults=values
    )
    changed = [name for name, value in values.items() if getattr(succession, name) != value]
    if not created and changed:
        for name in changed:
            setattr(succession, name, values[name])
        succession.save(update_fields=changed)
    return succession, created


@dataclass(frozen=True)
class SuccessionSpec:
    """One pair for ``successions_record_bulk``."""

    predecessor: AdminUnit
    successor: AdminUnit
    kind: str = Succession.Kind.MERGED


@transaction.atomic
def successions_record_bulk(
    *, pairs: list[SuccessionSpec], effective_date: dt.date, legal_basis: str = ""
) -> tuple[int, int]:
    """``succession_record`` for many pairs at once: (created, updated).

    One query reads the stored pairs of the given predecessors; new pairs are inserted and
    changed ones updated in bulk, each with its history row; a pair stored as it is is not
    written, not even history. A unit succeeding itself or a pair given twice refuses the lot
    before anything is written.
    """
    wanted: dict[tuple[int, int], SuccessionSpec] = {}
    for spec in pairs:
        if spec.predecessor.pk == spec.successor.pk:
            raise UnitError(_("A unit cannot succeed itself."))
        key = (spec.predecessor.pk, spec.successor.pk)
        if key in wanted:
            raise UnitError(
                _("%(old)s → %(new)s is given twice.")
                % {"old": spec.predecessor, "new": spec.successor}
            )
        wanted[key] = spec
    if not wanted:
        return 0, 0
    stored = {
        (s.predecessor_id, s.successor_id): s
        for s in Succession.objects.filter(predecessor_id__in={k[0] for k in wanted})
    }
    to_create: list[Succession] = []
    to_update: list[Succession] = []
    for key, spec in wanted.items():
        values = {"kind": spec.kind, "effective_date": effective_date, "legal_basis": legal_basis}
        succession = stored.get(key)
        if succession is None:
            to_create.append(
                Succession(predecessor=spec.predecessor, successor=spec.successor, **values)
            )
        elif any(getattr(succession, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(succession, name, value)
            to_update.append(succession)
    if to_create:
        bulk_create_with_history(to_create, Succession)
    if to_update:
        bulk_update_with_history(
            to_update, Succession, fields=["kind", "effective_date", "legal_basis"]
        )
    return len(to_create), len(to_update)


@transaction.atomic
def classification_set(
    *,
    unit: AdminUnit,
    kind: str,
    value: str,
    valid_from: dt.date,
    legal_basis: str = "",
) -> Classification:
    """Record a dated classification; the previous open one ends the day before. Thresholds
    depend on it: call ``evaluation.actions.classification_change``, which refreshes results."""
    if kind == Classification.Kind.COMMUNE_GROUP and value not in {"1", "2", "3"}:
        raise UnitError(_("The commune group is 1, 2 or 3."))
    if kind == Classification.Kind.ESPECIALLY_DIFFICULT and value not in {"yes", "no"}:
        raise UnitError(_("Especially difficult is yes or no."))
    previous = (
        Classification.objects.filter(unit=unit, kind=kind, valid_from__lt=valid_from)
        .filter(valid_to__isnull=True)
        .order_by("-valid_from")
        .first()
    )
    if previous is not None:
        previous.valid_to = valid_from - dt.timedelta(days=1)
        previous.save(update_fields=["valid_to"])
    following = (
        Classification.objects.filter(unit=unit, kind=kind, valid_from__gt=valid_from)
        .order_by("valid_from")
        .first()
    )
    valid_to = following.valid_from - dt.timedelta(days=1) if following else None
    obj, _created = Classification.objects.update_or_create(
        unit=unit,
        kind=kind,
        valid_from=valid_from,
        defaults={"value": value, "valid_to": valid_to, "legal_basis": legal_basis},
    )
    return obj


@transaction.atomic
def villages_transfer(
    *, predecessor: AdminUnit, successor: AdminUnit, effective_date: dt.date, legal_basis: str = ""
) -> list[AdminUnit]:
    """Villages of a commune that ended continue, as new versions, under its successor.

    The old versions keep their data and history; idempotent (a village already carried over
    is skipped).
    """
    moved: list[AdminUnit] = []
    day_before = effective_date - dt.timedelta(days=1)
    villages = predecessor.children.filter(level=Level.VILLAGE).filter(
        _not_ended_before(day_before)
    )
    for village in villages:
        if village.successions_out.exists():
            continue
        new = unit_create(
            code=village.code,
            name=village.name,
            kind=village.kind,
            parent=successor,
            valid_from=effective_date,
            is_demo=village.is_demo,
        )
        if village.valid_to is None or village.valid_to > day_before:
            village.valid_to = day_before
            village.save(update_fields=["valid_to"])
        succession_record(
            predecessor=village,
            successor=new,
            effective_date=effective_date,
            kind=Succession.Kind.TRANSFERRED,
            legal_basis=legal_basis,
        )
        moved.append(new)
    return moved


def _not_ended_before(day: dt.date) -> Q:
    return Q(valid_to__isnull=True) | Q(valid_to__gte=day)
