"""Citizen feedback on other apps' pages (the unit page of geo)."""

from collections.abc import Sequence

from django import template

from ntm.geo.models import AdminUnit, Succession
from ntm.portal.selectors import feedback_waiting, predecessor_feedback

register = template.Library()


@register.simple_tag
def inherited_feedback(successions: Sequence[Succession]) -> list[tuple[AdminUnit, int]]:
    """Messages the predecessors had not yet moderated, per predecessor."""
    return predecessor_feedback([s.predecessor for s in successions])


@register.simple_tag
def feedback_waiting_of(unit: AdminUnit) -> int:
    return feedback_waiting(unit)
