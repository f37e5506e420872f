"""Pieces every report shares: the issuing body, place, signature, "as of" and data version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ntm.catalog.models import CriteriaSet
from ntm.catalog.selectors import families_for_unit
from ntm.core.text import split_kind
from ntm.engine.periods import Period
from ntm.evaluation.models import Basis, SetResult
from ntm.geo.models import AdminUnit, Level
from ntm.observations.models import DataValue
from ntm.reports.document import CellValue, Header, Signature


class ReportError(Exception):
    """The report cannot be built: the unit, period or data is missing (the reason is shown)."""


def body_of(unit: AdminUnit) -> str:
    """The People's Committee of a unit in header style: "UBND XÃ DƯƠNG ĐỨC"; a village has its
    development board ("BAN PHÁT TRIỂN THÔN CỐNG PHÊN")."""
    if unit.level == Level.VILLAGE:
        return _("VILLAGE DEVELOPMENT BOARD %(name)s") % {"name": unit.name.upper()}
    return "UBND " + unit.name.upper()


def place_of(unit: AdminUnit) -> str:
    """The place in the date line: the commune's bare name ("Dương Đức")."""
    commune = unit.parent if unit.level == Level.VILLAGE and unit.parent else unit
    return split_kind(commune.name)[1]


def header_for(unit: AdminUnit, *, number: str = "", on: dt.date | None = None) -> Header:
    parent = unit.parent
    return Header(
        issuer=body_of(unit),
        issuer_parent=body_of(parent) if parent is not None else "",
        number=number,
        place=place_of(unit),
        date=on,
    )


def committee_signature(name: str = "", *, deputy: bool = True) -> Signature:
    """The usual signature of a commune's People's Committee document."""
    if deputy:
        return Signature(
            on_behalf=_("ON BEHALF OF THE PEOPLE'S COMMITTEE"),
            authority=_("FOR THE CHAIR"),
            position=_("VICE-CHAIR"),
            name=name,
        )
    return Signature(
        on_behalf=_("ON BEHALF OF THE PEOPLE'S COMMITTEE"), position=_("CHAIR"), name=name
    )


def data_version(unit: AdminUnit, *, subtree: bool = True) -> str:
    """The latest change of any value in the unit (and below): reports with the same version
    were built from the same data."""
    values = DataValue.objects.all()
    values = (
        values.filter(unit__path__startswith=unit.path) if subtree else values.filter(unit=unit)
    )
    latest = values.aggregate(at=Max("updated_at"), id=Max("id"))
    if latest["at"] is None:
        return _("no values")
    return "{}#{}".format(
        timezone.localtime(latest["at"]).strftime("%d/%m/%Y %H:%M:%S"), latest["id"]
    )


def basis_footnote(basis: str) -> str:
    """Which values the figures count: a report says it (approved: the official figures)."""
    if basis == Basis.APPROVED:
        return _("Figures counted from approved values only (the official figures).")
    return _(
        "Working figures: every value entered counts, including values not yet approved; "
        "not the official figures."
    )


def unverified_footnote() -> str:
    return _(
        "Thresholds marked * are not yet confirmed against the legal text (unverified); "
        "check them before relying on the status."
    )


PASS = ("true", "met")
FAIL = ("false", "not_met")


def number_of(text: str | Decimal | None) -> int | Decimal | None:
    """A stored number ("93.50", "100") as a workbook number: 93.5, 100; None when not one."""
    try:
        number = Decimal(str(text))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    return int(number) if number == number.to_integral_value() else number.normalize()


def workbook_value(text: str | None) -> CellValue:
    """A stored value or threshold as a workbook cell: a number, "Đạt"/"Chưa đạt" for pass/fail,
    else the text itself (None when empty)."""
    if text in (None, ""):
        return None
    if text in PASS:
        return pgettext("criterion status", "Met")
    if text in FAIL:
        return pgettext("criterion status", "Not met")
    if text == "no_data":
        return pgettext("criterion status", "No data")
    if text == "no_threshold":
        return pgettext("criterion status", "No threshold")
    number = number_of(text)
    return str(text) if number is None else number


def default_family(
    area: AdminUnit, period: Period, planned: Iterable[int] = (), *, most_reported: bool = False
) -> CriteriaSet | None:
    """The commune set a report of this area and period is about when none is asked for: of the
    sets with stored results of the area's communes up to the period's end, the one in force on
    that day, then one the plans' count targets aim at (``planned``: set ids), then the most
    advanced (the longest chain of prerequisites), then the one most communes have results of;
    ``most_reported`` (a province's roll-up) puts the last before the most advanced. With no
    result by then, the same among the sets with later results (the report then says the
    period has none); None when the area has no result at all. One query, two in that case."""
    families = {f.pk: f for f in families_for_unit(area, "commune")}
    if area.level == Level.COMMUNE:
        scope = Q(unit=area)
    else:
        scope = Q(unit__path__startswith=area.path, unit__level=Level.COMMUNE)

    def counted(**by: object) -> dict[int, int]:
        return dict(
            SetResult.stored.filter(scope, criteria_set__in=list(families), **by)
            .order_by()
            .values("criteria_set")
            .annotate(n=Count("unit", distinct=True))
            .values_list("criteria_set", "n")
        )

    # Nothing by then: the sets with later results, so the report can say which period lacks.
    counts = counted(period_end__lte=period.end) or counted()
    planned = set(planned)

    def depth(family: CriteriaSet) -> int:
        steps, seen = 0, {family.pk}
        while family.prerequisite_id in families and family.prerequisite_id not in seen:
            family = families[family.prerequisite_id]
            seen.add(family.pk)
            steps += 1
        return steps

    def rank(family: CriteriaSet) -> tuple[bool, bool, int, int, str]:
        end = period.end
        in_force = (family.valid_from is None or family.valid_from <= end) and (
            family.valid_to is None or family.valid_to >= end
        )
        n, steps = counts[family.pk], depth(family)
        first, second = (n, steps) if most_reported else (steps, n)
        return (in_force, family.pk in planned, first, second, family.code)

    found = [families[pk] for pk in counts]
    return max(found, key=rank) if found else None
