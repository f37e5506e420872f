"""Recognition on other apps' pages (the set result page of evaluation)."""

from collections.abc import Sequence

from django import template

from ntm.geo.models import AdminUnit, Succession
from ntm.recognition.models import Dossier, Recognition
from ntm.recognition.selectors import (
    Inherited,
    dossiers_in_progress,
    latest_recognition,
    predecessor_recognition,
)

register = template.Library()


@register.simple_tag
def recognition_of(unit: AdminUnit, set_code: str) -> Recognition | None:
    return latest_recognition(unit, set_code)


@register.simple_tag
def inherited_recognition(successions: Sequence[Succession]) -> Inherited:
    """The predecessors' surveys and dossiers still in progress."""
    return predecessor_recognition([s.predecessor for s in successions])


@register.simple_tag
def dossiers_of(unit: AdminUnit) -> list[Dossier]:
    return dossiers_in_progress(unit)
