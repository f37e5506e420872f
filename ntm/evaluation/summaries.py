"""Area summaries: counts per (area, set, level, period end), kept current by the pipeline.

A unit counts at a period end with its latest result up to that day (ties on the day broken
by the period code, as the pages do), if it was in force that day. When a refresh rewrites or
removes a unit's results, the rows of the unit's areas from the first changed period end on
move by the difference between the unit's old and new contribution, so a save touches a few
rows whatever the size of the province. A period end no row of an area has yet is computed
from the stored results once, in the same transaction.

Writers of one area are serialised (PostgreSQL advisory lock per area, taken after the units'
row locks, in id order, so two refreshes never wait on each other in a circle).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from ntm.catalog.models import CriteriaSet
from ntm.evaluation.models import BOTH, AreaSummary, Basis, SetResult
from ntm.geo.models import AdminUnit

# (status, criteria_status, revocation_risk) of the result a unit counts with, or None
Contribution = tuple[str, str, str] | None
# (period_end, period code, contribution): one unit's results in order
Timeline = list[tuple[dt.date, str, tuple[str, str, str]]]

_LETTERS = "mndt"  # met, not met, no data, no threshold: positions in a criterion's counts
_LOCK_NAMESPACE = 0x4E544D  # "NTM": keeps these advisory locks apart from anyone else's


def areas_of(path: str) -> list[int]:
    """Ids of a unit's ancestors, from its materialised path (".5.17.230." → [5, 17])."""
    return [int(part) for part in path.strip(".").split(".")[:-1]]


def _in_force(unit: "UnitChange", day: dt.date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= day) and (
        unit.valid_to is None or unit.valid_to >= day
    )


def contribution_at(timeline: Timeline, day: dt.date) -> Contribution:
    found: Contribution = None
    for end, _code, contribution in timeline:
        if end > day:
            break
        found = contribution
    return found


@lru_cache(maxsize=4096)
def _parts(criteria_status: str) -> tuple[tuple[str, int], ...]:
    """ "1m 2n" → (("1", 0), ("2", 1)): parsed once, as most units share a few patterns."""
    return tuple((part[:-1], _LETTERS.index(part[-1])) for part in criteria_status.split())


@dataclass
class Counts:
    reported: int = 0
    met_all: int = 0
    revocation: int = 0
    criteria: dict[str, list[int]] = field(default_factory=dict)

    def add(self, contribution: Contribution, sign: int = 1) -> None:
        if contribution is None:
            return
        status, criteria_status, risk = contribution
        self.reported += sign
        self.met_all += sign * (status == "met")
        self.revocation += sign * (risk == "revocation")
        criteria = self.criteria
        for number, position in _parts(criteria_status):
            counts = criteria.get(number)
            if counts is None:
                counts = criteria[number] = [0, 0, 0, 0]
            counts[position] += sign

    @classmethod
    def of(cls, row: AreaSummary) -> "Counts":
        return cls(
            row.reported, row.met_all, row.revocation, {k: list(v) for k, v in row.criteria.items()}
        )

    def store(self, row: AreaSummary) -> None:
        row.reported, row.met_all, row.revocation = self.reported, self.met_all, self.revocation
        # Criteria nobody counts any more leave the row, so a rebuilt row equals a moved one.
        row.criteria = {
            k: v for k, v in sorted(self.criteria.items(), key=lambda kv: int(kv[0])) if any(v)
        }


@dataclass
class UnitChange:
    """One unit's results for a set before and after a refresh."""

    unit_id: int
    level: int
    path: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    old: Timeline
    new: Timeline

    def first_change(self) -> dt.date | None:
        changed = set(self.old) ^ set(self.new)
        return min((end for end, _code, _c in changed), default=None)


def timelines(family: CriteriaSet, unit_ids: Iterable[int]) -> dict[Basis, dict[int, Timeline]]:
    """The stored results of these units for a set, in order, without their explanation: per
    basis, in one read (a row serving both bases is in both)."""
    found: dict[Basis, dict[int, Timeline]] = {b: defaultdict(list) for b in Basis}
    rows = (
        SetResult.stored.filter(criteria_set=family, unit__in=list(unit_ids))
        .order_by("unit_id", "period_end", "period")
        .values_list(
            "unit_id",
            "period_end",
            "period",
            "status",
            "criteria_status",
            "revocation_risk",
            "basis",
        )
    )
    for unit_id, end, code, status, criteria_status, risk, serves in rows:
        for basis in Basis:
            if serves in (BOTH, basis):
                found[basis][unit_id].append((end, code, (status, criteria_status, risk)))
    return found


def lock_areas(area_ids: Iterable[int]) -> None:
    """Serialise the writers of these areas' summaries until the transaction ends. SQLite has
    one writer at a time anyway."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for area_id in sorted(set(area_ids)):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, area_id])


def apply(family: CriteriaSet, changes: Sequence[UnitChange], basis: Basis) -> int:
    """Move the summaries (of a basis) of the changed units' areas by the difference each unit
    makes, and create the rows of period ends an area did not have. Returns the rows written."""
    changes = [c for c in changes if c.first_change() is not None and areas_of(c.path)]
    if not changes:
        return 0
    lock_areas(a for c in changes for a in areas_of(c.path))
    written = 0
    by_level: dict[int, list[UnitChange]] = defaultdict(list)
    for change in changes:
        by_level[change.level].append(change)
    for level, level_changes in by_level.items():
        since = min(c.first_change() or dt.date.max for c in level_changes)
        area_ids = {a for c in level_changes for a in areas_of(c.path)}
        rows: dict[tuple[int, dt.date], AreaSummary] = {
            (row.area_id, row.period_end): row
            for row in AreaSummary.objects.filter(
                criteria_set=family,
                level=level,
                basis=basis,
                area__in=area_ids,
                period_end__gte=since,
            )
        }
        counts = {key: Counts.of(row) for key, row in rows.items()}
        ends_by_area: dict[int, list[dt.date]] = defaultdict(list)
        for area_id, end in sorted(rows):
            ends_by_area[area_id].append(end)
        moved: set[tuple[int, dt.date]] = set()
        missing: set[tuple[int, dt.date]] = set()
        for change in level_changes:
            start = change.first_change() or dt.date.max
            ends = {end for end, _code, _c in change.new if end >= start}
            for area_id in areas_of(change.path):
                missing.update((area_id, end) for end in ends if (area_id, end) not in rows)
                for end in ends_by_area.get(area_id, []):
                    if end < start or not _in_force(change, end):
                        continue
                    before = contribution_at(change.old, end)
                    after = contribution_at(change.new, end)
                    if before != after:
                        key = (area_id, end)
                        counts[key].add(before, -1)
                        counts[key].add(after, +1)
                        moved.add(key)
        now = timezone.now()
        for key in moved:
            counts[key].store(rows[key])
            rows[key].updated_at = now
        _update_counts([rows[key] for key in moved])
        # New period ends are counted from the stored results, which already hold this
        # refresh's rows: no difference to apply to them.
        created = summarise_many(family=family, level=level, keys=missing, basis=basis)
        AreaSummary.objects.bulk_create(created, batch_size=2000)
        written += len(moved) + len(created)
    return written


def _update_counts(rows: list[AreaSummary]) -> None:
    """Write the counts of these rows back by primary key: one statement run for every row.
    ``bulk_update`` builds a CASE of one branch per row, which costs more to compile than a
    national run spends on all its summaries otherwise."""
    if not rows:
        return
    table = AreaSummary._meta.db_table
    criteria = AreaSummary._meta.get_field("criteria")
    adapt_time = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET reported = %s, met_all = %s, revocation = %s, criteria = %s, "
            "updated_at = %s WHERE id = %s",
            [
                (
                    row.reported,
                    row.met_all,
                    row.revocation,
                    criteria.get_db_prep_save(row.criteria, connection),
                    adapt_time(row.updated_at),
                    row.pk,
                )
                for row in rows
            ],
        )


def summarise_many(
    *, family: CriteriaSet, level: int, keys: Iterable[tuple[int, dt.date]], basis: Basis
) -> list[AreaSummary]:
    """Summary rows (unsaved) for these (area, period end) pairs, counted from the stored
    results in one read of the areas' units."""
    keys = sorted(set(keys))
    if not keys:
        return []
    paths = dict(AdminUnit.objects.filter(pk__in={a for a, _e in keys}).values_list("pk", "path"))
    # Read each subtree once: areas inside another wanted area are covered by it.
    roots = [
        p for p in paths.values() if not any(p != q and p.startswith(q) for q in paths.values())
    ]
    scope = Q()
    for path in roots:
        scope |= Q(unit__path__startswith=path)
    last = max(end for _a, end in keys)
    found: dict[int, Timeline] = defaultdict(list)
    units: dict[int, tuple[str, dt.date | None, dt.date | None]] = {}
    rows = (
        SetResult.on(basis)
        .filter(scope, criteria_set=family, unit__level=level, period_end__lte=last)
        .order_by("unit_id", "period_end", "period")
        .values_list(
            "unit_id",
            "unit__path",
            "unit__valid_from",
            "unit__valid_to",
            "period_end",
            "period",
            "status",
            "criteria_status",
            "revocation_risk",
        )
    )
    for unit_id, path, since, until, end, code, status, criteria_status, risk in rows.iterator(
        chunk_size=5000
    ):
        units[unit_id] = (path, since, until)
        found[unit_id].append((end, code, (status, criteria_status, risk)))
    wanted: dict[int, list[dt.date]] = defaultdict(list)
    for area_id, end in keys:
        wanted[area_id].append(end)
    counts: dict[tuple[int, dt.date], Counts] = {key: Counts() for key in keys}
    for unit_id, (path, since, until) in units.items():
        timeline = found[unit_id]
        # A unit counts alike in each of its areas: its contribution at a day found once.
        at: dict[dt.date, Contribution] = {}
        for area_id in areas_of(path):
            for end in wanted.get(area_id, []):
                if (since is None or since <= end) and (until is None or until >= end):
                    if end not in at:
                        at[end] = contribution_at(timeline, end)
                    counts[(area_id, end)].add(at[end])
    created = []
    for (area_id, end), area_counts in counts.items():
        row = AreaSummary(
            area_id=area_id, criteria_set=family, level=level, basis=basis, period_end=end
        )
        area_counts.store(row)
        created.append(row)
    return created


def summarise(
    *, area_id: int, family: CriteriaSet, level: int, period_end: dt.date, basis: Basis
) -> AreaSummary:
    """One summary row counted from the stored results (unsaved)."""
    return summarise_many(family=family, level=level, keys=[(area_id, period_end)], basis=basis)[0]


def rebuild(*, family: CriteriaSet, area_ids: Iterable[int] | None = None) -> int:
    """Recompute every summary row of a set (or of these areas) from the stored results: after
    results were written around the pipeline, or the map changed under them."""
    ends: dict[tuple[int, int, Basis], set[dt.date]] = defaultdict(set)
    wanted = None if area_ids is None else set(area_ids)
    pairs = (
        SetResult.stored.filter(criteria_set=family)
        .order_by()
        .values_list("unit__path", "unit__level", "period_end", "basis")
        .distinct()
    )
    for path, level, end, serves in pairs.iterator(chunk_size=5000):
        for area_id in areas_of(path):
            if wanted is None or area_id in wanted:
                for basis in Basis:
                    if serves in (BOTH, basis):
                        ends[(area_id, level, basis)].add(end)
    lock_areas(area for area, _level, _basis in ends)
    stale = AreaSummary.objects.filter(criteria_set=family)
    if wanted is not None:
        stale = stale.filter(area__in=wanted)
    stale.delete()
    by_level: dict[tuple[int, Basis], list[tuple[int, dt.date]]] = defaultdict(list)
    for (area_id, level, basis), period_ends in ends.items():
        by_level[(level, basis)].extend((area_id, end) for end in period_ends)
    created = [
        row
        for (level, basis), keys in sorted(by_level.items())
        for row in summarise_many(family=family, level=level, keys=keys, basis=basis)
    ]
    AreaSummary.objects.bulk_create(created, batch_size=2000)
    return len(created)


def summary_as_of(
    *,
    area: AdminUnit,
    family: CriteriaSet,
    level: int,
    period_end: dt.date | None,
    basis: Basis = Basis.APPROVED,
) -> AreaSummary | None:
    """The row a page of this period reads: the latest at or before its end (None: the latest)."""
    rows = AreaSummary.objects.filter(area=area, criteria_set=family, level=level, basis=basis)
    if period_end is not None:
        rows = rows.filter(period_end__lte=period_end)
    return rows.order_by("-period_end").first()


def changes_for(
    units: Sequence[AdminUnit], old: dict[int, Timeline], new: dict[int, Timeline]
) -> list[UnitChange]:
    """Pair each unit's timeline before a refresh with the one the refresh left."""
    return [
        UnitChange(
            unit_id=unit.pk,
            level=unit.level,
            path=unit.path,
            valid_from=unit.valid_from,
            valid_to=unit.valid_to,
            old=old.get(unit.pk, []),
            new=new.get(unit.pk, []),
        )
        for unit in units
    ]
