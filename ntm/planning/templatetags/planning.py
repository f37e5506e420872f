"""Plans on other apps' pages (the unit page of geo)."""

from collections.abc import Sequence

from django import template

from ntm.geo.models import Succession
from ntm.planning.models import Task
from ntm.planning.selectors import predecessor_tasks

register = template.Library()


@register.simple_tag
def inherited_tasks(successions: Sequence[Succession]) -> tuple[list[Task], int]:
    """Unfinished tasks of the predecessors' plans (the first 20, and how many)."""
    return predecessor_tasks([s.predecessor for s in successions])
