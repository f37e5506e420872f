"""Carrying people across the 2025 merger: a previewed action, idempotent, refused to those who
do not administer the successor today; the home page lists today's units first."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from ntm.accounts.models import Membership, Role, User
from ntm.accounts.services import CarryStatus, carry_over_preview, memberships_carry_over


def _units(user: User) -> set[tuple[str, str]]:
    return {(m.unit.code, str(m.unit.valid_from)) for m in user.memberships.select_related("unit")}


def test_preview_lists_who_gets_which_role_where_and_why_not(demo):
    bac_ninh = demo["07420"].parent
    rows = carry_over_preview(bac_ninh)
    by_user = {(r.membership.user.username, r.successor.code): r for r in rows}
    xa = by_user[("xa", "07420")]
    assert xa.status == CarryStatus.NEW and xa.predecessor.code == "07408"
    assert xa.membership.role == Role.COMMUNE_MANAGER
    congchuc = by_user[("congchuc", "07420")]
    assert congchuc.membership.fields == ["culture", "education", "health"]
    # Cống Phên continued as a new version under Mỹ Thái: its head goes with it.
    thon = by_user[("thon", "07408.05")]
    assert thon.status == CarryStatus.NEW and thon.successor.parent_id == demo["07420"].pk
    assert by_user[("tinh", "24")].status == CarryStatus.NEW
    # The system administrator's membership is not a unit's role.
    admin = by_user[("admin", "24")]
    assert admin.status == CarryStatus.SKIPPED and "hệ thống" in admin.reason
    # Nothing was written by the preview.
    assert not Membership.objects.filter(unit=demo["07420"]).exists()


def test_carry_over_creates_the_roles_once_and_keeps_the_history(demo):
    bac_ninh = demo["07420"].parent
    admin = User.objects.get(username="admin")
    assert memberships_carry_over(unit=bac_ninh, actor=admin, dry_run=True)
    assert not Membership.objects.filter(unit=demo["07420"]).exists()
    memberships_carry_over(unit=bac_ninh, actor=admin)
    mine = Membership.objects.get(user__username="congchuc", unit=demo["07420"])
    assert mine.role == Role.SPECIALIST and mine.fields == ["culture", "education", "health"]
    assert mine.history.first().history_user == admin
    # The old role stays: Dương Đức's pages still say who served there.
    assert Membership.objects.filter(user__username="xa", unit=demo["07408"]).exists()
    again = memberships_carry_over(unit=bac_ninh, actor=admin)
    assert not [r for r in again if r.status == CarryStatus.NEW]
    assert Membership.objects.filter(user__username="xa", unit=demo["07420"]).count() == 1


def test_two_predecessors_give_one_role_with_the_fields_of_both(demo):
    tan_thanh = next(
        s.predecessor
        for s in demo["07420"].successions_in.select_related("predecessor")
        if s.predecessor.code == "07411"
    )
    Membership.objects.create(
        user=User.objects.get(username="congchuc"),
        unit=tan_thanh,
        role=Role.SPECIALIST,
        fields=["transport"],
    )
    memberships_carry_over(unit=demo["07420"], actor=None)
    mine = Membership.objects.get(user__username="congchuc", unit=demo["07420"])
    assert mine.fields == ["culture", "education", "health", "transport"]


def test_page_previews_then_carries_over_for_the_administrator(persona, client, demo):
    persona("admin")
    bac_ninh = demo["07420"].parent
    url = reverse("people:carry_over", args=[bac_ninh.pk])
    text = client.get(url).text
    assert "Trưởng Ban quản lý xã (minh họa)" in text and "Xã Dương Đức" in text
    assert not Membership.objects.filter(unit=demo["07420"]).exists()
    response = client.post(url)
    assert response.status_code == 302
    xa = User.objects.get(username="xa")
    assert ("07420", "2025-07-01") in _units(xa)
    # The unit page links the action for those who may run it.
    assert url in client.get(reverse("geo:detail", args=[bac_ninh.pk])).text


@pytest.mark.parametrize("username", ["tinh", "xa", "congchuc", "mttq", "xem"])
def test_only_an_administrator_of_the_successor_today_may_carry_over(
    persona, client, demo, username
):
    # tinh administered Bắc Giang, which ended: Bắc Ninh is not theirs to staff.
    persona(username)
    bac_ninh = demo["07420"].parent
    url = reverse("people:carry_over", args=[bac_ninh.pk])
    assert client.get(url).status_code in (403, 404)
    assert client.post(url).status_code in (403, 404)
    assert not Membership.objects.filter(unit=demo["07420"]).exists()


def test_an_ended_unit_cannot_receive_people(persona, client, demo):
    persona("admin")
    url = reverse("people:carry_over", args=[demo["07408"].pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 403


def test_command_dry_run_writes_nothing_then_carries(demo):
    out = StringIO()
    call_command("carry_over_memberships", "--unit", "24", "--dry-run", stdout=out)
    assert "xa (" in out.getvalue() and "would carry over" in out.getvalue()
    assert not Membership.objects.filter(unit=demo["07420"]).exists()
    call_command("carry_over_memberships", "--unit", "24", stdout=StringIO())
    assert Membership.objects.filter(unit=demo["07420"]).count() == 4


def test_home_lists_todays_units_first_and_ended_ones_as_history(persona, client, demo):
    xa = persona("xa")
    text = client.get(reverse("home")).text
    # Before the carry-over: only history, and what to ask for.
    assert "Xã Dương Đức" in text and "30/06/2025" in text
    memberships_carry_over(unit=demo["07420"].parent, actor=None)
    client.force_login(xa)
    text = client.get(reverse("home")).text
    mine, history = text.split("<h2>Lịch sử</h2>") if "<h2>Lịch sử</h2>" in text else (text, "")
    assert "Xã Mỹ Thái" in mine and "Xã Dương Đức" not in mine
    assert "Xã Dương Đức" in history
    assert reverse("geo:detail", args=[demo["07420"].pk]) in history
