import datetime as dt
from pathlib import Path

from django.conf import settings

from ntm.accounts.models import User
from ntm.organisation.demo import CAMPAIGN_NAME, load_organisation_demo
from ntm.organisation.models import (
    Award,
    Committee,
    CommitteeMember,
    EmulationCampaign,
    OcopProduct,
)
from ntm.organisation.selectors import ocop_counts, responsible_for_field

PLAN = Path(settings.BASE_DIR).parent / "shared" / "domain" / "000_7fe4d8e2e152a933.txt"


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Committee, CommitteeMember, EmulationCampaign, Award, OcopProduct)
    )


def test_the_organisation_demo_is_idempotent(org_demo):
    before = _counts()
    assert before == (3, 15, 1, 2, 2)
    load_organisation_demo(org_demo, {u.username: u for u in User.objects.all()})
    assert _counts() == before


def test_the_demo_holds_the_bodies_named_in_the_plan_with_illustrative_members(org_demo):
    duong_duc = org_demo["07408"]
    kinds = dict(Committee.objects.values_list("name", "kind"))
    assert kinds == {
        "Ban Chỉ đạo xây dựng nông thôn mới xã Dương Đức": "steering",
        "Ban quản lý xây dựng nông thôn mới xã Dương Đức": "management",
        "Ban phát triển thôn Cống Phên": "village_development",
    }
    assert Committee.objects.get(kind="village_development").unit == org_demo["07408.05"]
    assert all("(minh họa)" in m.full_name for m in CommitteeMember.objects.all())
    assert all("minh họa" in c.note for c in Committee.objects.all())
    # The demo accounts are linked to their seats, so a page can say who is who.
    head = CommitteeMember.objects.get(committee__kind="management", role="head")
    assert head.user.username == "xa"
    assert responsible_for_field(duong_duc, "health", on=dt.date(2024, 6, 1)) == [
        "Vũ Thị Mai (minh họa)"
    ]


def test_the_demo_campaign_is_the_movement_named_in_the_plan(org_demo):
    campaign = EmulationCampaign.objects.get()
    assert campaign.name == CAMPAIGN_NAME
    if PLAN.exists():  # the reference plan, beside the project
        assert f'"*{CAMPAIGN_NAME}*"' in PLAN.read_text(encoding="utf-8")
    assert campaign.unit == org_demo["07408"]
    assert {a.recipient_kind for a in campaign.awards.all()} == {"collective", "individual"}
    assert all("minh họa" in a.reason for a in campaign.awards.all())


def test_the_demo_register_holds_only_certified_three_star_products_of_hong_giang(org_demo):
    products = OcopProduct.objects.all()
    assert {p.village.name for p in products} == {"Thôn Hồng Giang"}
    assert {p.stars for p in products} == {3}  # the 4-star product is a target, not a product
    assert all("(minh họa)" in p.name and "minh họa" in p.notes for p in products)
    assert ocop_counts(org_demo["07408"], dt.date(2024, 12, 31)) == {3: 2, 4: 0, 5: 0}
