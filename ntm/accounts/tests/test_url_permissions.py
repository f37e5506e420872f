"""Every URL of the project, every role: another unit's non-public pages answer 403 or 404.

New URL patterns are covered automatically when they take a unit id; any other new pattern
must be classified below, or this test fails.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Pages anyone may open without logging in.
PUBLIC = {"accounts:login", "set_language"}
# Pages that need a login but show nothing unit-specific beyond the user's own scope.
LOGIN_ONLY = {
    "core:home",
    "geo:index",
    "accounts:logout",
    "accounts:password_change",
    "accounts:password_change_done",
    "accounts:profile",
}
UNIT_KWARGS = {"unit_id"}
ROLES = ["tinh", "xa", "congchuc", "thon", "mttq", "xem"]


def _patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            ns = item.namespace or ""
            if ns == "admin":
                continue  # the admin checks is_staff itself; tested separately
            yield from _patterns(item, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(item, URLPattern) and item.name:
            yield f"{namespace}{item.name}", set(item.pattern.converters)


ALL = sorted(_patterns())


def test_every_url_pattern_is_classified():
    unknown = [
        (name, kwargs)
        for name, kwargs in ALL
        if (not kwargs and name not in PUBLIC | LOGIN_ONLY)
        or (kwargs and not kwargs <= UNIT_KWARGS)
    ]
    assert unknown == [], "classify these URL patterns in this test"


@pytest.mark.parametrize("name", sorted(n for n, k in ALL if not k and n in LOGIN_ONLY))
def test_login_only_pages_send_anonymous_users_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("accounts:login"))


UNIT_PAGES = sorted(n for n, k in ALL if k and k <= UNIT_KWARGS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", UNIT_PAGES)
def test_another_units_pages_are_refused_for_every_role(persona, client, other_commune, role, name):
    persona(role)
    village = other_commune.children.get()
    for unit in (other_commune, village, other_commune.parent):
        url = reverse(name, kwargs={"unit_id": unit.pk})
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (403, 404, 405), (role, name, unit, method)


@pytest.mark.parametrize("name", UNIT_PAGES)
def test_anonymous_users_never_see_unit_pages(client, demo, name):
    response = client.get(reverse(name, kwargs={"unit_id": demo["07408"].pk}))
    assert response.status_code == 302


def test_village_head_sees_only_their_village(persona, client, demo):
    persona("thon")
    cong_phen = demo["07408.05"]
    assert client.get(reverse("geo:detail", args=[cong_phen.pk])).status_code == 200
    sibling = demo["07408"].children.exclude(pk=cong_phen.pk).first()
    assert client.get(reverse("geo:detail", args=[sibling.pk])).status_code == 404
    assert client.get(reverse("geo:detail", args=[demo["07408"].pk])).status_code == 404


def test_admin_site_is_closed_to_non_staff(persona, client):
    persona("xa")
    assert client.get(reverse("admin:index")).status_code == 302
