"""Reads on committees, campaigns and the OCOP register, each in a fixed number of queries."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from ntm.accounts.models import Membership, Role, User
from ntm.geo.models import AdminUnit, Level
from ntm.organisation.models import (
    Award,
    Committee,
    CommitteeKind,
    CommitteeMember,
    EmulationCampaign,
    OcopProduct,
    OcopStatus,
)

KIND_ORDER = {
    CommitteeKind.STEERING: 0,
    CommitteeKind.MANAGEMENT: 1,
    CommitteeKind.VILLAGE_DEVELOPMENT: 2,
    CommitteeKind.OTHER: 3,
}
STARS = (3, 4, 5)


def shown_date(unit: AdminUnit) -> dt.date:
    """The day a unit is shown on: today, or its last day when it has ended (as on unit pages)."""
    today = timezone.localdate()
    return unit.valid_to if unit.valid_to is not None and unit.valid_to < today else today


def _commune_path(unit: AdminUnit) -> str:
    """The path of the commune a unit belongs to (the unit's own path above commune level)."""
    if unit.level != Level.VILLAGE:
        return unit.path
    return unit.path[: -len(f"{unit.pk}.")]


def account_candidates(unit: AdminUnit) -> QuerySet[User]:
    """Accounts that may be linked to a committee member: people working in the unit's commune."""
    return (
        User.objects.filter(is_active=True, memberships__unit__path__startswith=_commune_path(unit))
        .distinct()
        .order_by("full_name", "username")
    )


# --- committees -------------------------------------------------------------------------------


def _members_prefetch() -> Prefetch:
    return Prefetch("members", queryset=CommitteeMember.objects.select_related("user"))


def _sorted_members(committee: Committee) -> list[CommitteeMember]:
    return sorted(committee.members.all(), key=lambda m: m.rank)


@dataclass(frozen=True)
class CommitteeCard:
    committee: Committee
    members: list[CommitteeMember]


@dataclass(frozen=True)
class UnitCommittees:
    unit: AdminUnit
    committees: list[CommitteeCard]


@dataclass(frozen=True)
class CommitteesPage:
    unit: AdminUnit
    own: list[CommitteeCard]
    subordinate: list[UnitCommittees]  # committees of the unit's subordinate units, by unit
    children: list[AdminUnit] = field(default_factory=list)  # subordinate units, for links


def _card_key(card: CommitteeCard) -> tuple[int, str]:
    return (KIND_ORDER.get(CommitteeKind(card.committee.kind), 9), card.committee.name)


def committees_page(*, unit: AdminUnit) -> CommitteesPage:
    """The unit's committees and those of its subordinate units, with members: three queries."""
    committees = list(
        Committee.objects.filter(Q(unit=unit) | Q(unit__parent=unit))
        .select_related("unit")
        .prefetch_related(_members_prefetch())
    )
    children = sorted(
        AdminUnit.objects.filter(parent=unit).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=shown_date(unit))
        ),
        key=lambda u: (u.kind, u.search_name),
    )
    own = sorted(
        (CommitteeCard(c, _sorted_members(c)) for c in committees if c.unit_id == unit.pk),
        key=_card_key,
    )
    by_unit: dict[int, list[CommitteeCard]] = {}
    units: dict[int, AdminUnit] = {}
    for c in committees:
        if c.unit_id != unit.pk:
            by_unit.setdefault(c.unit_id, []).append(CommitteeCard(c, _sorted_members(c)))
            units[c.unit_id] = c.unit
    subordinate = [
        UnitCommittees(units[pk], sorted(cards, key=_card_key))
        for pk, cards in sorted(
            by_unit.items(), key=lambda item: (units[item[0]].kind, units[item[0]].search_name)
        )
    ]
    return CommitteesPage(unit=unit, own=own, subordinate=subordinate, children=children)


def responsible_by_field(unit: AdminUnit, *, on: dt.date | None = None) -> dict[str, list[str]]:
    """Who answers for each field of work in a unit: two queries.

    Committee members of the unit and its ancestors whose term (and their committee's) covers
    the day — nearest unit first, heads before deputies and members — then specialist officials
    holding that field through a membership, each person once. ``on`` defaults to today, or to
    the unit's last day when it has ended.
    """
    day = on or shown_date(unit)
    ids = [*unit.ancestor_ids, unit.pk]
    distance = {pk: len(ids) - i for i, pk in enumerate(ids)}
    members = [
        m
        for m in CommitteeMember.objects.filter(committee__unit_id__in=ids).select_related(
            "committee"
        )
        if m.in_term_on(day) and m.committee.in_term_on(day)
    ]
    members.sort(
        key=lambda m: (
            distance[m.committee.unit_id],
            KIND_ORDER.get(CommitteeKind(m.committee.kind), 9),
            m.rank,
        )
    )
    found: dict[str, list[str]] = {}
    linked: dict[str, set[int]] = {}
    for m in members:
        for f in m.fields:
            names = found.setdefault(f, [])
            if m.full_name not in names:
                names.append(m.full_name)
            if m.user_id is not None:
                linked.setdefault(f, set()).add(m.user_id)
    for membership in Membership.objects.filter(
        unit_id__in=ids, role=Role.SPECIALIST
    ).select_related("user"):
        for f in membership.fields:
            if membership.user_id in linked.get(f, set()):
                continue
            names = found.setdefault(f, [])
            name = str(membership.user)
            if name not in names:
                names.append(name)
    return found


def responsible_for_field(unit: AdminUnit, field: str, *, on: dt.date | None = None) -> list[str]:
    """Names of the people answering for one field of work in the unit (see responsible_by_field).

    For a page listing many criteria call ``responsible_by_field`` once instead.
    """
    return responsible_by_field(unit, on=on).get(field, [])


# --- emulation campaigns ----------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignCard:
    campaign: EmulationCampaign
    awards: list[Award]


def campaigns_page(*, unit: AdminUnit) -> list[CampaignCard]:
    """The unit's campaigns, newest first, with their awards: two queries."""
    campaigns = EmulationCampaign.objects.filter(unit=unit).prefetch_related(
        Prefetch("awards", queryset=Award.objects.select_related("village"))
    )
    return [
        CampaignCard(
            c,
            sorted(
                c.awards.all(),
                key=lambda a: (a.decision_date or dt.date.max, a.recipient_name),
            ),
        )
        for c in campaigns.order_by("-start_date", "name")
    ]


# --- OCOP register ----------------------------------------------------------------------------


def _in_subtree(unit: AdminUnit) -> Q:
    # A village's page counts the products made in it; higher units count their communes'.
    return Q(unit__path__startswith=unit.path) | Q(village__path__startswith=unit.path)


def _valid_on(day: dt.date) -> Q:
    return Q(certification_date__lte=day, expiry_date__gte=day)


@dataclass(frozen=True)
class OcopRow:
    product: OcopProduct
    status: OcopStatus


@dataclass(frozen=True)
class OcopRegister:
    unit: AdminUnit
    on: dt.date
    rows: list[OcopRow]
    counts: dict[int, int]  # valid products by stars on the day (3, 4, 5; zeros included)

    @property
    def valid_total(self) -> int:
        return sum(self.counts.values())


def ocop_register(*, unit: AdminUnit, on: dt.date) -> OcopRegister:
    """Certified OCOP products in the unit's subtree with their status on a day: one query."""
    products = list(
        OcopProduct.objects.filter(_in_subtree(unit))
        .select_related("unit", "village")
        .order_by("-stars", "name", "-certification_date")
    )
    rows = [OcopRow(p, p.status_on(on)) for p in products]
    counted = Counter(
        r.product.stars for r in rows if r.status in (OcopStatus.VALID, OcopStatus.EXPIRING)
    )
    return OcopRegister(
        unit=unit, on=on, rows=rows, counts={stars: counted[stars] for stars in STARS}
    )


def ocop_counts(unit: AdminUnit, on: dt.date) -> dict[int, int]:
    """Products with a certificate valid on the day, by stars, in the unit's subtree: one query.

    Always has the keys 3, 4 and 5 (zero when there is none), e.g. ``{3: 2, 4: 1, 5: 0}``.
    """
    counted = Counter(
        OcopProduct.objects.filter(_in_subtree(unit))
        .filter(_valid_on(on))
        .values_list("stars", flat=True)
    )
    return {stars: counted[stars] for stars in STARS}
