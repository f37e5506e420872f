"""Password guessing, on the site's and the admin's login alike (django-axes records every
failure; docs/security.md states the policy):

* an account is locked after ``AXES_FAILURE_LIMIT`` (5) wrong passwords; the lock lasts 15
  minutes, doubled at each further lock of the same account within a day (30 min, 1 h … up to
  24 h) — ``cool_off``;
* an address that sent ``NTM_LOGIN_ADDRESS_LIMIT`` (30) wrong passwords within 15 minutes, for
  any accounts, is refused for the rest of that window — ``AddressThrottleBackend`` — so that a
  whole office behind one address is not locked by one person's typing, while a script trying
  many accounts is stopped.
"""

import datetime as dt
from typing import Any

from axes.models import AccessFailureLog
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ntm.core.net import client_ip

FIRST_LOCK = dt.timedelta(minutes=15)
LONGEST_LOCK = dt.timedelta(hours=24)
ADDRESS_WINDOW = dt.timedelta(minutes=15)


def cool_off(request: HttpRequest | None = None) -> dt.timedelta:
    """How long a lock lasts: 15 minutes, doubled for each earlier lock of the account today."""
    username = ""
    if request is not None:
        username = str(request.POST.get("username", "") or "")
    if not username:
        return FIRST_LOCK
    failures = AccessFailureLog.objects.filter(
        username=username, attempt_time__gte=timezone.now() - dt.timedelta(days=1)
    ).count()
    earlier_locks = min(max(0, failures // settings.AXES_FAILURE_LIMIT - 1), 10)
    return min(FIRST_LOCK * 2**earlier_locks, LONGEST_LOCK)


class AddressThrottleBackend:
    """Checked before the password: refuses the attempt while the address is throttled. It
    never authenticates anyone, and has no ``get_user`` (so that no session names it)."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        if request is None or not getattr(settings, "AXES_ENABLED", True):
            return None
        recent = AccessFailureLog.objects.filter(
            ip_address=client_ip(request),
            attempt_time__gte=timezone.now() - ADDRESS_WINDOW,
        ).count()
        if recent >= settings.NTM_LOGIN_ADDRESS_LIMIT:
            # django-axes' middleware answers with the lockout page.
            request.axes_locked_out = True  # type: ignore[attr-defined]
            raise PermissionDenied
        return None


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The page of a refused login (django-axes' ``AXES_LOCKOUT_CALLABLE``): why, and when to
    try again; 429 Too Many Requests."""
    minutes = max(1, round(cool_off(request).total_seconds() / 60))
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes},
        status=429,
    )
