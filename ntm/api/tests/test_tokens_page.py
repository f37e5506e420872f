"""The profile page's tokens: created by their owner (key shown once), revoked only by them."""

import pytest

from ntm.api.models import ApiToken

pytestmark = pytest.mark.django_db


def test_a_user_creates_a_token_sees_the_key_once_and_uses_it(client, persona):
    persona("xa")
    page = client.get("/accounts/profile/").content.decode()
    assert 'action="/accounts/tokens/create/"' in page
    created = client.post("/accounts/tokens/create/", {"name": "upload script", "read_only": "1"})
    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    key = created.context["key"]
    assert key in created.content.decode()
    token = ApiToken.objects.get()
    assert token.read_only and token.user.username == "xa" and token.name == "upload script"
    profile = client.get("/accounts/profile/").content.decode()
    assert "upload script" in profile and key not in profile and f"ntm_{token.prefix}_" in profile
    client.logout()
    assert client.get("/api/v1/units/07408", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_only_the_owner_revokes_a_token(client, persona):
    from ntm.api.services import token_create

    owner = persona("xa")
    mine = token_create(user=owner, name="mine").token
    theirs = token_create(user=persona("tinh"), name="theirs").token
    persona("xa")
    assert client.post("/accounts/tokens/revoke/", {"token": theirs.pk}).status_code == 404
    assert client.post("/accounts/tokens/revoke/", {"token": "x"}).status_code == 403
    assert client.post("/accounts/tokens/revoke/", {"token": mine.pk}).status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None


def test_a_token_needs_a_name(client, persona):
    persona("xa")
    response = client.post("/accounts/tokens/create/", {"name": "  "})
    assert response.status_code == 302 and not ApiToken.objects.exists()


def test_public_endpoints_show_the_portal_data_without_authentication(catalog, client, token_for):
    from ntm.demo.values import ADVANCED, COMMUNE_2024Q1

    rows = [
        {
            "unit": "07408",
            "set": ADVANCED,
            "code": c,
            "period": "2024Q1",
            "value": v,
            "note": "nội bộ",
        }
        for c, v in COMMUNE_2024Q1.items()
    ]
    client.post(
        "/api/v1/values",
        {"values": rows},
        content_type="application/json",
        HTTP_AUTHORIZATION=token_for("xa"),
    )
    client.logout()
    # Drafts are not public: nothing until the commune submits and its manager approves.
    assert client.get("/api/v1/public/units/07408").json()["sets"] == []
    _approve_all("07408", ADVANCED, "2024Q1")
    response = client.get("/api/v1/public/units/07408")
    assert response.status_code == 200
    body = response.json()
    advanced = next(s for s in body["sets"] if s["set"] == ADVANCED)
    assert (advanced["met"], advanced["total"]) == (12, 19)
    assert "nội bộ" not in response.content.decode("unicode_escape", "replace")
    assert "nội bộ" not in response.content.decode()
    assert client.get("/api/v1/public/units/nope").json()["code"] == "not_found"
    assert client.get("/api/v1/public/works/999999").status_code == 404


def test_a_token_may_be_valid_until_a_day_and_then_stops_working(client, persona):
    import datetime as dt

    from django.utils import timezone

    persona("xa")
    today = timezone.localdate()
    created = client.post(
        "/accounts/tokens/create/",
        {"name": "one-off", "expires_on": (today + dt.timedelta(days=2)).isoformat()},
    )
    key = created.context["key"]
    token = ApiToken.objects.get()
    # Valid all through the chosen day, local time.
    assert timezone.localtime(token.expires_at) == timezone.make_aware(
        dt.datetime.combine(today + dt.timedelta(days=3), dt.time.min)
    )
    assert (
        client.get("/accounts/profile/")
        .content.decode()
        .count(timezone.localtime(token.expires_at).strftime("%d/%m/%Y"))
    )
    client.logout()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/v1/units/07408", **auth).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    refused = client.get("/api/v1/units/07408", **auth)
    assert refused.status_code == 401 and refused.json()["code"] == "invalid_token"


@pytest.mark.parametrize("day", ["2020-01-01", "31/02/2030", "soon"])
def test_an_expiry_in_the_past_or_not_a_date_is_refused(client, persona, day):
    persona("xa")
    response = client.post("/accounts/tokens/create/", {"name": "x", "expires_on": day})
    assert response.status_code == 302 and not ApiToken.objects.exists()
    shown = client.get(response["Location"]).content.decode()
    assert "ngày hết hạn" in shown.lower() or "hết hạn" in shown.lower()


def _approve_all(code: str, set_code: str, period: str) -> None:
    from ntm.accounts.models import User
    from ntm.catalog.models import CriteriaSet
    from ntm.evaluation.actions import values_approve
    from ntm.geo.models import AdminUnit
    from ntm.observations.services import values_submit

    xa = User.objects.get(username="xa")
    unit = AdminUnit.objects.get(code=code)
    family = CriteriaSet.objects.get(code=set_code)
    values_submit(user=xa, unit=unit, criteria_set=family, period=period)
    assert values_approve(user=xa, unit=unit, criteria_set=family, period=period).done > 0
