"""Citizen feedback on other apps' pages (the unit page of geo)."""

from collections.abc import Sequence
from typing import Any

from django import template

from ntm.geo.models import AdminUnit, Succession
from ntm.portal.selectors import feedback_waiting, predecessor_feedback
from ntm.portal.services import can_moderate

register = template.Library()


@register.simple_tag
def inherited_feedback(successions: Sequence[Succession]) -> list[tuple[AdminUnit, int]]:
    """Messages the predecessors had not yet moderated, per predecessor."""
    return predecessor_feedback([s.predecessor for s in successions])


@register.simple_tag
def feedback_waiting_of(unit: AdminUnit, user: Any) -> int:
    """Messages waiting for those who moderate them (0 for others: not their task)."""
    return feedback_waiting(unit) if can_moderate(user, unit) else 0
