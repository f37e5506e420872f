import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from ntm.accounts.models import User
from ntm.organisation import services
from ntm.organisation.models import Committee, CommitteeMember, OcopProduct
from ntm.organisation.services import OrganisationError


def _user(name):
    return User.objects.get(username=name)


def _product(user, unit, **overrides):
    values = {
        "name": "Gạo nếp",
        "producer": "HTX",
        "stars": 3,
        "certification_date": dt.date(2024, 1, 10),
        "expiry_date": dt.date(2027, 1, 9),
    }
    return services.ocop_product_create(user=user, unit=unit, **{**values, **overrides})


# --- committees -------------------------------------------------------------------------------


def test_commune_manager_records_a_management_board_with_its_members(demo):
    xa = _user("xa")
    board = services.committee_create(
        user=xa,
        unit=demo["07408"],
        kind="management",
        name="  Ban quản lý   xã  ",
        decision_number="12/QĐ-UBND",
        decision_date=dt.date(2024, 1, 5),
        term_start=dt.date(2024, 1, 5),
    )
    assert board.name == "Ban quản lý xã"
    member = services.committee_member_create(
        user=xa,
        committee=board,
        full_name="Nguyễn Văn A",
        role="head",
        position="Chủ tịch UBND xã – Trưởng ban",
        fields=["health", "culture", "culture"],
        account=_user("congchuc"),
    )
    # Fields are kept once each, in the order of the field list.
    assert member.fields == ["culture", "health"]
    assert member.history.first().history_user == xa


@pytest.mark.parametrize(
    ("unit_code", "kind", "message"),
    [
        ("07408", "village_development", "belongs to a village"),
        ("07408.05", "steering", "belongs to a commune"),
        ("07408.05", "management", "belongs to a commune"),
        ("07408", "nonsense", "not a valid choice"),
    ],
)
def test_a_committee_kind_must_fit_the_level_of_its_unit(demo, unit_code, kind, message):
    unit = demo["07408"] if unit_code == "07408" else demo["07408.05"]
    with pytest.raises(OrganisationError, match=message) as caught:
        services.committee_create(user=_user("admin"), unit=unit, kind=kind, name="Ban")
    assert caught.value.field == "kind"


def test_committees_are_kept_for_communes_and_villages_only(demo):
    with pytest.raises(OrganisationError, match="communes and villages"):
        services.committee_create(
            user=_user("admin"), unit=demo["24"], kind="other", name="Ban Chỉ đạo tỉnh"
        )


def test_a_committee_needs_a_name_and_a_term_that_does_not_end_before_it_starts(demo):
    admin, unit = _user("admin"), demo["07408"]
    with pytest.raises(OrganisationError) as caught:
        services.committee_create(user=admin, unit=unit, kind="steering", name="   ")
    assert caught.value.field == "name"
    with pytest.raises(OrganisationError) as caught:
        services.committee_create(
            user=admin,
            unit=unit,
            kind="steering",
            name="Ban Chỉ đạo",
            term_start=dt.date(2024, 1, 1),
            term_end=dt.date(2023, 12, 31),
        )
    assert caught.value.field == "term_end"
    assert not Committee.objects.exists()


def test_two_committees_of_a_unit_cannot_share_a_name(demo):
    admin, unit = _user("admin"), demo["07408"]
    services.committee_create(user=admin, unit=unit, kind="steering", name="Ban Chỉ đạo")
    with pytest.raises(OrganisationError, match="already has a committee"):
        services.committee_create(user=admin, unit=unit, kind="other", name="ban chỉ đạo")


def test_renaming_a_committee_to_its_own_name_is_not_a_duplicate(demo):
    admin = _user("admin")
    board = services.committee_create(
        user=admin, unit=demo["07408"], kind="management", name="Ban quản lý"
    )
    services.committee_update(
        user=admin, committee=board, kind="management", name="Ban quản lý", note="kiện toàn"
    )
    board.refresh_from_db()
    assert board.note == "kiện toàn"


@pytest.mark.parametrize(
    ("username", "error"),
    [
        ("congchuc", PermissionDenied),
        ("xem", PermissionDenied),
        ("mttq", PermissionDenied),
        ("thon", Http404),
    ],
)
def test_only_managers_of_the_unit_record_committees(demo, username, error):
    with pytest.raises(error):
        services.committee_create(
            user=_user(username), unit=demo["07408"], kind="steering", name="Ban Chỉ đạo"
        )


def test_a_commune_manager_cannot_record_committees_of_another_commune(demo, other_commune):
    with pytest.raises(Http404):
        services.committee_create(
            user=_user("xa"), unit=other_commune, kind="steering", name="Ban Chỉ đạo"
        )


def test_a_member_needs_a_name_a_known_role_and_known_fields(demo):
    admin = _user("admin")
    board = services.committee_create(
        user=admin, unit=demo["07408"], kind="management", name="Ban quản lý"
    )
    for kwargs, field in [
        ({"full_name": " "}, "full_name"),
        ({"full_name": "A", "role": "chief"}, "role"),
        ({"full_name": "A", "fields": ["culture", "astrology"]}, "fields"),
        (
            {"full_name": "A", "term_start": dt.date(2024, 5, 1), "term_end": dt.date(2024, 4, 1)},
            "term_end",
        ),
    ]:
        with pytest.raises(OrganisationError) as caught:
            services.committee_member_create(user=admin, committee=board, **kwargs)
        assert caught.value.field == field
    assert not CommitteeMember.objects.exists()


def test_only_accounts_working_in_the_commune_can_be_linked_to_a_member(demo, other_commune):
    from ntm.accounts.models import Membership, Role

    stranger = User.objects.create(username="la", full_name="Cán bộ Hòa Lạc")
    Membership.objects.create(user=stranger, unit=other_commune, role=Role.COMMUNE_MANAGER)
    board = services.committee_create(
        user=_user("admin"), unit=demo["07408.05"], kind="village_development", name="Ban PT"
    )
    with pytest.raises(OrganisationError, match="does not belong") as caught:
        services.committee_member_create(
            user=_user("admin"), committee=board, full_name="A", account=stranger
        )
    assert caught.value.field == "account"
    # Province staff are not commune people either; commune and village staff are.
    with pytest.raises(OrganisationError):
        services.committee_member_create(
            user=_user("admin"), committee=board, full_name="A", account=_user("tinh")
        )
    services.committee_member_create(
        user=_user("admin"), committee=board, full_name="A", account=_user("thon")
    )
    services.committee_member_create(
        user=_user("admin"), committee=board, full_name="B", account=_user("xa")
    )


def test_one_account_is_linked_to_one_member_of_a_committee(demo):
    admin = _user("admin")
    board = services.committee_create(
        user=admin, unit=demo["07408"], kind="management", name="Ban quản lý"
    )
    first = services.committee_member_create(
        user=admin, committee=board, full_name="A", account=_user("xa")
    )
    with pytest.raises(OrganisationError, match="already linked"):
        services.committee_member_create(
            user=admin, committee=board, full_name="B", account=_user("xa")
        )
    services.committee_member_update(
        user=admin, member=first, full_name="A B", role="head", account=_user("xa")
    )
    first.refresh_from_db()
    assert (first.full_name, first.role) == ("A B", "head")


def test_removing_a_member_needs_the_right_to_manage_the_unit(demo):
    board = services.committee_create(
        user=_user("admin"), unit=demo["07408"], kind="management", name="Ban quản lý"
    )
    member = services.committee_member_create(user=_user("admin"), committee=board, full_name="A")
    with pytest.raises(PermissionDenied):
        services.committee_member_delete(user=_user("xem"), member=member)
    services.committee_member_delete(user=_user("xa"), member=member)
    assert not board.members.exists()


# --- campaigns and awards ---------------------------------------------------------------------


def test_a_campaign_needs_a_name_and_dates_in_order(demo):
    admin, unit = _user("admin"), demo["07408"]
    with pytest.raises(OrganisationError) as caught:
        services.campaign_create(user=admin, unit=unit, name="", start_date=dt.date(2023, 1, 1))
    assert caught.value.field == "name"
    with pytest.raises(OrganisationError) as caught:
        services.campaign_create(user=admin, unit=unit, name="Thi đua", start_date=None)
    assert caught.value.field == "start_date"
    with pytest.raises(OrganisationError) as caught:
        services.campaign_create(
            user=admin,
            unit=unit,
            name="Thi đua",
            start_date=dt.date(2023, 1, 1),
            end_date=dt.date(2022, 1, 1),
        )
    assert caught.value.field == "end_date"


def test_editors_of_the_unit_record_campaigns_and_viewers_cannot(demo):
    services.campaign_create(
        user=_user("congchuc"), unit=demo["07408"], name="Thi đua", start_date=dt.date(2023, 1, 1)
    )
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            user=_user("mttq"), unit=demo["07408"], name="Khác", start_date=dt.date(2023, 1, 1)
        )


def test_an_award_names_a_village_of_the_campaigns_unit_only(demo, other_commune):
    admin = _user("admin")
    campaign = services.campaign_create(
        user=admin, unit=demo["07408"], name="Thi đua", start_date=dt.date(2023, 1, 1)
    )
    base = {
        "recipient_kind": "collective",
        "recipient_name": "Thôn",
        "form": "Giấy khen",
        "awarded_by": "Chủ tịch UBND xã",
    }
    for village in (other_commune.children.get(), demo["07408"]):
        with pytest.raises(OrganisationError, match="not a village of") as caught:
            services.award_create(user=admin, campaign=campaign, village=village, **base)
        assert caught.value.field == "village"
    award = services.award_create(user=admin, campaign=campaign, village=demo["07408.05"], **base)
    assert award.village == demo["07408.05"]


def test_an_award_needs_a_recipient_a_form_and_a_decision_after_the_campaign_started(demo):
    admin = _user("admin")
    campaign = services.campaign_create(
        user=admin, unit=demo["07408"], name="Thi đua", start_date=dt.date(2023, 1, 1)
    )
    base = {
        "recipient_kind": "individual",
        "recipient_name": "Nguyễn Văn A",
        "form": "Giấy khen",
        "awarded_by": "Chủ tịch UBND xã",
    }
    for change, field in [
        ({"recipient_kind": "family"}, "recipient_kind"),
        ({"recipient_name": ""}, "recipient_name"),
        ({"form": " "}, "form"),
        ({"awarded_by": ""}, "awarded_by"),
        ({"decision_date": dt.date(2022, 12, 31)}, "decision_date"),
    ]:
        with pytest.raises(OrganisationError) as caught:
            services.award_create(user=admin, campaign=campaign, **{**base, **change})
        assert caught.value.field == field
    assert not campaign.awards.exists()


def test_a_campaign_cannot_start_after_its_awards_were_decided(demo):
    admin = _user("admin")
    campaign = services.campaign_create(
        user=admin, unit=demo["07408"], name="Thi đua", start_date=dt.date(2023, 1, 1)
    )
    services.award_create(
        user=admin,
        campaign=campaign,
        recipient_kind="individual",
        recipient_name="A",
        form="Giấy khen",
        awarded_by="UBND xã",
        decision_date=dt.date(2023, 6, 1),
    )
    with pytest.raises(OrganisationError) as caught:
        services.campaign_update(
            user=admin, campaign=campaign, name="Thi đua", start_date=dt.date(2024, 1, 1)
        )
    assert caught.value.field == "start_date"


# --- OCOP register ----------------------------------------------------------------------------


@pytest.mark.parametrize("stars", [0, 2, 6, None])
def test_an_ocop_product_has_three_four_or_five_stars(demo, stars):
    with pytest.raises(OrganisationError) as caught:
        _product(_user("admin"), demo["07408"], stars=stars)
    assert caught.value.field == "stars"


def test_an_ocop_certificate_expires_after_it_was_given(demo):
    for expiry in (dt.date(2024, 1, 10), dt.date(2023, 1, 1)):
        with pytest.raises(OrganisationError) as caught:
            _product(_user("admin"), demo["07408"], expiry_date=expiry)
        assert caught.value.field == "expiry_date"
    assert not OcopProduct.objects.exists()


def test_the_register_holds_certified_products_only_not_future_targets(demo):
    from django.utils import timezone

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(OrganisationError, match="future") as caught:
        _product(
            _user("admin"),
            demo["07408"],
            certification_date=tomorrow,
            expiry_date=tomorrow + dt.timedelta(days=1000),
        )
    assert caught.value.field == "certification_date"


def test_an_ocop_product_belongs_to_a_commune_and_one_of_its_villages(demo, other_commune):
    admin = _user("admin")
    with pytest.raises(OrganisationError, match="kept by communes"):
        _product(admin, demo["07408.05"])
    with pytest.raises(OrganisationError, match="not a village of"):
        _product(admin, demo["07408"], village=other_commune.children.get())
    assert _product(admin, demo["07408"], village=demo["07408.05"]).village == demo["07408.05"]


def test_the_same_certificate_of_a_product_is_registered_once(demo):
    admin = _user("admin")
    _product(admin, demo["07408"])
    with pytest.raises(OrganisationError, match="already registered"):
        _product(admin, demo["07408"], name="GẠO NẾP")
    # A renewed certificate is a new entry.
    _product(admin, demo["07408"], certification_date=dt.date(2027, 1, 9) - dt.timedelta(days=400))


def test_editing_ocop_products_needs_the_right_to_edit_data(demo):
    product = _product(_user("xa"), demo["07408"])
    with pytest.raises(PermissionDenied):
        services.ocop_product_update(
            user=_user("xem"),
            product=product,
            name="Khác",
            producer="HTX",
            stars=4,
            certification_date=product.certification_date,
            expiry_date=product.expiry_date,
        )
    services.ocop_product_update(
        user=_user("congchuc"),
        product=product,
        name="Gạo nếp cái hoa vàng",
        producer="HTX",
        stars=4,
        certification_date=product.certification_date,
        expiry_date=product.expiry_date,
    )
    product.refresh_from_db()
    assert (product.name, product.stars) == ("Gạo nếp cái hoa vàng", 4)
