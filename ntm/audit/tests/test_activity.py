"""The activity log (issue 14 item 5): every change of the registers, who and when, before and
after, filterable; for the unit's management only."""

import pytest
from django.urls import reverse

from ntm.accounts.models import User
from ntm.demo.loader import load_demo
from ntm.finance.models import Work
from ntm.finance.services import work_update
from ntm.planning.models import Plan
from ntm.planning.services import plan_update


@pytest.fixture
def demo_full(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return load_demo(with_values=True)


def test_changes_are_listed_with_who_before_and_after(client, demo_full):
    xa = User.objects.get(username="xa")
    work = Work.objects.filter(unit__code="07408.05").order_by("pk").first()
    old_name = work.name
    work_update(user=xa, work=work, name="Nhà văn hóa thôn Cống Phên (sửa tên)")
    plan = Plan.objects.get(unit=demo_full["07408"], year=2024)
    plan_update(user=xa, plan=plan, title="Kế hoạch 2024 (điều chỉnh)")
    commune = demo_full["07408"]
    client.force_login(xa)
    url = reverse("audit:activity", args=[commune.pk])
    page = client.get(url).content.decode()
    assert "Nhà văn hóa thôn Cống Phên (sửa tên)" in page and old_name in page
    assert "Kế hoạch 2024 (điều chỉnh)" in page
    assert xa.get_full_name() in page
    # One object's history, as linked from its page.
    one = client.get(url, {"kind": "work", "object": work.pk}).content.decode()
    assert "sửa tên" in one and "điều chỉnh" not in one
    detail = client.get(reverse("finance:work", args=[work.unit.pk, work.pk])).content.decode()
    assert f"kind=work&amp;object={work.pk}" in detail
    # By person: nobody else made these.
    other = client.get(url, {"person": "thon", "kind": "plan"}).content.decode()
    assert "điều chỉnh" not in other


@pytest.mark.parametrize("username", ["thon", "congchuc", "mttq", "xem"])
def test_only_the_management_reads_the_log(client, demo_full, username):
    client.force_login(User.objects.get(username=username))
    status = client.get(reverse("audit:activity", args=[demo_full["07408"].pk])).status_code
    assert status in (403, 404)
