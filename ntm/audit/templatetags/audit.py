"""The "change history" link on other apps' pages, for those who may read the log."""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from ntm.accounts.permissions import Action, can
from ntm.geo.models import AdminUnit

register = template.Library()


@register.simple_tag(takes_context=True)
def history_url(context: Any, unit: AdminUnit, kind: str = "", object_id: int | None = None) -> str:
    """The activity log of the unit (one object's, with kind and id); "" when the user may
    not read it."""
    if not can(context["request"].user, Action.APPROVE_DATA, unit):
        return ""
    query = urlencode({"kind": kind, "object": object_id or ""}) if kind else ""
    return reverse("audit:activity", args=[unit.pk]) + (f"?{query}" if query else "")
