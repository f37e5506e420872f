"""Recognition on other apps' pages (the set result page of evaluation)."""

from collections.abc import Sequence
from typing import Any

from django import template

from ntm.geo.models import AdminUnit, Succession
from ntm.recognition.models import Dossier, Recognition
from ntm.recognition.selectors import (
    Inherited,
    SurveyProgress,
    dossiers_in_progress,
    latest_recognition,
    predecessor_recognition,
    surveys_to_enter,
)
from ntm.recognition.services import may_handle_ballots

register = template.Library()


@register.simple_tag
def recognition_of(unit: AdminUnit, set_code: str) -> Recognition | None:
    return latest_recognition(unit, set_code)


@register.simple_tag
def inherited_recognition(successions: Sequence[Succession]) -> Inherited:
    """The predecessors' surveys and dossiers still in progress."""
    return predecessor_recognition([s.predecessor for s in successions])


@register.simple_tag
def ballots_to_enter_of(unit: AdminUnit, user: Any) -> list[SurveyProgress]:
    """For those who enter ballots (the Front, auditors): surveys with households left."""
    return surveys_to_enter(unit) if may_handle_ballots(user, unit) else []


@register.simple_tag
def recognised_among(rows: Sequence[Any], set_code: str) -> set[int]:
    """Ids of the rows' units recognised under the set (one query): the revocation warning of
    18/2022 concerns them only."""
    ids = [row.unit.pk for row in rows]
    return set(
        Recognition.objects.filter(unit_id__in=ids, set_code=set_code).values_list(
            "unit_id", flat=True
        )
    )


@register.simple_tag
def dossiers_of(unit: AdminUnit) -> list[Dossier]:
    return dossiers_in_progress(unit)
