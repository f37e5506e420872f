"""Writes on surveys and dossiers. Views, the demo and tests call these; each checks role and scope."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.accounts.models import Role
from ntm.accounts.permissions import Action, can, require, roles_at
from ntm.evaluation.actions import recognition_recorded
from ntm.geo.models import AdminUnit, Level
from ntm.recognition.models import (
    Ballot,
    Dossier,
    DossierEvent,
    Posting,
    Recognition,
    Rule,
    Step,
    Survey,
    SurveyQuestion,
    SurveyVillage,
    Workflow,
)
from ntm.recognition.selectors import step_blocker


class SurveyError(ValueError):
    pass


class DossierError(ValueError):
    pass


def _actor(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


# ---- surveys -------------------------------------------------------------------------------


def may_handle_ballots(user: Any, unit: AdminUnit) -> bool:
    """Ballots are personal data: only the Front (SUPERVISE) and auditors (APPRAISE) see them."""
    return can(user, Action.SUPERVISE, unit) or can(user, Action.APPRAISE, unit)


@transaction.atomic
def survey_create(
    *,
    user: Any,
    unit: AdminUnit,
    purpose: str,
    set_code: str,
    title: str,
    questions: list[str],
) -> Survey:
    require(user, Action.SUPERVISE, unit)
    if unit.level != Level.COMMUNE:
        raise SurveyError(_("A satisfaction survey belongs to a commune."))
    if not title.strip():
        raise SurveyError(_("Enter the survey's title."))
    texts = [q.strip() for q in questions if q.strip()]
    if not texts:
        raise SurveyError(_("Enter at least one question."))
    survey = Survey.objects.create(
        unit=unit, purpose=purpose, set_code=set_code, title=title.strip(), created_by=_actor(user)
    )
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(survey=survey, position=i, text=text) for i, text in enumerate(texts, 1)
    )
    return survey


def _survey_open(survey: Survey) -> None:
    if survey.ballots.exists():
        raise SurveyError(_("Ballots have been entered; the questions can no longer change."))


@transaction.atomic
def survey_question_add(
    *, user: Any, survey: Survey, text: str, position: int | None = None
) -> SurveyQuestion:
    require(user, Action.SUPERVISE, survey.unit)
    _survey_open(survey)
    if not text.strip():
        raise SurveyError(_("Enter the question."))
    if position is None:
        position = survey.questions.count() + 1
    return SurveyQuestion.objects.create(survey=survey, position=position, text=text.strip())


@transaction.atomic
def survey_village_set(
    *, user: Any, survey: Survey, village: AdminUnit, households: int
) -> SurveyVillage:
    require(user, Action.SUPERVISE, survey.unit)
    if village.level != Level.VILLAGE or not village.is_in_subtree_of(survey.unit):
        raise SurveyError(_("Choose a village of this commune."))
    if households < 1:
        raise SurveyError(_("Enter the number of households of the village."))
    row, _created = SurveyVillage.objects.update_or_create(
        survey=survey, village=village, defaults={"households": households}
    )
    return row


@transaction.atomic
def survey_threshold_set(
    *,
    user: Any,
    survey: Survey,
    required_share: Decimal | None,
    source: str,
    verified: bool,
) -> Survey:
    """The province (APPRAISE) sets the share required; the Front does not set its own bar."""
    require(user, Action.APPRAISE, survey.unit)
    if required_share is not None and not Decimal(0) < required_share <= Decimal(100):
        raise SurveyError(_("The required share is a percentage above 0 and at most 100."))
    if required_share is not None and not source.strip():
        raise SurveyError(_("Say where the required share comes from."))
    survey.required_share = required_share
    survey.threshold_source = source.strip()
    survey.threshold_verified = verified and required_share is not None
    survey.save(update_fields=["required_share", "threshold_source", "threshold_verified"])
    return survey


@transaction.atomic
def ballot_add(
    *,
    user: Any,
    survey: Survey,
    village: AdminUnit,
    household_code: str,
    answers: dict[int, bool],
) -> Ballot:
    if not may_handle_ballots(user, village):
        require(user, Action.VIEW, village)
        raise PermissionDenied
    code = household_code.strip()
    if not code:
        raise SurveyError(_("Enter the household code."))
    if not survey.villages.filter(village=village).exists():
        raise SurveyError(_("Enter the village's number of households on the survey first."))
    question_ids = list(survey.questions.values_list("pk", flat=True))
    if sorted(answers) != sorted(question_ids):
        raise SurveyError(_("Answer every question of the survey."))
    if Ballot.objects.filter(survey=survey, household_code=code).exists():
        raise SurveyError(
            _("Household %(code)s already has a ballot in this survey; a household votes once.")
            % {"code": code}
        )
    return Ballot.objects.create(
        survey=survey,
        village=village,
        household_code=code,
        answers={str(k): bool(v) for k, v in answers.items()},
        satisfied=all(answers.values()),
        entered_by=_actor(user),
    )


# ---- dossiers ------------------------------------------------------------------------------


def may_act(user: Any, unit: AdminUnit, role: str) -> bool:
    """The user holds the step's role over the unit; the province office may act for appraisers."""
    roles = roles_at(user, unit)
    return (
        Role.SYSTEM_ADMIN in roles
        or role in roles
        or (role == Role.PROVINCE_APPRAISER and Role.PROVINCE_ADMIN in roles)
    )


def _require_role(user: Any, unit: AdminUnit, roles: set[str]) -> None:
    require(user, Action.VIEW, unit)
    if not any(may_act(user, unit, role) for role in roles):
        raise PermissionDenied


def _state(dossier: Dossier) -> str:
    if dossier.status == Dossier.Status.RECOGNISED:
        return str(Dossier.Status.RECOGNISED.label)
    return dossier.step.name if dossier.step else ""


def _event(dossier: Dossier, user: Any, kind: str, before: str, note: str = "") -> DossierEvent:
    return DossierEvent.objects.create(
        dossier=dossier,
        user=_actor(user),
        kind=kind,
        from_state=before,
        to_state=_state(dossier),
        note=note,
    )


@transaction.atomic
def dossier_create(
    *,
    user: Any,
    unit: AdminUnit,
    set_code: str,
    workflow: Workflow,
    survey: Survey | None = None,
    today: dt.date | None = None,
) -> Dossier:
    require(user, Action.MANAGE_PLAN, unit)
    if unit.level != Level.COMMUNE:
        raise DossierError(_("A recognition dossier belongs to a commune."))
    first = workflow.steps.order_by("position").first()
    if first is None:
        raise DossierError(_("The workflow has no steps."))
    if survey is not None and survey.unit_id != unit.pk:
        raise DossierError(_("Choose a survey of this commune."))
    dossier = Dossier.objects.create(
        unit=unit,
        set_code=set_code,
        workflow=workflow,
        step=first,
        step_started_on=today or timezone.localdate(),
        survey=survey,
    )
    _event(dossier, user, "created", "", workflow.name)
    return dossier


def _steps_with(dossier: Dossier, rule: str) -> list[Step]:
    return [s for s in dossier.workflow.steps.all() if s.rule == rule]


def _require_recorder(user: Any, dossier: Dossier, rule: str) -> None:
    if dossier.status != Dossier.Status.IN_PROGRESS:
        require(user, Action.VIEW, dossier.unit)
        raise DossierError(_("The dossier is closed."))
    _require_role(user, dossier.unit, {s.role for s in _steps_with(dossier, rule)})


@transaction.atomic
def posting_add(*, user: Any, dossier: Dossier, place: str, date: dt.date) -> Posting:
    _require_recorder(user, dossier, Rule.POSTING)
    if not place.strip():
        raise DossierError(_("Enter where the report was posted."))
    posting = Posting.objects.create(dossier=dossier, place=place.strip(), date=date)
    _event(dossier, user, "posting", _state(dossier), f"{date.isoformat()} · {posting.place}")
    return posting


@transaction.atomic
def comments_record(*, user: Any, dossier: Dossier, received: int, answered: int) -> Dossier:
    _require_recorder(user, dossier, Rule.COMMENTS)
    if answered > received:
        raise DossierError(_("More comments answered than received."))
    dossier.comments_received, dossier.comments_answered = received, answered
    dossier.save(update_fields=["comments_received", "comments_answered"])
    _event(dossier, user, "comments", _state(dossier), f"{answered}/{received}")
    return dossier


@transaction.atomic
def survey_link(*, user: Any, dossier: Dossier, survey: Survey | None) -> Dossier:
    _require_recorder(user, dossier, Rule.SURVEY)
    if survey is not None and survey.unit_id != dossier.unit_id:
        raise DossierError(_("Choose a survey of this commune."))
    dossier.survey = survey
    dossier.save(update_fields=["survey"])
    _event(dossier, user, "survey", _state(dossier), survey.title if survey else "")
    return dossier


@transaction.atomic
def vote_record(
    *, user: Any, dossier: Dossier, votes_for: int, votes_against: int, total: int, date: dt.date
) -> Dossier:
    _require_recorder(user, dossier, Rule.VOTE)
    if votes_for + votes_against > total:
        raise DossierError(_("More votes than delegates present."))
    dossier.vote_for, dossier.vote_against, dossier.vote_total = votes_for, votes_against, total
    dossier.vote_date = date
    dossier.save(update_fields=["vote_for", "vote_against", "vote_total", "vote_date"])
    _event(dossier, user, "vote", _state(dossier), f"{votes_for}/{votes_against}/{total} · {date}")
    return dossier


@transaction.atomic
def appraisal_record(*, user: Any, dossier: Dossier, notes: str) -> Dossier:
    step = dossier.step
    if step is None or step.rule != Rule.APPRAISAL or dossier.status != Dossier.Status.IN_PROGRESS:
        require(user, Action.VIEW, dossier.unit)
        raise DossierError(_("The dossier is not at an appraisal step."))
    _require_role(user, dossier.unit, {step.role})
    dossier.appraisal_notes = {**dossier.appraisal_notes, step.code: notes.strip()}
    dossier.save(update_fields=["appraisal_notes"])
    _event(dossier, user, "appraisal", _state(dossier), notes.strip())
    return dossier


@transaction.atomic
def decision_record(*, user: Any, dossier: Dossier, number: str, date: dt.date) -> Dossier:
    _require_recorder(user, dossier, Rule.DECISION)
    dossier.decision_number, dossier.decision_date = number.strip(), date
    dossier.save(update_fields=["decision_number", "decision_date"])
    _event(dossier, user, "decision", _state(dossier), f"{dossier.decision_number} · {date}")
    return dossier


@transaction.atomic
def dossier_advance(
    *, user: Any, dossier: Dossier, note: str = "", today: dt.date | None = None
) -> Dossier:
    """Leave the current step after checking its role and rule; the last step ends in recognition."""
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("step", "unit", "workflow")
        .get(pk=dossier.pk)
    )
    step = dossier.step
    if step is None or dossier.status != Dossier.Status.IN_PROGRESS:
        require(user, Action.VIEW, dossier.unit)
        raise DossierError(_("The dossier is closed."))
    _require_role(user, dossier.unit, {step.role})
    reason = step_blocker(dossier)
    if reason:
        raise DossierError(reason)
    before = _state(dossier)
    following = (
        dossier.workflow.steps.filter(position__gt=step.position).order_by("position").first()
    )
    if following is None:
        dossier.status = Dossier.Status.RECOGNISED
        assert dossier.decision_date is not None
        Recognition.objects.create(
            unit=dossier.unit,
            set_code=dossier.set_code,
            dossier=dossier,
            decision_number=dossier.decision_number,
            decision_date=dossier.decision_date,
        )
        # The next set up asks for this recognition: its results change with it.
        recognition_recorded(unit=dossier.unit, set_code=dossier.set_code)
    else:
        dossier.step = following
    dossier.step_started_on = today or timezone.localdate()
    dossier.save(update_fields=["status", "step", "step_started_on"])
    _event(dossier, user, "advanced", before, note)
    return dossier
