import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ntm.accounts.models import User
from ntm.accounts.permissions import Action, require, unit_or_404
from ntm.audit import selectors


def _day(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


@login_required
@require_GET
def activity(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Who changed what, when, in the unit and below: for its management (the log names
    contributors and shows every value's past)."""
    unit = unit_or_404(request.user, unit_id)
    require(request.user, Action.APPROVE_DATA, unit)
    get = request.GET
    try:
        object_id = int(get.get("object", "")) if get.get("kind") in selectors.BY_CODE else None
    except ValueError:
        object_id = None
    try:
        page = max(1, min(int(get.get("page", "1")), 1000))
    except ValueError:
        page = 1
    filters = selectors.Filters(
        person=get.get("person", "")[:150],
        kind=get.get("kind", "") if get.get("kind") in selectors.BY_CODE else "",
        object_id=object_id,
        since=_day(get.get("since", "")),
        until=_day(get.get("until", "")),
    )
    entries, older = selectors.activity(unit=unit, filters=filters, page=page)
    people = (
        User.objects.filter(memberships__unit__path__startswith=unit.path)
        .distinct()
        .order_by("username")
    )
    query = get.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/activity.html",
        {
            "unit": unit,
            "entries": entries,
            "filters": filters,
            "kinds": selectors.KINDS,
            "people": people,
            "page": page,
            "older": older,
            "query": query.urlencode(),
        },
    )
