"""Links that respect the user's scope: an ancestor or successor the user cannot open is shown
as text, never as a link to a 404; an ended unit says what it became."""

from typing import Any

from django import template

from ntm.accounts.permissions import Action, can
from ntm.geo.models import AdminUnit

register = template.Library()


@register.inclusion_tag("accounts/_breadcrumb.html", takes_context=True)
def breadcrumb(
    context: dict[str, Any], unit: AdminUnit, ancestors: Any = None, link_self: bool = False
) -> dict[str, Any]:
    user = context["request"].user
    found = list(unit.ancestors() if ancestors is None else ancestors)
    return {
        "items": [(a, can(user, Action.VIEW, a)) for a in found],
        "unit": unit,
        "link_self": link_self,
    }


@register.inclusion_tag("accounts/_ended.html", takes_context=True)
def ended_notice(context: dict[str, Any], unit: Any) -> dict[str, Any]:
    """On every page of a unit that ended: since when, and what it became (one query)."""
    if not isinstance(unit, AdminUnit) or unit.valid_to is None:
        return {"unit": None}
    user = context["request"].user
    successions = unit.successions_out.select_related("successor").order_by("successor__name")
    return {
        "unit": unit,
        "successors": [(s.successor, can(user, Action.VIEW, s.successor)) for s in successions],
    }
