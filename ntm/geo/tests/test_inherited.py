"""A merged commune's page shows the work it inherits — the predecessors' last results, their
unfinished tasks and works, feedback waiting, surveys and dossiers — each marked with where it
came from; an unfinished work can be taken over with its progress and photos."""

import pytest
from django.urls import reverse

from ntm.accounts.services import memberships_carry_over
from ntm.demo.loader import load_demo
from ntm.finance.models import Work


@pytest.fixture
def demo_full(db):
    return load_demo(with_values=True)


def _page(client, unit) -> str:
    return client.get(reverse("geo:detail", args=[unit.pk])).content.decode()


def test_the_successor_shows_what_it_inherits(client, demo_full):
    from ntm.accounts.models import User

    client.force_login(User.objects.get(username="admin"))
    my_thai = demo_full["07420"]
    text = _page(client, my_thai)
    section = text.split('id="inherited"')[1].split("</section>")[0]
    # Dương Đức's last advanced-set result, 13/19 at 2024Q4, marked with its name.
    assert "Xã Dương Đức" in section and "<strong>13/19</strong>" in section and "2024Q4" in section
    # Unfinished tasks of its 2024 plan and Cống Phên's unfinished work.
    assert "unfinished task" in section or "nhiệm vụ chưa xong" in section
    assert "Thôn Cống Phên" in section
    # Only on units in force: Dương Đức's own page has no such section.
    assert 'id="inherited"' not in _page(client, demo_full["07408"])


def test_a_work_is_taken_over_with_its_history(client, demo_full):
    from ntm.accounts.models import User

    memberships_carry_over(unit=demo_full["07420"].parent, actor=None)
    client.force_login(User.objects.get(username="xa"))
    my_thai = demo_full["07420"]
    work = (
        Work.objects.exclude(status=Work.Status.DONE)
        .filter(unit__code="07408.05", unit__valid_to__isnull=False)
        .first()
    )
    assert work is not None
    updates = work.updates.count()
    old_unit = work.unit
    from ntm.finance.selectors import mobilisation

    before = mobilisation(unit=demo_full["07408"], year=work.year).total
    url = reverse("finance:work_transfer", args=[my_thai.pk, work.pk])
    assert url in _page(client, my_thai)
    assert client.post(url).status_code == 302
    work.refresh_from_db()
    # Cống Phên continues under Mỹ Thái: the work goes to that village, not the commune.
    assert work.unit.code == "07408.05" and work.unit.parent_id == my_thai.pk
    assert work.transferred_from == old_unit and work.updates.count() == updates
    # Its money stays in the books of the year it was planned: Dương Đức's 2024 table.
    assert mobilisation(unit=demo_full["07408"], year=work.year).total == before
    assert mobilisation(unit=my_thai, year=work.year).total == 0
    # Once taken over it is no longer listed as inherited, and a second post finds nothing.
    assert url not in _page(client, my_thai)
    assert client.post(url).status_code == 404


def test_a_finished_work_stays_and_others_cannot_take_over(client, persona, demo_full):
    from ntm.accounts.models import User

    my_thai = demo_full["07420"]
    done = Work.objects.filter(status=Work.Status.DONE, unit__valid_to__isnull=False).first()
    client.force_login(User.objects.get(username="admin"))
    url = reverse("finance:work_transfer", args=[my_thai.pk, done.pk])
    response = client.post(url, follow=True)
    assert "stays with the unit that built it" in response.content.decode() or (
        "vẫn thuộc đơn vị" in response.content.decode()
    )
    done.refresh_from_db()
    assert done.transferred_from is None and done.unit.valid_to is not None
    open_work = (
        Work.objects.exclude(status=Work.Status.DONE).filter(unit__valid_to__isnull=False).first()
    )
    # Someone who serves only Dương Đức (xa before the demo's carry-over): Mỹ Thái is not theirs.
    from ntm.accounts.models import Membership

    Membership.objects.filter(user__username="xa", unit=my_thai).delete()
    client.force_login(User.objects.get(username="xa"))
    url = reverse("finance:work_transfer", args=[my_thai.pk, open_work.pk])
    assert client.post(url).status_code == 404
    # Through Dương Đức's own id nothing is taken either (it has no predecessors).
    url = reverse("finance:work_transfer", args=[demo_full["07408"].pk, open_work.pk])
    assert client.post(url).status_code == 404
    open_work.refresh_from_db()
    assert open_work.transferred_from is None
