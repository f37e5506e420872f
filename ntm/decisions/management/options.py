"""Options the decision commands share: a period as people write it, and a national set."""

from django.core.management.base import CommandError

from ntm.catalog.models import CriteriaSet
from ntm.engine.periods import parse_period


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
