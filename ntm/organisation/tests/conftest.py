import datetime as dt

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    """Service errors are read in English here; pages are tested in their own language."""
    with translation.override("en"):
        yield


@pytest.fixture
def demo(demo):
    """The demo units and users with an empty organisation record, whatever the demo loads."""
    from ntm.organisation.models import (
        Award,
        Committee,
        CommitteeMember,
        EmulationCampaign,
        OcopProduct,
    )

    for model in (Award, EmulationCampaign, CommitteeMember, Committee, OcopProduct):
        model.objects.all().delete()
    return demo


@pytest.fixture
def admin_user(demo):
    from ntm.accounts.models import User

    return User.objects.get(username="admin")


@pytest.fixture
def org_demo(demo):
    """The demo commune with its illustrative committees, campaign and OCOP products."""
    from ntm.accounts.models import User
    from ntm.organisation.demo import load_organisation_demo

    load_organisation_demo(demo, {u.username: u for u in User.objects.all()})
    return demo


@pytest.fixture
def foreign(demo, other_commune, admin_user):
    """A committee with a member, a campaign with an award and a product in a foreign commune."""
    from ntm.organisation import services

    village = other_commune.children.get()
    committee = services.committee_create(
        user=admin_user, unit=other_commune, kind="management", name="Ban quản lý xã Hòa Lạc"
    )
    member = services.committee_member_create(
        user=admin_user, committee=committee, full_name="Người ngoài", role="head"
    )
    campaign = services.campaign_create(
        user=admin_user, unit=other_commune, name="Hòa Lạc thi đua", start_date=dt.date(2024, 1, 1)
    )
    award = services.award_create(
        user=admin_user,
        campaign=campaign,
        recipient_kind="individual",
        recipient_name="Người ngoài",
        form="Giấy khen",
        awarded_by="Chủ tịch UBND xã Hòa Lạc",
        village=village,
    )
    product = services.ocop_product_create(
        user=admin_user,
        unit=other_commune,
        village=village,
        name="Na Chi Lăng",
        producer="HTX Hòa Lạc",
        stars=4,
        certification_date=dt.date(2024, 3, 1),
        expiry_date=dt.date(2027, 2, 28),
    )
    return {
        "unit": other_commune,
        "committee": committee,
        "member": member,
        "campaign": campaign,
        "award": award,
        "product": product,
    }
