"""Reads on administrative units, each in a fixed number of queries."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import timezone

from ntm.core.db import AmongIds
from ntm.core.text import fold
from ntm.geo.models import (
    AdminUnit,
    AdminUnitQuerySet,
    Classification,
    Region,
    Succession,
    in_force_q,
)


def today() -> dt.date:
    return timezone.localdate()


def version_on(code: str, on: dt.date | None = None) -> AdminUnit | None:
    """The version of a code in force on the day (default today), else its latest version.
    Codes are reused across reforms (24: Bắc Giang, then Bắc Ninh), so a code names a unit only
    together with a day."""
    versions = list(AdminUnit.objects.filter(code=code).select_related("parent"))
    if not versions:
        return None
    day = on or today()
    for unit in versions:
        if unit.is_valid_on(day):
            return unit
    return max(versions, key=lambda u: u.valid_from or dt.date.min)


def version_during(versions: Iterable[AdminUnit], start: dt.date, end: dt.date) -> AdminUnit | None:
    """The version in force during a period: the one at its end, else the one at its start."""
    candidates = list(versions)
    for day in (end, start):
        for version in candidates:
            if version.is_valid_on(day):
                return version
    return None


def version_for_period(code: str, start: dt.date, end: dt.date) -> AdminUnit | None:
    """The version of a code in force during a period (at its end, else at its start): a code
    reused by the 2025 reform names the old commune for 2024Q4 and the new one for 2025Q4."""
    return version_during(AdminUnit.objects.filter(code=code).select_related("parent"), start, end)


def unit_search(
    *, units: AdminUnitQuerySet, query: str, as_of: dt.date | None = None, limit: int = 50
) -> list[AdminUnit]:
    """Accent- and case-insensitive: "duong duc" finds "Xã Dương Đức"; a code finds its unit.
    Searches ``units``: the caller passes what the user may see (geo sits below accounts)."""
    terms = fold(query).split()
    if not terms:
        return []
    qs = units
    for term in terms:
        qs = qs.filter(search_name__contains=term)
    if as_of is not None:
        qs = qs.in_force(as_of)
    return list(qs.select_related("parent").order_by("level", "valid_to", "name")[:limit])


def _with_child_count(qs: AdminUnitQuerySet, as_of: dt.date | None) -> AdminUnitQuerySet:
    if as_of is None:
        # An ended unit counts the children it had on its last day.
        in_force = Q(children__valid_to__isnull=True) | Q(
            valid_to__isnull=False, children__valid_to__gte=F("valid_to")
        )
    else:
        in_force = in_force_q(as_of, "children__")
    return qs.annotate(child_count=Count("children", filter=in_force))


def unit_children(*, unit: AdminUnit, as_of: dt.date | None = None) -> list[AdminUnit]:
    qs = AdminUnit.objects.filter(parent=unit).in_force(as_of)
    # Vietnamese order: the database's byte order would put "Cầu Ván" before "Cầu Đàm".
    return sorted(_with_child_count(qs, as_of), key=lambda u: (u.kind, u.search_name))


def tree_roots(*, roots: list[AdminUnit] | None, as_of: dt.date | None = None) -> list[AdminUnit]:
    """Top of the tree to browse, with child counts: these units, or the provinces when None
    (what ``accounts.permissions.browse_roots`` gives for the user)."""
    if roots is None:
        qs = AdminUnit.objects.filter(parent__isnull=True).in_force(as_of)
    else:
        qs = AdminUnit.objects.filter(pk__in=[u.pk for u in roots])
    return list(_with_child_count(qs, as_of).order_by("level", "name"))


def successors_of(units: list[AdminUnit]) -> dict[int, list[AdminUnit]]:
    """What each of these (ended) units became, in one query."""
    found: dict[int, list[AdminUnit]] = {u.pk: [] for u in units}
    if not units:
        return found
    successions = (
        Succession.objects.filter(predecessor_id__in=list(found))
        .select_related("successor")
        .order_by("successor__name")
    )
    for s in successions:
        found[s.predecessor_id].append(s.successor)
    return found


def successor_in_force(unit: AdminUnit, day: dt.date) -> AdminUnit | None:
    """The one unit in force on the day that an ended unit became (None when the unit is still
    in force, was split, or its successor ended too)."""
    if unit.valid_to is None or unit.valid_to >= day:
        return None
    successors = [
        s.successor
        for s in Succession.objects.filter(predecessor=unit).select_related("successor")
        if s.successor.valid_to is None or s.successor.valid_to >= day
    ]
    return successors[0] if len(successors) == 1 else None


@dataclass(frozen=True)
class UnitPage:
    unit: AdminUnit
    ancestors: list[AdminUnit]
    children: list[AdminUnit]
    predecessors: list[Succession]
    successors: list[Succession]
    classifications: list[Classification]
    profile: "UnitProfile"
    as_of: dt.date | None
    in_force_on_date: bool


def unit_page(*, unit: AdminUnit, as_of: dt.date | None = None) -> UnitPage:
    successions = list(
        Succession.objects.filter(Q(successor=unit) | Q(predecessor=unit))
        .select_related("predecessor", "successor", "predecessor__parent", "successor__parent")
        .order_by("effective_date", "predecessor__name")
    )
    return UnitPage(
        unit=unit,
        ancestors=list(unit.ancestors()),
        children=unit_children(unit=unit, as_of=as_of),
        predecessors=[s for s in successions if s.successor_id == unit.pk],
        successors=[s for s in successions if s.predecessor_id == unit.pk],
        classifications=unit_classifications(unit=unit),
        profile=unit_profiles(units=[unit], on=as_of or today())[unit.pk],
        as_of=as_of,
        in_force_on_date=unit.is_valid_on(as_of or today()),
    )


@dataclass(frozen=True)
class UnitProfile:
    """What thresholds depend on, for one unit on one day."""

    unit_id: int
    region: str  # one of Region, "" when unknown
    commune_group: str  # "1", "2", "3" or ""
    especially_difficult: bool

    @property
    def region_label(self) -> str:
        return str(Region(self.region).label) if self.region in Region.values else self.region


class ProfileSource:
    """Profiles of many units on any day, from two queries made once (provinces, classifications)."""

    def __init__(self, units: list[AdminUnit]):
        province_ids = {_root_id(u) for u in units}
        self.regions = dict(
            AdminUnit.objects.filter(pk__in=province_ids).values_list("pk", "region")
        )
        self.facts: dict[tuple[int, str], list[tuple[dt.date, dt.date | None, str]]] = {}
        self.rows: dict[int, list[tuple[str, dt.date, dt.date | None, str]]] = {}
        rows = Classification.objects.filter(
            AmongIds(F("unit_id"), [u.pk for u in units])
        ).values_list("unit_id", "kind", "valid_from", "valid_to", "value")
        for unit_id, kind, start, end, value in rows:
            self.facts.setdefault((unit_id, kind), []).append((start, end, value))
            self.rows.setdefault(unit_id, []).append((kind, start, end, value))

    def _fact(self, unit_id: int, kind: str, on: dt.date) -> str:
        for start, end, value in self.facts.get((unit_id, kind), ()):
            if start <= on and (end is None or end >= on):
                return value
        return ""

    def inputs(self, unit: AdminUnit) -> tuple[object, ...]:
        """Everything the unit's profile on any day is made of (its province's region, its
        classification rows in their fixed order): equal inputs, equal profiles on every day."""
        return (self.regions.get(_root_id(unit), ""), *self.rows.get(unit.pk, ()))

    def profile(self, unit: AdminUnit, on: dt.date) -> UnitProfile:
        return UnitProfile(
            unit_id=unit.pk,
            region=self._fact(unit.pk, Classification.Kind.REGION, on)
            or self.regions.get(_root_id(unit), ""),
            commune_group=self._fact(unit.pk, Classification.Kind.COMMUNE_GROUP, on),
            especially_difficult=self._fact(unit.pk, Classification.Kind.ESPECIALLY_DIFFICULT, on)
            == "yes",
        )


def _root_id(unit: AdminUnit) -> int:
    first = unit.path.strip(".").split(".")[0] if unit.path else ""
    return int(first) if first else unit.pk


def unit_profiles(*, units: list[AdminUnit], on: dt.date) -> dict[int, UnitProfile]:
    """Profiles of many units in two queries: their provinces and their classifications."""
    source = ProfileSource(units)
    return {unit.pk: source.profile(unit, on) for unit in units}


def unit_classifications(*, unit: AdminUnit) -> list[Classification]:
    return list(unit.classifications.order_by("kind", "-valid_from"))


def in_subtrees(units: Sequence[AdminUnit], field: str = "unit") -> Q:
    """Rows whose ``field`` (a unit) lies in one of these units' subtrees (none: no row)."""
    q = Q(pk__in=[])
    for unit in units:
        q |= Q(**{f"{field}__path__startswith": unit.path})
    return q
