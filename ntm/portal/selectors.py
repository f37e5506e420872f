"""Reads for the public pages: stored results, the issued plan, funds and works — public data only,
in a fixed number of queries. Nothing here reads evidence, internal comments, unconsented names or
the contact of a citizen."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from ntm.catalog.models import CriteriaSet, Criterion
from ntm.catalog.selectors import families_for_unit
from ntm.evaluation.models import SetResult
from ntm.evaluation.services import parse_criteria_status
from ntm.finance import selectors as finance
from ntm.finance.models import Work, WorkProgress
from ntm.geo.models import AdminUnit, Level, Succession
from ntm.geo.selectors import in_subtrees, version_on
from ntm.planning.models import Plan
from ntm.planning.selectors import TargetRow, target_rows
from ntm.portal.charts import HistoryPoint
from ntm.portal.models import Feedback, FeedbackStatus

PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})


def today() -> dt.date:
    return timezone.localdate()


def unit_by_code(code: str, on: dt.date | None = None) -> AdminUnit:
    """The version of the code in force on the day (default today), else its latest version."""
    unit = version_on(code, on or today())
    if unit is None:
        raise Http404
    return unit


@dataclass
class CriterionStatus:
    number: int
    name: str
    status: str


@dataclass
class SetStatus:
    family: CriteriaSet
    result: SetResult
    criteria: list[CriterionStatus]
    history: list[HistoryPoint]


@dataclass
class PublicUnitPage:
    unit: AdminUnit
    successors: list[Succession]
    predecessors: list[Succession]
    sets: list[SetStatus]
    plan: Plan | None
    targets: list[TargetRow]
    year: int
    years: list[int]
    table: finance.Mobilisation
    board: finance.PublicContributions
    works: list[Work]
    feedback: list[Feedback] = field(default_factory=list)
    # Criteria citizens may write about: those of the stored results, else of the sets in force
    # today (a merged commune has no result yet, and must still be asked about its criteria).
    subject_criteria: list[tuple[CriteriaSet, list[CriterionStatus]]] = field(default_factory=list)


def _criterion_name(criterion: Criterion, language: str) -> str:
    return criterion.name_en if language == "en" and criterion.name_en else criterion.name_vi


def criteria_statuses(*, unit: AdminUnit, language: str = "vi") -> list[SetStatus]:
    """The stored results of the unit, per criteria set: the latest with each criterion's status,
    and the count across periods. Approved figures only: a draft typed a minute ago is not
    public. Three queries."""
    results = list(
        SetResult.approved.filter(unit=unit)
        .select_related("criteria_set", "applied_set")
        .order_by("criteria_set__code", "period_end", "period")
    )
    by_family: dict[int, list[SetResult]] = defaultdict(list)
    for r in results:
        by_family[r.criteria_set_id].append(r)
    applied_ids = {rs[-1].applied_set_id for rs in by_family.values()}
    names: dict[tuple[int, int], str] = {
        (c.criteria_set_id, c.number): _criterion_name(c, language)
        for c in Criterion.objects.filter(criteria_set_id__in=applied_ids)
    }
    sets = []
    for history in by_family.values():
        latest = history[-1]
        statuses = parse_criteria_status(latest.criteria_status)
        sets.append(
            SetStatus(
                family=latest.criteria_set,
                result=latest,
                criteria=[
                    CriterionStatus(number, names.get((latest.applied_set_id, number), ""), status)
                    for number, status in sorted(statuses.items())
                ],
                history=[HistoryPoint(r.period, r.met, r.total) for r in history],
            )
        )
    return sets


def current_plan(unit: AdminUnit) -> Plan | None:
    """The latest issued plan: drafts are not public."""
    return (
        Plan.objects.filter(unit=unit, status=Plan.Status.ISSUED).order_by("-year", "-pk").first()
    )


def published_feedback(**subject: object) -> list[Feedback]:
    """Published messages and answers about one subject (never the name or contact)."""
    return list(
        Feedback.objects.filter(status=FeedbackStatus.PUBLISHED, **subject)
        .only(
            "kind",
            "text",
            "answer",
            "answered_at",
            "created_at",
            "criteria_set",
            "criterion_number",
        )
        .order_by("-created_at", "-pk")
    )


def criteria_in_force(
    unit: AdminUnit, language: str, day: dt.date
) -> list[tuple[CriteriaSet, list[CriterionStatus]]]:
    """The commune-level sets in force on the day that apply to the unit, with their criteria
    as the unit is judged (its province's localisation when there is one). Two queries."""
    if unit.level < Level.COMMUNE:
        return []
    level = "village" if unit.level == Level.VILLAGE else "commune"
    found = [
        f
        for f in families_for_unit(unit, level)
        if (f.valid_from is None or f.valid_from <= day)
        and (f.valid_to is None or f.valid_to >= day)
    ]
    if not found:
        return []
    province = [*unit.ancestor_ids, unit.pk]
    localised = {
        c.localises_id: c
        for c in CriteriaSet.objects.filter(
            localises_id__in=[f.pk for f in found], province_id__in=province
        )
    }
    applied = {f.pk: localised.get(f.pk, f) for f in found}
    criteria: dict[int, list[CriterionStatus]] = defaultdict(list)
    for c in Criterion.objects.filter(
        criteria_set_id__in=[a.pk for a in applied.values()]
    ).order_by("number"):
        criteria[c.criteria_set_id].append(
            CriterionStatus(c.number, _criterion_name(c, language), "")
        )
    return [(f, criteria[applied[f.pk].pk]) for f in found]


def unit_page(*, unit: AdminUnit, year: int | None = None, language: str = "vi") -> PublicUnitPage:
    successions = list(
        Succession.objects.filter(Q(successor=unit) | Q(predecessor=unit))
        .select_related("predecessor", "successor")
        .order_by("effective_date", "predecessor__name")
    )
    plan = current_plan(unit)
    sets = criteria_statuses(unit=unit, language=language)
    years = finance.years_with_data(unit)
    if year is None:
        year = years[0] if years else (plan.year if plan else today().year)
    # A work a merged commune took over stays on the page of the unit that began it.
    works = list(
        Work.objects.filter(
            Q(unit__path__startswith=unit.path) | Q(transferred_from__path__startswith=unit.path),
            year=year,
        )
        .select_related("unit")
        .order_by("unit__code", "name")
    )
    return PublicUnitPage(
        unit=unit,
        successors=[s for s in successions if s.predecessor_id == unit.pk],
        predecessors=[s for s in successions if s.successor_id == unit.pk],
        sets=sets,
        plan=plan,
        targets=target_rows(plan=plan) if plan else [],
        year=year,
        years=years,
        table=finance.mobilisation(unit=unit, year=year),
        board=finance.public_contributions(unit, year),
        works=works,
        feedback=published_feedback(unit=unit, work__isnull=True),
        subject_criteria=[(st.family, st.criteria) for st in sets]
        or criteria_in_force(unit, language, today()),
    )


@dataclass
class PublicWorkPage:
    work: Work
    row: finance.WorkRow
    updates: list[WorkProgress]
    feedback: list[Feedback]


def public_work(work_id: int) -> Work:
    return Work.objects.select_related("unit", "unit__parent", "transferred_from").get(pk=work_id)


def work_page(*, work: Work) -> PublicWorkPage:
    row = finance.works_summary(unit=work.books_unit, year=work.year, work_ids=[work.pk])[0]
    # Progress notes are internal; the public sees dates, percentages and photos.
    updates = list(
        work.updates.only(
            "date", "percent", "photo", "photo_type", "photo_stage", "work_id"
        ).order_by("-date", "-pk")
    )
    return PublicWorkPage(
        work=work, row=row, updates=updates, feedback=published_feedback(work=work)
    )


def public_photo(*, work_id: int, update_id: int) -> WorkProgress:
    """A progress photo only when it belongs to that work and is an image."""
    update = (
        WorkProgress.objects.filter(pk=update_id, work_id=work_id)
        .exclude(photo="")
        .only("photo", "photo_type", "work_id")
        .first()
    )
    if update is None or update.photo_type not in PHOTO_TYPES:
        raise Http404
    return update


def moderation_queue(*, unit: AdminUnit, status: str) -> list[Feedback]:
    return list(
        Feedback.objects.filter(unit__path__startswith=unit.path, status=status)
        .select_related("unit", "plan", "work", "criteria_set", "answered_by", "sent_to")
        .order_by("created_at", "pk")
    )


def queue_counts(unit: AdminUnit) -> dict[str, int]:
    counts = {s: 0 for s in FeedbackStatus.values}
    for status, n in (
        Feedback.objects.filter(unit__path__startswith=unit.path)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    ):
        counts[status] = n
    return counts


def predecessor_feedback(units: Sequence[AdminUnit]) -> list[tuple[AdminUnit, int]]:
    """Messages still awaiting moderation on these (ended) units and below them, per unit.
    One query."""
    counts = (
        Feedback.objects.filter(in_subtrees(units), status=FeedbackStatus.PENDING)
        .values_list("unit__path")
        .annotate(n=Count("pk"))
    )
    found: dict[int, int] = {}
    for path, n in counts:
        owner = next(u for u in units if path.startswith(u.path))
        found[owner.pk] = found.get(owner.pk, 0) + n
    return [(u, found[u.pk]) for u in units if u.pk in found]


def feedback_waiting(unit: AdminUnit) -> int:
    """Messages awaiting moderation in the unit's subtree (one query)."""
    return Feedback.objects.filter(
        unit__path__startswith=unit.path, status=FeedbackStatus.PENDING
    ).count()
