import pytest
from django.test import RequestFactory

from ntm.core.net import client_ip


def _request(remote: str = "10.0.0.1", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_header_is_ignored(settings):
    settings.NTM_PROXY_COUNT = 0
    assert client_ip(_request("10.0.0.1", "203.0.113.7")) == "10.0.0.1"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        # one proxy (nginx): the client is the last entry, a spoofed one on the left is ignored
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        (1, "1.2.3.4,203.0.113.7 ", "203.0.113.7"),
        # two proxies (load balancer, nginx): the second from the right
        (2, "1.2.3.4, 203.0.113.7, 192.0.2.10", "203.0.113.7"),
        (2, "203.0.113.7, 192.0.2.10", "203.0.113.7"),
        # fewer entries than proxies: never further left than what is there
        (2, "192.0.2.10", "192.0.2.10"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_read_from_the_right(settings, count, forwarded, expected):
    settings.NTM_PROXY_COUNT = count
    assert client_ip(_request("10.0.0.1", forwarded)) == expected


def test_missing_or_garbage_header_falls_back_to_the_peer(settings):
    settings.NTM_PROXY_COUNT = 1
    assert client_ip(_request("10.0.0.1")) == "10.0.0.1"
    assert client_ip(_request("10.0.0.1", "")) == "10.0.0.1"
    assert client_ip(_request("10.0.0.1", "1.2.3.4, not-an-address")) == "10.0.0.1"
