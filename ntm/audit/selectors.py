"""The activity log of a unit: every recorded change (django-simple-history) of the registers
people keep — works and their budget lines, progress, disbursements, allocations and
contributions; plans, targets, tasks, progress and obstacles; surveys and dossiers; committees,
campaigns, awards and OCOP products; indicator values — in one list, newest first, filterable
by person, kind and date."""

import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q
from django.utils.translation import gettext_lazy as _

from ntm.finance.models import (
    Allocation,
    BudgetLine,
    Contribution,
    Disbursement,
    Work,
    WorkProgress,
)
from ntm.geo.models import AdminUnit
from ntm.observations.models import DataValue
from ntm.organisation.models import (
    Award,
    Committee,
    CommitteeMember,
    EmulationCampaign,
    OcopProduct,
)
from ntm.planning.models import Obstacle, Plan, ProgressUpdate, Target, Task
from ntm.recognition.models import Dossier, Survey

PAGE = 50


@dataclass(frozen=True)
class Kind:
    code: str
    label: Any  # lazy text
    model: type[Model]
    unit_path: str  # the lookup from a historical row to its unit's path


KINDS = [
    Kind("value", _("indicator value"), DataValue, "unit__path"),
    Kind("work", _("work"), Work, "unit__path"),
    Kind("budget", _("budget line"), BudgetLine, "work__unit__path"),
    Kind("work_progress", _("work progress"), WorkProgress, "work__unit__path"),
    Kind("disbursement", _("disbursement"), Disbursement, "work__unit__path"),
    Kind("allocation", _("allocation"), Allocation, "village__path"),
    Kind("contribution", _("contribution"), Contribution, "unit__path"),
    Kind("plan", _("plan"), Plan, "unit__path"),
    Kind("target", _("target"), Target, "plan__unit__path"),
    Kind("task", _("task"), Task, "plan__unit__path"),
    Kind("task_progress", _("task progress"), ProgressUpdate, "task__plan__unit__path"),
    Kind("obstacle", _("obstacle"), Obstacle, "plan__unit__path"),
    Kind("survey", _("survey"), Survey, "unit__path"),
    Kind("dossier", _("dossier"), Dossier, "unit__path"),
    Kind("committee", _("committee"), Committee, "unit__path"),
    Kind("committee_member", _("committee member"), CommitteeMember, "committee__unit__path"),
    Kind("campaign", _("emulation campaign"), EmulationCampaign, "unit__path"),
    Kind("award", _("award"), Award, "village__path"),
    Kind("ocop", _("OCOP product"), OcopProduct, "unit__path"),
]
BY_CODE = {k.code: k for k in KINDS}
ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass
class Entry:
    kind: Kind
    record: Any  # the historical row
    changes: list[tuple[str, str, str]]  # (field, before, after)

    @property
    def when(self) -> dt.datetime:
        return self.record.history_date  # type: ignore[no-any-return]

    @property
    def action(self) -> str:
        return str(ACTIONS.get(self.record.history_type, self.record.history_type))


@dataclass(frozen=True)
class Filters:
    person: str = ""  # a username
    kind: str = ""
    object_id: int | None = None  # one object of the kind (a page's "history of this")
    since: dt.date | None = None
    until: dt.date | None = None


def _rows(kind: Kind, unit: AdminUnit, f: Filters, limit: int) -> Iterator[Any]:
    q = Q(**{f"{kind.unit_path}__startswith": unit.path})
    if f.person:
        q &= Q(history_user__username=f.person)
    if f.object_id is not None:
        q &= Q(id=f.object_id)
    if f.since:
        q &= Q(history_date__date__gte=f.since)
    if f.until:
        q &= Q(history_date__date__lte=f.until)
    history = kind.model.history  # type: ignore[attr-defined]
    return iter(
        history.filter(q).select_related("history_user").order_by("-history_date", "-pk")[:limit]
    )


def _stream(kind: Kind, unit: AdminUnit, f: Filters, limit: int) -> Iterator[tuple[Any, ...]]:
    for r in _rows(kind, unit, f, limit):
        yield (-r.history_date.timestamp(), kind.code, -r.pk, kind, r)


def _text(value: Any) -> str:
    return "" if value is None else str(value)[:200]


def _previous_rows(shown: list[tuple[Kind, Any]]) -> dict[tuple[str, int], Any]:
    """The version before each change shown, one query per kind (not one per row)."""
    found: dict[tuple[str, int], Any] = {}
    by_kind: dict[str, tuple[Kind, list[Any]]] = {}
    for kind, record in shown:
        if record.history_type == "~":
            by_kind.setdefault(kind.code, (kind, []))[1].append(record)
    for kind, records in by_kind.values():
        history = kind.model.history  # type: ignore[attr-defined]
        rows = history.filter(
            id__in={r.id for r in records},
            history_id__lt=max(r.history_id for r in records),
        ).order_by("id", "history_id")
        versions: dict[int, list[Any]] = {}
        for row in rows:
            versions.setdefault(row.id, []).append(row)
        for record in records:
            earlier = [v for v in versions.get(record.id, []) if v.history_id < record.history_id]
            if earlier:
                found[(kind.code, record.history_id)] = earlier[-1]
    return found


def activity(*, unit: AdminUnit, filters: Filters, page: int = 1) -> tuple[list[Entry], bool]:
    """One page of the log (newest first) and whether there is an older page. One query per
    kind, then one per kind on the page for the versions before (the changes)."""
    kinds = [BY_CODE[filters.kind]] if filters.kind in BY_CODE else KINDS
    wanted = page * PAGE + 1
    streams = [_stream(kind, unit, filters, wanted) for kind in kinds]
    merged = list(heapq.merge(*streams, key=lambda item: item[:3]))
    shown = [(kind, record) for *_key, kind, record in merged[(page - 1) * PAGE : page * PAGE]]
    previous = _previous_rows(shown)
    entries = []
    for kind, record in shown:
        before = previous.get((kind.code, record.history_id))
        changes: list[tuple[str, str, str]] = []
        if before is not None:
            changes = [
                (
                    str(getattr(kind.model._meta.get_field(c.field), "verbose_name", c.field)),
                    _text(c.old),
                    _text(c.new),
                )
                for c in record.diff_against(before).changes
            ]
        entries.append(Entry(kind, record, changes))
    return entries, len(merged) > page * PAGE
