"""Password guessing (issue 14): an account is locked after five wrong passwords, on the site's
and the admin's login, for a time that grows; an address guessing many accounts is stopped;
a forgotten password is reset by e-mail; a new password revokes the person's API tokens."""

import re

import pytest
from axes.models import AccessFailureLog
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from ntm.accounts.models import User
from ntm.accounts.throttle import cool_off
from ntm.api.models import ApiToken
from ntm.api.services import token_create

PASSWORD = "ntm-demo-2024"


def _login(client, username, password, *, admin=False, address="10.0.0.1"):
    url = reverse("admin:login") if admin else reverse("accounts:login")
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize("admin", [False, True])
def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, demo, admin):
    username = "admin" if admin else "xa"
    for _ in range(5):
        response = _login(client, username, "doan-mo", admin=admin)
        assert response.status_code in (200, 429)
    response = _login(client, username, PASSWORD, admin=admin)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Tạm thời không thể đăng nhập" in page and "15 phút" in page
    assert "_auth_user_id" not in client.session
    # Another account from the same address still logs in.
    assert _login(client, "tinh", PASSWORD).status_code == 302


def test_a_successful_login_clears_the_count(client, demo):
    for _ in range(4):
        _login(client, "xa", "sai")
    assert _login(client, "xa", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, "xa", "sai")
    assert _login(client, "xa", PASSWORD).status_code == 302


def test_each_further_lock_of_the_day_lasts_twice_as_long(db):
    request = RequestFactory().post("/accounts/login/", {"username": "xa"})
    assert cool_off(request).total_seconds() == 15 * 60
    for failures, minutes in ((5, 15), (10, 30), (15, 60), (20, 120), (200, 24 * 60)):
        AccessFailureLog.objects.all().delete()
        AccessFailureLog.objects.bulk_create(
            AccessFailureLog(username="xa", ip_address="10.0.0.1", user_agent="t")
            for _ in range(failures)
        )
        assert cool_off(request).total_seconds() == minutes * 60, failures


def test_an_address_trying_many_accounts_is_stopped(client, demo, settings):
    settings.NTM_LOGIN_ADDRESS_LIMIT = 6
    for n in range(6):
        _login(client, f"khong-co-{n}", "sai", address="10.9.9.9")
    # The right password of a real account from that address: refused, with the page.
    response = _login(client, "xa", PASSWORD, address="10.9.9.9")
    assert response.status_code == 429
    # From another address it logs in.
    assert _login(client, "xa", PASSWORD, address="10.1.1.1").status_code == 302


def test_a_forgotten_password_is_reset_by_email_and_revokes_the_tokens(client, demo):
    user = User.objects.get(username="xa")
    user.email = "xa@duongduc.example"
    user.save(update_fields=["email"])
    token_create(user=user, name="bảng tính")
    response = client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert response.status_code == 302 and len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    new = "Mat-khau-moi-2026!"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert _login(client, "xa", new).status_code == 302
    # The link works once.
    assert not client.get(link.group(1), follow=True).context["validlink"]


def test_changing_the_password_revokes_tokens_and_other_saves_do_not(client, demo):
    user = User.objects.get(username="tinh")
    token_create(user=user, name="A")
    user.first_name = "Tỉnh"
    user.save()
    assert ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() == 1
    client.force_login(user)
    new = "Mat-khau-moi-2026!"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse("accounts:password_change_done")
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
