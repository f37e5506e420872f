"""Roles tightened (issue 14 item 8): a specialist official submits and documents values only
in their fields; obstacles climb one level at a time; household names without consent only
for the roles that record contributions; moderation is in ntm/portal/tests."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from PIL import Image

from ntm.accounts.models import User
from ntm.demo.loader import load_demo
from ntm.finance.services import contribution_add
from ntm.observations.services import DataError, evidence_add, value_set, value_submit
from ntm.planning.models import Plan
from ntm.planning.services import PlanError, obstacle_escalate, obstacle_raise


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_specialist_submits_and_documents_only_in_their_fields(demo, small_set, _media):
    xa, congchuc = User.objects.get(username="xa"), User.objects.get(username="congchuc")
    commune = demo["07408"]
    outside, _ = value_set(  # 1.1: agriculture, not congchuc's
        user=xa, unit=commune, criteria_set=small_set, code="1.1", period="2024Q4", value="85"
    )
    inside, _ = value_set(  # 3: culture, congchuc's
        user=xa, unit=commune, criteria_set=small_set, code="3", period="2024Q4", value="đạt"
    )
    with pytest.raises(DataError, match="lĩnh vực"):
        value_submit(user=congchuc, value=outside)
    with pytest.raises(DataError, match="lĩnh vực"):
        evidence_add(user=congchuc, value=outside, name="bien-ban.png", content=_png())
    assert value_submit(user=congchuc, value=inside).status == "submitted"
    assert evidence_add(user=congchuc, value=inside, name="bien-ban.png", content=_png()).pk


def test_obstacles_are_raised_at_the_plans_level_and_escalated_one_at_a_time(db):
    units = load_demo(with_values=True)
    plan = Plan.objects.get(unit=units["07408"], year=2024)
    front, xa = User.objects.get(username="mttq"), User.objects.get(username="xa")
    day = dt.date(2024, 6, 1)
    with pytest.raises(PlanError):
        obstacle_raise(
            user=front, plan=plan, description="Thiếu vốn", raised_on=day, level="province"
        )
    at_village = obstacle_raise(
        user=front, plan=plan, description="Thôn chưa góp đất", raised_on=day, level="village"
    )
    with pytest.raises(PlanError, match="từng cấp"):
        obstacle_escalate(user=xa, obstacle=at_village, level="province")
    obstacle_escalate(user=xa, obstacle=at_village, level="commune")
    obstacle_escalate(user=xa, obstacle=at_village, level="province")
    at_village.refresh_from_db()
    assert at_village.level == "province"


def test_names_without_consent_only_for_those_who_record_contributions(client, demo, _media):
    village = demo["07408.05"]
    thon = User.objects.get(username="thon")
    for name, consent in (("Hộ ông Công Khai", True), ("Hộ bà Kín Tên", False)):
        contribution_add(
            user=thon,
            unit=village,
            contributor_kind="household",
            contributor_name=name,
            kind="cash",
            date=dt.date(2024, 5, 1),
            value=Decimal(1_000_000),
            consent_to_publish=consent,
        )
    page = reverse("finance:contributions", args=[village.pk, 2024])
    export = reverse("finance:contributions_export", args=[village.pk, 2024, "csv"])
    for username, sees in (("xem", False), ("mttq", False), ("thon", True), ("xa", True)):
        client.force_login(User.objects.get(username=username))
        for url in (page, export):
            text = client.get(url).content.decode("utf-8-sig")
            assert "Hộ ông Công Khai" in text, (username, url)
            assert ("Hộ bà Kín Tên" in text) == sees, (username, url)
