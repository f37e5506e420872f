"""Writes of the accounts app: carrying people across a merger.

When communes and provinces merged on 1/7/2025 their officials kept working, now for the
successor. Their memberships on the ended units stay as history; the carry-over gives each of
them the same role (and assigned fields) on the successor, after a preview that says who gets
what and why someone is left out.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from ntm.accounts.models import Membership, Role
from ntm.geo.models import AdminUnit, Succession


class CarryStatus(StrEnum):
    NEW = "new"  # will be (or was) created
    EXISTS = "exists"  # the person already holds this role on the successor
    SKIPPED = "skipped"  # not carried, with a reason


@dataclass(frozen=True)
class CarryRow:
    membership: Membership
    succession: Succession
    status: CarryStatus
    reason: str = ""

    @property
    def successor(self) -> AdminUnit:
        return self.succession.successor

    @property
    def predecessor(self) -> AdminUnit:
        return self.succession.predecessor


def _successions_into(unit: AdminUnit) -> list[Succession]:
    """Successions whose successor is the unit or lies below it (a province carries its
    communes and villages too)."""
    return list(
        Succession.objects.filter(successor__path__startswith=unit.path)
        .select_related("predecessor", "successor", "successor__parent")
        .order_by("successor__level", "successor__code", "predecessor__code")
    )


def _skip_reason(membership: Membership, succession: Succession) -> str:
    if membership.role == Role.SYSTEM_ADMIN:
        return str(_("a system role, not tied to a unit"))
    if not membership.user.is_active:
        return str(_("the account is inactive"))
    if succession.kind == Succession.Kind.SPLIT:
        return str(_("the unit was split: assign people to each part by hand"))
    if succession.successor.level != succession.predecessor.level:
        return str(_("the successor is of another level"))
    if not succession.successor.is_current:
        return str(_("the successor has ended too"))
    return ""


def carry_over_preview(unit: AdminUnit) -> list[CarryRow]:
    """What carrying the memberships of the unit's predecessors (and those of units below it)
    would do. Reads only; a fixed number of queries."""
    successions = _successions_into(unit)
    if not successions:
        return []
    by_predecessor: dict[int, list[Succession]] = {}
    for succession in successions:
        by_predecessor.setdefault(succession.predecessor_id, []).append(succession)
    memberships = list(
        Membership.objects.filter(unit_id__in=list(by_predecessor))
        .select_related("user", "unit")
        .order_by("unit__level", "unit__code", "user__username", "role")
    )
    existing = set(
        Membership.objects.filter(
            unit_id__in={s.successor_id for s in successions},
            user_id__in={m.user_id for m in memberships},
        ).values_list("user_id", "unit_id", "role")
    )
    rows: list[CarryRow] = []
    for membership in memberships:
        for succession in by_predecessor[membership.unit_id]:
            reason = _skip_reason(membership, succession)
            if reason:
                status = CarryStatus.SKIPPED
            elif (membership.user_id, succession.successor_id, membership.role) in existing:
                status = CarryStatus.EXISTS
            else:
                status = CarryStatus.NEW
            rows.append(CarryRow(membership, succession, status, reason))
    return rows


@transaction.atomic
def memberships_carry_over(
    *, unit: AdminUnit, actor: Any | None, dry_run: bool = False
) -> list[CarryRow]:
    """Give every person of a predecessor the same role and fields on its successor.

    Idempotent (a second run finds every row ``exists``); the predecessors' memberships stay,
    so their pages keep showing who served there.
    """
    rows = carry_over_preview(unit)
    if dry_run:
        return rows
    # Two predecessors of one successor may give one person the same role twice: one
    # membership, with the fields of both.
    planned: dict[tuple[int, int, str], Membership] = {}
    for row in _new(rows):
        key = (row.membership.user_id, row.successor.pk, row.membership.role)
        membership = planned.get(key)
        if membership is None:
            planned[key] = Membership(
                user=row.membership.user,
                unit=row.successor,
                role=row.membership.role,
                fields=list(row.membership.fields),
            )
        else:
            membership.fields += [f for f in row.membership.fields if f not in membership.fields]
    for membership in planned.values():
        membership._history_user = actor  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                membership.save()
        except IntegrityError:
            pass  # another administrator carried the same role at the same moment
    return rows


def _new(rows: Iterable[CarryRow]) -> list[CarryRow]:
    return [r for r in rows if r.status == CarryStatus.NEW]
