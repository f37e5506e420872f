"""Options the decision commands share: a period as people write it, a unit by its code, and
a national set."""

from django.core.management.base import CommandError

from ntm.catalog.models import CriteriaSet
from ntm.engine.periods import parse_period
from ntm.geo.models import AdminUnit
from ntm.geo.selectors import version_for_period, version_on


def period_option(text: str) -> str:
    """The period's code ("" when none was given); a clear error for anything else."""
    text = text.strip()
    if not text:
        return ""
    try:
        return parse_period(text).code
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


def national_set(code: str) -> CriteriaSet:
    family = CriteriaSet.objects.filter(code=code, localises__isnull=True).first()
    if family is None:
        raise CommandError(f"No national criteria set has the code {code!r}.")
    return family


def unit_option(code: str, period: str, level: int, noun: str) -> AdminUnit:
    """The unit a code names: the version in force during ``period`` (a code reused by the 2025
    reform names the old unit for its periods), else today's, else the latest; ``noun``
    ("province", "commune") says what the command wanted in its errors."""
    code = code.strip()
    unit = version_on(code)
    if unit is None or unit.level != level:
        raise CommandError(f"No {noun} has the code {code!r}.")
    if period:
        p = parse_period(period)
        unit = version_for_period(code, p.start, p.end)
        if unit is None:
            raise CommandError(f"{noun.capitalize()} {code} did not exist in {period}.")
    return unit
