"""Plans on other apps' pages (the unit page of geo)."""

from collections.abc import Sequence

from django import template
from django.utils import timezone

from ntm.geo.models import AdminUnit, Succession
from ntm.planning.models import Task
from ntm.planning.selectors import TasksTodo, predecessor_tasks, tasks_todo

register = template.Library()


@register.simple_tag
def inherited_tasks(successions: Sequence[Succession]) -> tuple[list[Task], int]:
    """Unfinished tasks of the predecessors' plans (the first 20, and how many)."""
    return predecessor_tasks([s.predecessor for s in successions])


@register.simple_tag
def tasks_todo_of(unit: AdminUnit) -> TasksTodo:
    """Overdue and due-soon tasks (and obstacles raised to a province) for the home card."""
    return tasks_todo(unit, timezone.localdate())
