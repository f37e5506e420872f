"""Finding the objects an API request names, by the codes scripts know."""

import datetime as dt

from django.utils import timezone

from ntm.geo.models import AdminUnit


def unit_version(code: str, on: dt.date | None = None) -> AdminUnit | None:
    """The version of the code in force on the day (default today), else its latest version.

    Codes are reused across reforms, so a code names a unit only together with a day.
    """
    versions = list(AdminUnit.objects.filter(code=code).select_related("parent"))
    if not versions:
        return None
    day = on or timezone.localdate()
    for unit in versions:
        if unit.is_valid_on(day):
            return unit
    return max(versions, key=lambda u: u.valid_from or dt.date.min)
