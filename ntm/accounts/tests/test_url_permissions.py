"""Every URL of the project, every role: another unit's non-public pages answer 403 or 404.

New URL patterns are covered automatically when they take a unit id; any other new pattern
must be classified below, or this test fails.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Pages anyone may open without logging in.
PUBLIC = {
    "accounts:login",
    "set_language",
    # The forgotten-password flow (tested in test_login_protection.py).
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_complete",
}
# Public pages that take an object from the URL (ntm.portal: a unit by national code, a work by
# id); they show only public data, tested in ntm/portal/tests.
PUBLIC_WITH_KWARGS = {
    "accounts:password_reset_confirm",  # a signed one-time link
    "portal:unit",
    "portal:unit_feedback",
    "portal:work",
    "portal:work_feedback",
    "portal:work_sign",
    "portal:work_photo",
}
# Pages that need a login but show nothing unit-specific beyond the user's own scope.
# The criteria catalog is public legal data: any logged-in user reads it; edits check the role.
CATALOG = {"catalog:set", "catalog:indicator", "catalog:export"}
LOGIN_ONLY = {
    "catalog:list",
    "catalog:upload",
    "home",
    "geo:index",
    "accounts:logout",
    "accounts:password_change",
    "accounts:password_change_done",
    "accounts:profile",
    "apitokens:create",
    "apitokens:revoke",
    # Refused (403) to everyone but system administrators: tested in ntm/evaluation/tests.
    "evaluation:pipeline",
}
# Pages keyed by a token kept in the person's own session (a refused import's whole list of
# problems): tested in ntm/core/tests.
SESSION_ONLY = {"refused"}
UNIT_KWARGS = {"unit_id"}
# Extra path parts a unit page may take, with a valid example for the foreign unit.
UNIT_PAGE_EXTRAS = {
    "set_code": "xa-thu-nghiem",
    "number": 1,
    "period": "2024Q1",
    "code": "1.1",
    "year": 2024,
    "task_id": 1,
    "obstacle_id": 1,
    "update_id": 1,
    # ntm.organisation: objects are looked up inside the unit of the URL only.
    "committee_id": 1,
    "member_id": 1,
    "campaign_id": 1,
    "award_id": 1,
    "product_id": 1,
    # ntm.finance: works are looked up inside the unit of the URL only.
    "work_id": 1,
    "fmt": "csv",
    # ntm.recognition: surveys and dossiers are looked up inside the unit of the URL only.
    "survey_id": 1,
    "dossier_id": 1,
    # ntm.portal: feedback is looked up inside the unit of the URL only.
    "feedback_id": 1,
    # ntm.reports: a report's name and a bulk job looked up inside the unit of the URL only.
    "report": "bieu1",
    "job_id": 1,
    # ntm.decisions: scenarios are looked up inside the unit of the URL only.
    "scenario_id": 1,
}
# Pages of one object that belongs to a unit: kwarg -> fixture building a foreign object.
OBJECT_KWARGS = {"value_id", "evidence_id"}
ROLES = ["tinh", "xa", "congchuc", "thon", "mttq", "xem"]


def _patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            ns = item.namespace or ""
            if ns == "admin":
                continue  # the admin checks is_staff itself; tested separately
            if ns == "api":
                continue  # every API operation is in ntm/api/tests/test_permission_matrix.py
            yield from _patterns(item, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(item, URLPattern) and item.name:
            yield f"{namespace}{item.name}", set(item.pattern.converters)


ALL = sorted(_patterns())


def test_every_url_pattern_is_classified():
    unknown = [
        (name, kwargs)
        for name, kwargs in ALL
        if name not in CATALOG | PUBLIC_WITH_KWARGS | SESSION_ONLY
        and (
            (not kwargs and name not in PUBLIC | LOGIN_ONLY)
            or (
                kwargs
                and not UNIT_KWARGS <= kwargs <= UNIT_KWARGS | set(UNIT_PAGE_EXTRAS)
                and not (len(kwargs) == 1 and kwargs <= OBJECT_KWARGS)
            )
        )
    ]
    assert unknown == [], "classify these URL patterns in this test"


@pytest.mark.parametrize("name", sorted(n for n, k in ALL if not k and n in LOGIN_ONLY))
def test_login_only_pages_send_anonymous_users_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("accounts:login"))


UNIT_PAGES = sorted((n, tuple(sorted(k))) for n, k in ALL if "unit_id" in k)
OBJECT_PAGES = sorted((n, next(iter(k))) for n, k in ALL if len(k) == 1 and k <= OBJECT_KWARGS)


def _unit_url(name, kwargs, unit):
    return reverse(
        name, kwargs={k: unit.pk if k == "unit_id" else UNIT_PAGE_EXTRAS[k] for k in kwargs}
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "kwargs"), UNIT_PAGES)
def test_another_units_pages_are_refused_for_every_role(
    persona, client, other_commune, small_set, role, name, kwargs
):
    persona(role)
    village = other_commune.children.get()
    for unit in (other_commune, village, other_commune.parent):
        url = _unit_url(name, kwargs, unit)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (403, 404, 405), (role, name, unit, method)


@pytest.fixture
def foreign_objects(other_commune, small_set, settings, tmp_path):
    """A value with evidence in a commune no demo user may see."""
    settings.MEDIA_ROOT = tmp_path
    from ntm.accounts.models import User
    from ntm.observations.services import evidence_add, value_set

    admin = User.objects.get(username="admin")
    value, _ = value_set(
        user=admin,
        unit=other_commune,
        criteria_set=small_set,
        code="1.1",
        period="2024Q1",
        value="90",
    )
    evidence = evidence_add(user=admin, value=value, name="a.pdf", content=b"%PDF-1.4")
    return {"value_id": value.pk, "evidence_id": evidence.pk}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "kwarg"), OBJECT_PAGES)
def test_another_units_objects_are_refused_for_every_role(
    persona, client, foreign_objects, role, name, kwarg, settings, tmp_path
):
    persona(role)
    url = reverse(name, kwargs={kwarg: foreign_objects[kwarg]})
    for method in (client.get, client.post):
        assert method(url).status_code in (403, 404, 405), (role, name, method)


@pytest.mark.parametrize(("name", "kwargs"), UNIT_PAGES)
def test_anonymous_users_never_see_unit_pages(client, demo, small_set, name, kwargs):
    response = client.get(_unit_url(name, kwargs, demo["07408"]))
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
