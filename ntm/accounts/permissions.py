"""The one permission service: who may do what, where.

A user acts only inside the subtrees of their memberships, and only as their role allows.
Every view and API endpoint asks here; nothing else decides access.
"""

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from ntm.accounts.models import Membership, Role
from ntm.geo.models import AdminUnit, AdminUnitQuerySet


class Action(StrEnum):
    VIEW = "view"  # non-public data of the unit
    EDIT_DATA = "edit_data"  # indicator values, plans, works
    APPROVE_DATA = "approve_data"  # approve and lock values, lock periods
    MANAGE_PLAN = "manage_plan"  # the unit's yearly plan: targets, tasks, snapshots
    MANAGE_UNITS = "manage_units"  # create and edit villages under a commune
    MANAGE_USERS = "manage_users"
    CONFIGURE_CRITERIA = "configure_criteria"  # localise thresholds of a criteria set
    APPRAISE = "appraise"
    SUPERVISE = "supervise"  # Fatherland Front: comments, surveys
    # Citizens' feedback: publish, answer, hide, and read the contacts people left. The
    # commune's management and the Front, not village heads or specialists.
    MODERATE = "moderate"
    # Names of households that did not consent to publication: those who record contributions.
    SEE_PRIVATE_NAMES = "see_private_names"


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.SYSTEM_ADMIN: frozenset(Action),
    Role.PROVINCE_ADMIN: frozenset(
        {
            Action.VIEW,
            Action.EDIT_DATA,
            Action.APPROVE_DATA,
            Action.MANAGE_PLAN,
            Action.MANAGE_UNITS,
            Action.MANAGE_USERS,
            Action.CONFIGURE_CRITERIA,
            Action.APPRAISE,
            Action.MODERATE,
            Action.SEE_PRIVATE_NAMES,
        }
    ),
    Role.PROVINCE_APPRAISER: frozenset({Action.VIEW, Action.APPRAISE}),
    Role.COMMUNE_MANAGER: frozenset(
        {
            Action.VIEW,
            Action.EDIT_DATA,
            Action.APPROVE_DATA,
            Action.MANAGE_PLAN,
            Action.MANAGE_UNITS,
            Action.MODERATE,
            Action.SEE_PRIVATE_NAMES,
        }
    ),
    Role.SPECIALIST: frozenset({Action.VIEW, Action.EDIT_DATA, Action.SEE_PRIVATE_NAMES}),
    Role.VILLAGE_HEAD: frozenset(
        {Action.VIEW, Action.EDIT_DATA, Action.MANAGE_PLAN, Action.SEE_PRIVATE_NAMES}
    ),
    Role.FATHERLAND_FRONT: frozenset({Action.VIEW, Action.SUPERVISE, Action.MODERATE}),
    Role.VIEWER: frozenset({Action.VIEW}),
}


def memberships_of(user: Any) -> list[Membership]:
    """The user's memberships, fetched once per user object (i.e. once per request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached: list[Membership] | None = getattr(user, "_ntm_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("unit"))
        user._ntm_memberships = cached
    return cached


def is_system_admin(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser) or any(m.role == Role.SYSTEM_ADMIN for m in memberships_of(user))


def can(user: Any, action: Action, unit: AdminUnit) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if is_system_admin(user):
        return True
    return any(
        action in ROLE_ACTIONS[m.role] and unit.is_in_subtree_of(m.unit)
        for m in memberships_of(user)
    )


def roles_at(user: Any, unit: AdminUnit) -> set[str]:
    """Roles the user holds over this unit (through it or any ancestor)."""
    if is_system_admin(user):
        return {Role.SYSTEM_ADMIN}
    return {m.role for m in memberships_of(user) if unit.is_in_subtree_of(m.unit)}


def scope_filter(user: Any, action: Action = Action.VIEW) -> Q | None:
    """A Q over AdminUnit limiting to units the user may act on; None means everything."""
    if is_system_admin(user):
        return None
    paths = [m.unit.path for m in memberships_of(user) if action in ROLE_ACTIONS[m.role]]
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path)
    return q


def visible_units(user: Any, qs: AdminUnitQuerySet | None = None) -> AdminUnitQuerySet:
    qs = qs if qs is not None else AdminUnit.objects.all()
    q = scope_filter(user)
    return qs if q is None else qs.filter(q)


def scope_roots(user: Any) -> list[AdminUnit]:
    """The top units of the user's subtrees (what their tree starts from)."""
    units = sorted({m.unit.pk: m.unit for m in memberships_of(user)}.values(), key=_path_key)
    roots: list[AdminUnit] = []
    for unit in units:
        if not any(unit.is_in_subtree_of(root) for root in roots):
            roots.append(unit)
    return roots


def browse_roots(user: Any) -> list[AdminUnit] | None:
    """Where the user's unit tree starts: None (every province) for a system admin, else the top
    units of their subtrees."""
    return None if is_system_admin(user) else scope_roots(user)


def _path_key(unit: AdminUnit) -> tuple[int, str]:
    return (unit.depth, unit.code)


def require(user: Any, action: Action, unit: AdminUnit) -> None:
    """Raise 404 when the unit is outside the user's view, 403 when seen but not allowed."""
    if can(user, action, unit):
        return
    if action != Action.VIEW and can(user, Action.VIEW, unit):
        raise PermissionDenied
    raise Http404


def unit_or_404(user: Any, unit_id: int, action: Action = Action.VIEW) -> AdminUnit:
    """The unit a page's URL names, when the user may do ``action`` there (404 outside their
    view, 403 without the right) — what every unit page starts with."""
    unit = AdminUnit.objects.select_related("parent").filter(pk=unit_id).first()
    # Without its path a subtree lookup below the unit would match every unit.
    if unit is None or not unit.path:
        raise Http404
    require(user, action, unit)
    return unit


def require_any(user: Any, action: Action, units: Iterable[AdminUnit]) -> None:
    if not any(can(user, action, u) for u in units):
        raise PermissionDenied
