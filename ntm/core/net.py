"""The client's address behind the reverse proxies the installation trusts."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address of the client, or "" when unknown.

    With ``NTM_PROXY_COUNT`` = N > 0, each of our N proxies appends the address it received the
    request from to X-Forwarded-For, so the client is the N-th entry from the right; entries
    further left were written by the client itself and are never trusted. With N = 0 (the
    default) the header is ignored and REMOTE_ADDR is the client."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    count = int(getattr(settings, "NTM_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    header = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    entries = [e.strip() for e in header.split(",") if e.strip()]
    if not entries:
        # A request that reached us without passing through the proxy.
        return remote
    # Fewer entries than proxies: all of them were written by our proxies; take the leftmost.
    candidate = entries[-count] if len(entries) >= count else entries[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
