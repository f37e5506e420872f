"""Reads for the survey, dossier and list pages, each in a fixed number of queries."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ntm.catalog.models import CriteriaSet
from ntm.core.db import AmongIds
from ntm.evaluation.models import SetResult
from ntm.geo.models import AdminUnit
from ntm.recognition.models import (
    Ballot,
    Dossier,
    DossierEvent,
    Posting,
    Recognition,
    Rule,
    Step,
    Survey,
    SurveyVillage,
)
from ntm.recognition.rules import SurveyTally, most_postings_within, percent


def survey_tally(survey: Survey) -> SurveyTally:
    households = survey.villages.aggregate(n=Sum("households"))["n"] or 0
    counts = survey.ballots.aggregate(n=Count("pk"), yes=Count("pk", filter=Q(satisfied=True)))
    return SurveyTally(households, counts["n"], counts["yes"], survey.required_share)


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f}"


def step_blocker(dossier: Dossier) -> str | None:
    """Why the current step may not be left yet; None when its rule holds."""
    step = dossier.step
    if step is None or dossier.status != Dossier.Status.IN_PROGRESS:
        return _("The dossier is closed.")
    if step.rule == Rule.POSTING:
        wf = dossier.workflow
        dates = list(dossier.postings.values_list("date", flat=True))
        n = most_postings_within(dates, wf.posting_within_days)
        if n < wf.posting_min_count:
            return _("Only %(n)d postings within %(days)d days; at least %(min)d are required.") % {
                "n": n,
                "days": wf.posting_within_days,
                "min": wf.posting_min_count,
            }
    elif step.rule == Rule.COMMENTS:
        if dossier.comments_received is None:
            return _("Enter the number of comments received.")
        if dossier.comments_answered < dossier.comments_received:
            return _("Only %(a)d of %(n)d comments answered.") % {
                "a": dossier.comments_answered,
                "n": dossier.comments_received,
            }
    elif step.rule == Rule.SURVEY:
        if dossier.survey is None:
            return _("No satisfaction survey is linked to the dossier.")
        tally = survey_tally(dossier.survey)
        share = tally.satisfied_share
        if tally.required_share is None:
            return _("No threshold set for the satisfied share.")
        if share is None:
            return _("No ballots entered yet.")
        if not tally.passes:
            return _(
                "The survey's satisfied share %(share)s%% is below the required %(req)s%%."
            ) % {
                "share": _pct(share),
                "req": _pct(tally.required_share),
            }
    elif step.rule == Rule.VOTE:
        if dossier.vote_for is None or not dossier.vote_total:
            return _("Record the meeting vote.")
        if dossier.vote_for * 2 <= dossier.vote_total:
            return _("The meeting did not vote in favour: %(f)d of %(t)d.") % {
                "f": dossier.vote_for,
                "t": dossier.vote_total,
            }
    elif step.rule == Rule.APPRAISAL:
        if not dossier.appraisal_notes.get(step.code):
            return _("Record the appraisal notes.")
    elif step.rule == Rule.DECISION and (
        not dossier.decision_number or dossier.decision_date is None
    ):
        return _("Record the decision number and date.")
    return None


@dataclass(frozen=True)
class VillageRow:
    village: AdminUnit
    households: int
    ballots: int
    satisfied: int

    @property
    def coverage(self) -> Decimal | None:
        return percent(self.ballots, self.households)

    @property
    def satisfied_share(self) -> Decimal | None:
        return percent(self.satisfied, self.ballots)


def survey_villages(survey: Survey) -> list[VillageRow]:
    """Aggregates per village: what the commune manager may see instead of the ballots."""
    counts: dict[int, tuple[int, int]] = {
        row["village"]: (row["n"], row["yes"])
        for row in survey.ballots.values("village").annotate(
            n=Count("pk"), yes=Count("pk", filter=Q(satisfied=True))
        )
    }
    return [
        VillageRow(v.village, v.households, *counts.get(v.village_id, (0, 0)))
        for v in survey.villages.select_related("village")
    ]


def latest_risk(unit: AdminUnit, set_code: str) -> SetResult | None:
    """The unit's latest approved result for the set, carrying the 18/2022 revocation risk."""
    return (
        SetResult.approved.filter(unit=unit, criteria_set__code=set_code)
        .order_by("-period_end")
        .first()
    )


@dataclass(frozen=True)
class DossierPage:
    steps: list[Step]
    postings: list[Posting]
    postings_in_window: int
    events: list[DossierEvent]
    tally: SurveyTally | None
    blocker: str | None
    due_on: dt.date | None
    recognition: Recognition | None
    result: SetResult | None


def dossier_page(dossier: Dossier) -> DossierPage:
    steps = list(dossier.workflow.steps.all())
    postings = list(dossier.postings.all())
    step = dossier.step
    in_progress = dossier.status == Dossier.Status.IN_PROGRESS
    return DossierPage(
        steps=steps,
        postings=postings,
        postings_in_window=most_postings_within(
            [p.date for p in postings], dossier.workflow.posting_within_days
        ),
        events=list(dossier.events.select_related("user").order_by("-at", "-pk")),
        tally=survey_tally(dossier.survey) if dossier.survey else None,
        blocker=step_blocker(dossier) if in_progress else None,
        due_on=(
            dossier.step_started_on + dt.timedelta(days=step.deadline_days)
            if in_progress and step and step.deadline_days
            else None
        ),
        recognition=Recognition.objects.filter(dossier=dossier).first(),
        result=latest_risk(dossier.unit, dossier.set_code),
    )


@dataclass(frozen=True)
class RecognitionRow:
    recognition: Recognition
    result: SetResult | None


def dossiers_under(unit: AdminUnit) -> list[Dossier]:
    return list(
        Dossier.objects.filter(unit__path__startswith=unit.path)
        .select_related("unit", "step", "workflow")
        .order_by("unit__code", "-created_at")
    )


def recognitions_under(unit: AdminUnit) -> list[RecognitionRow]:
    """Recognised communes with the revocation risk of their latest result, in two queries."""
    recognitions = list(
        Recognition.objects.filter(unit__path__startswith=unit.path)
        .select_related("unit")
        .order_by("unit__code", "-decision_date")
    )
    latest: dict[tuple[int, str], SetResult] = {}
    by_key: defaultdict[tuple[int, str], list[SetResult]] = defaultdict(list)
    if recognitions:
        # A recognition stands on approved figures; drafts do not put it at risk.
        results = SetResult.approved.filter(
            unit__in={r.unit_id for r in recognitions},
            criteria_set__code__in={r.set_code for r in recognitions},
        ).select_related("criteria_set")
        for res in results.order_by("period_end"):
            by_key[(res.unit_id, res.criteria_set.code)].append(res)
        latest = {k: v[-1] for k, v in by_key.items()}
    return [RecognitionRow(r, latest.get((r.unit_id, r.set_code))) for r in recognitions]


def surveys_of(unit: AdminUnit) -> list[Survey]:
    return list(Survey.objects.filter(unit=unit).order_by("-created_at"))


def recognition_dates(set_code: str, unit_ids: Sequence[int]) -> dict[int, list[dt.date]]:
    """The dates of these units' recognition decisions under a set (one query): the pipeline's
    source of prerequisites (``evaluation.prerequisites``)."""
    found: dict[int, list[dt.date]] = defaultdict(list)
    rows = Recognition.objects.filter(AmongIds(F("unit_id"), unit_ids), set_code=set_code)
    for unit_id, day in rows.order_by("decision_date").values_list("unit_id", "decision_date"):
        found[unit_id].append(day)
    return dict(found)


def latest_recognition(unit: AdminUnit, set_code: str) -> Recognition | None:
    """The unit's latest recognition under a set: the revocation warning of 18/2022 concerns
    communes recognised under it."""
    return (
        Recognition.objects.filter(unit=unit, set_code=set_code).order_by("-decision_date").first()
    )


def public_status(unit: AdminUnit) -> str:
    """What the public page says about the unit's recognitions (one query)."""
    recognitions = list(Recognition.objects.filter(unit=unit).order_by("-decision_date"))
    if not recognitions:
        return ""
    names = dict(
        CriteriaSet.objects.filter(code__in={r.set_code for r in recognitions}).values_list(
            "code", "name_vi"
        )
    )
    return "; ".join(
        _("%(set)s — decision %(number)s of %(date)s")
        % {
            "set": names.get(r.set_code, r.set_code),
            "number": r.decision_number,
            "date": date_format(r.decision_date, "SHORT_DATE_FORMAT"),
        }
        for r in recognitions
    )


@dataclass(frozen=True)
class Inherited:
    surveys: list[Survey]
    dossiers: list[Dossier]


def predecessor_recognition(units: Sequence[AdminUnit]) -> Inherited:
    """Surveys and dossiers still in progress of these (ended) communes. Two queries."""
    ids = [u.pk for u in units]
    return Inherited(
        surveys=list(Survey.objects.filter(unit_id__in=ids).select_related("unit")),
        dossiers=list(
            Dossier.objects.filter(unit_id__in=ids, status=Dossier.Status.IN_PROGRESS)
            .select_related("unit", "step")
            .order_by("unit__name", "-created_at")
        ),
    )


def dossiers_in_progress(unit: AdminUnit) -> list[Dossier]:
    """Recognition dossiers still in progress in the unit's subtree, with their current step
    (one query)."""
    return list(
        Dossier.objects.filter(unit__path__startswith=unit.path, status=Dossier.Status.IN_PROGRESS)
        .select_related("unit", "step")
        .order_by("step_started_on", "pk")[:10]
    )


@dataclass(frozen=True)
class SurveyProgress:
    survey: Survey
    entered: int  # ballots entered
    households: int  # households the survey covers


def surveys_to_enter(unit: AdminUnit) -> list[SurveyProgress]:
    """The unit's surveys with households whose ballots are not entered yet (one query): what
    the Front has to type in."""
    ballots = (
        Ballot.objects.filter(survey=OuterRef("pk"))
        .order_by()
        .values("survey")
        .annotate(n=Count("pk"))
        .values("n")
    )
    households = (
        SurveyVillage.objects.filter(survey=OuterRef("pk"))
        .order_by()
        .values("survey")
        .annotate(n=Sum("households"))
        .values("n")
    )
    surveys = Survey.objects.filter(unit=unit).annotate(
        entered=Coalesce(Subquery(ballots, output_field=IntegerField()), 0),
        households=Coalesce(Subquery(households, output_field=IntegerField()), 0),
    )
    return [
        SurveyProgress(s, s.entered, s.households)  # type: ignore[attr-defined]
        for s in surveys.order_by("-created_at")
        if s.entered < s.households  # type: ignore[attr-defined]
    ]
