import datetime as dt

import pytest

from ntm.accounts.models import User
from ntm.organisation import services
from ntm.organisation.models import OcopStatus, ocop_status
from ntm.organisation.selectors import (
    ocop_counts,
    ocop_register,
    responsible_by_field,
    responsible_for_field,
)

CERTIFIED = dt.date(2024, 1, 10)
EXPIRES = dt.date(2027, 1, 9)


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (CERTIFIED - dt.timedelta(days=1), OcopStatus.NOT_YET),
        (CERTIFIED, OcopStatus.VALID),
        (EXPIRES - dt.timedelta(days=91), OcopStatus.VALID),
        (EXPIRES - dt.timedelta(days=90), OcopStatus.EXPIRING),
        (EXPIRES, OcopStatus.EXPIRING),
        (EXPIRES + dt.timedelta(days=1), OcopStatus.EXPIRED),
    ],
)
def test_ocop_status_comes_from_the_certificate_dates(day, status):
    assert ocop_status(CERTIFIED, EXPIRES, day) == status


@pytest.fixture
def register(demo, other_commune):
    admin = User.objects.get(username="admin")
    duong_duc, hong_giang = demo["07408"], demo["07408"].children.get(name="Thôn Hồng Giang")

    def add(name, stars, certified, expires, unit=duong_duc, village=hong_giang):
        return services.ocop_product_create(
            user=admin,
            unit=unit,
            village=village,
            name=name,
            producer="HTX",
            stars=stars,
            certification_date=certified,
            expiry_date=expires,
        )

    add("Gạo", 3, dt.date(2023, 1, 1), dt.date(2025, 12, 31))
    add("Mật ong", 3, dt.date(2024, 6, 1), dt.date(2027, 5, 31))
    add("Rượu", 4, dt.date(2024, 9, 1), dt.date(2027, 8, 31), village=None)
    add("Vải", 5, dt.date(2020, 1, 1), dt.date(2022, 12, 31))  # expired long ago
    add("Na", 4, dt.date(2024, 1, 1), dt.date(2027, 1, 1), unit=other_commune, village=None)
    return demo


def test_ocop_counts_count_valid_products_by_stars_in_the_subtree_on_a_day(register):
    duong_duc = register["07408"]
    assert ocop_counts(duong_duc, dt.date(2024, 12, 31)) == {3: 2, 4: 1, 5: 0}
    assert ocop_counts(duong_duc, dt.date(2024, 3, 1)) == {3: 1, 4: 0, 5: 0}
    assert ocop_counts(duong_duc, dt.date(2026, 6, 30)) == {3: 1, 4: 1, 5: 0}
    assert ocop_counts(duong_duc, dt.date(2021, 6, 30)) == {3: 0, 4: 0, 5: 1}
    # The district and province count their communes' products; another province is not counted.
    assert ocop_counts(register["24"], dt.date(2024, 12, 31)) == {3: 2, 4: 1, 5: 0}
    # A village counts the products made in it.
    hong_giang = duong_duc.children.get(name="Thôn Hồng Giang")
    assert ocop_counts(hong_giang, dt.date(2024, 12, 31)) == {3: 2, 4: 0, 5: 0}
    assert ocop_counts(register["07408.05"], dt.date(2024, 12, 31)) == {3: 0, 4: 0, 5: 0}


def test_ocop_register_lists_every_product_with_its_status_and_counts_the_valid_ones(register):
    page = ocop_register(unit=register["07408"], on=dt.date(2025, 11, 1))
    statuses = {row.product.name: row.status for row in page.rows}
    assert statuses == {
        "Gạo": OcopStatus.EXPIRING,
        "Mật ong": OcopStatus.VALID,
        "Rượu": OcopStatus.VALID,
        "Vải": OcopStatus.EXPIRED,
    }
    assert [row.product.stars for row in page.rows] == [5, 4, 3, 3]
    assert page.counts == {3: 2, 4: 1, 5: 0} and page.valid_total == 3


def test_ocop_register_and_counts_use_a_fixed_number_of_queries(
    register, django_assert_num_queries
):
    with django_assert_num_queries(1):
        ocop_register(unit=register["24"], on=dt.date(2025, 1, 1))
    with django_assert_num_queries(1):
        ocop_counts(register["24"], dt.date(2025, 1, 1))


@pytest.fixture
def boards(demo):
    admin = User.objects.get(username="admin")
    management = services.committee_create(
        user=admin, unit=demo["07408"], kind="management", name="Ban quản lý"
    )
    services.committee_member_create(
        user=admin,
        committee=management,
        full_name="Trần Văn Hải",
        role="head",
        fields=["economy", "health"],
    )
    services.committee_member_create(
        user=admin,
        committee=management,
        full_name="Vũ Thị Mai",
        role="member",
        fields=["culture", "health"],
        account=User.objects.get(username="congchuc"),
    )
    services.committee_member_create(
        user=admin,
        committee=management,
        full_name="Người đã nghỉ",
        fields=["health"],
        term_start=dt.date(2020, 1, 1),
        term_end=dt.date(2023, 12, 31),
    )
    village_board = services.committee_create(
        user=admin, unit=demo["07408.05"], kind="village_development", name="Ban phát triển thôn"
    )
    services.committee_member_create(
        user=admin,
        committee=village_board,
        full_name="Trưởng thôn",
        role="deputy",
        fields=["health", "environment"],
    )
    old_board = services.committee_create(
        user=admin,
        unit=demo["07408"],
        kind="steering",
        name="Ban Chỉ đạo khóa trước",
        term_start=dt.date(2016, 1, 1),
        term_end=dt.date(2020, 12, 31),
    )
    services.committee_member_create(
        user=admin, committee=old_board, full_name="Ông khóa trước", fields=["health"]
    )
    return demo


def test_responsible_for_a_field_are_members_of_the_unit_and_its_ancestors_nearest_first(boards):
    day = dt.date(2024, 6, 1)
    # The village board first, then the commune's board (head before members); the specialist
    # official is the same person as the linked member, so she is named once.
    assert responsible_for_field(boards["07408.05"], "health", on=day) == [
        "Trưởng thôn",
        "Trần Văn Hải",
        "Vũ Thị Mai",
    ]
    assert responsible_for_field(boards["07408"], "health", on=day) == [
        "Trần Văn Hải",
        "Vũ Thị Mai",
    ]
    assert responsible_for_field(boards["07408"], "environment", on=day) == []


def test_responsible_for_a_field_follow_the_terms_of_members_and_committees(boards):
    assert responsible_for_field(boards["07408"], "health", on=dt.date(2023, 6, 1)) == [
        "Trần Văn Hải",
        "Người đã nghỉ",
        "Vũ Thị Mai",
    ]
    assert "Ông khóa trước" in responsible_for_field(
        boards["07408"], "health", on=dt.date(2019, 6, 1)
    )


def test_specialist_officials_are_named_for_their_fields_when_no_member_holds_them(demo):
    # The demo specialist holds culture, education and health through her membership.
    assert responsible_for_field(demo["07408.05"], "education", on=dt.date(2024, 6, 1)) == [
        "Công chức Văn hóa - Xã hội (minh họa)"
    ]


def test_an_ended_unit_is_answered_for_as_of_its_last_day_by_default(boards):
    # Dương Đức ended on 30/06/2025; the former member's term ended in 2023.
    assert responsible_for_field(boards["07408"], "health") == ["Trần Văn Hải", "Vũ Thị Mai"]


def test_responsible_by_field_takes_two_queries(boards, django_assert_num_queries):
    with django_assert_num_queries(2):
        found = responsible_by_field(boards["07408.05"], on=dt.date(2024, 6, 1))
    assert found["environment"] == ["Trưởng thôn"]
