"""Who is calling: a personal token (scripts) or the browser's session (with its CSRF check).

Either way the request acts as the user, through the same permission service as the web pages.
"""

import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import BaseThrottle

from ntm.api.errors import ApiError
from ntm.api.services import token_for_key
from ntm.core.net import client_ip

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_for_key(token)
        if found is None:
            # A wrong key is an error of its own, not an anonymous request.
            raise ApiError(401, "invalid_token", _("The token is unknown, revoked or expired."))
        if found.read_only and request.method not in SAFE_METHODS:
            raise ApiError(403, "read_only_token", _("This token is read-only."))
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found


class BrowserSession(SessionAuth):
    """Django's session, for the docs page and pages' scripts; CSRF is checked on writes."""


AUTH = [TokenAuth(), BrowserSession()]

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _rate() -> tuple[int, int]:
    """``settings.NTM_API_RATE`` ("600/m"): requests per window, window in seconds."""
    text = str(getattr(settings, "NTM_API_RATE", "600/m"))
    count, _sep, period = text.partition("/")
    return int(count), PERIODS.get(period[:1] or "m", 60)


class RateLimit(BaseThrottle):
    """A fixed window per token, else per user, else per client address, in Django's cache
    (shared by every web process when the cache is Redis)."""

    def _ident(self, request: HttpRequest) -> str:
        token = getattr(request, "api_token", None)
        if token is not None:
            return f"t{token.pk}"
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"u{user.pk}"
        return f"a{client_ip(request) or 'unknown'}"

    def allow_request(self, request: HttpRequest) -> bool:
        count, window = _rate()
        now = time.time()
        key = f"ntm-api:{self._ident(request)}:{int(now // window)}"
        cache.add(key, 0, timeout=window + 1)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 1)
            used = 1
        return used <= count

    def wait(self) -> float | None:
        _count, window = _rate()
        return max(1, math.ceil(window - time.time() % window))
