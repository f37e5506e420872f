import datetime as dt

import pytest
from django.urls import reverse

from ntm.organisation.models import Award, Committee, CommitteeMember, OcopProduct

VIEWERS = ["admin", "tinh", "xa", "congchuc", "mttq", "xem"]
LISTS = ["organisation:committees", "organisation:campaigns", "organisation:ocop"]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("username", VIEWERS)
def test_everyone_who_may_view_the_commune_reads_its_organisation_pages(
    persona, client, org_demo, username, name
):
    persona(username)
    response = client.get(reverse(name, args=[org_demo["07408"].pk]))
    assert response.status_code == 200


def test_the_committee_page_shows_both_commune_bodies_and_the_village_board(
    persona, client, org_demo
):
    persona("xem")
    text = client.get(reverse("organisation:committees", args=[org_demo["07408"].pk])).text
    assert "Ban Chỉ đạo xây dựng nông thôn mới xã Dương Đức" in text
    assert "Ban quản lý xây dựng nông thôn mới xã Dương Đức" in text
    assert "Ban phát triển thôn Cống Phên" in text
    assert "(minh họa)" in text
    # Read-only for viewers.
    assert "/edit/" not in text and "/new/" not in text


def test_the_commune_manager_gets_the_edit_links(persona, client, org_demo):
    persona("xa")
    unit = org_demo["07408"]
    text = client.get(reverse("organisation:committees", args=[unit.pk])).text
    assert reverse("organisation:committee_create", args=[unit.pk]) in text
    committee = Committee.objects.get(unit=unit, kind="management")
    assert reverse("organisation:member_create", args=[unit.pk, committee.pk]) in text


def test_the_village_head_reads_the_board_of_the_village_but_not_the_commune(
    persona, client, org_demo
):
    persona("thon")
    village = org_demo["07408.05"]
    response = client.get(reverse("organisation:committees", args=[village.pk]))
    assert response.status_code == 200 and "Ban phát triển thôn Cống Phên" in response.text
    assert "/edit/" not in response.text  # a village head does not manage units
    commune = reverse("organisation:committees", args=[org_demo["07408"].pk])
    assert client.get(commune).status_code == 404


def test_the_commune_manager_adds_a_committee_and_a_member(persona, client, demo):
    persona("xa")
    unit = demo["07408"]
    response = client.post(
        reverse("organisation:committee_create", args=[unit.pk]),
        {
            "kind": "management",
            "name": "Ban quản lý xây dựng NTM xã",
            "decision_number": "25/QĐ-UBND",
            "decision_date": "15/01/2024",
            "term_start": "15/01/2024",
        },
    )
    assert response.status_code == 302
    committee = Committee.objects.get(unit=unit)
    assert committee.decision_date == dt.date(2024, 1, 15)
    url = reverse("organisation:member_create", args=[unit.pk, committee.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "full_name": "Nguyễn Văn A",
            "role": "head",
            "position": "Chủ tịch UBND xã – Trưởng ban",
            "assigned_fields": ["economy", "health"],
            "phone": "0912 345 678",
        },
    )
    assert response.status_code == 302
    member = committee.members.get()
    assert member.fields == ["economy", "health"] and member.phone == "0912 345 678"
    page = client.get(reverse("organisation:committees", args=[unit.pk])).text
    assert "Nguyễn Văn A" in page and "0912 345 678" in page


def test_village_committees_are_created_from_the_village_page(persona, client, demo):
    persona("xa")
    village = demo["07408.05"]
    url = reverse("organisation:committee_create", args=[village.pk])
    form = client.get(url).text
    assert 'value="village_development"' in form and 'value="steering"' not in form
    response = client.post(url, {"kind": "village_development", "name": "Ban phát triển thôn"})
    assert response.status_code == 302
    assert Committee.objects.get().unit == village


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "management", "name": ""},
        {"kind": "management", "name": "Ban", "term_start": "31/02/2024"},
        {"kind": "management", "name": "Ban", "term_start": "01/02/2024", "term_end": "01/01/2024"},
        {"kind": "village_development", "name": "Ban"},
        {"kind": "<script>", "name": "Ban"},
    ],
)
def test_bad_committee_input_is_reported_on_the_form(persona, client, demo, data):
    persona("xa")
    response = client.post(reverse("organisation:committee_create", args=[demo["07408"].pk]), data)
    assert response.status_code == 200 and 'class="errorlist' in response.text
    assert not Committee.objects.exists()


def test_a_service_refusal_lands_on_the_right_form_field(persona, client, org_demo):
    persona("xa")
    unit = org_demo["07408"]
    committee = Committee.objects.get(unit=unit, kind="management")
    url = reverse("organisation:member_create", args=[unit.pk, committee.pk])
    from ntm.accounts.models import User

    xa = User.objects.get(username="xa")  # already linked to the head of this board
    response = client.post(url, {"full_name": "B", "role": "member", "account": xa.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["account"]


@pytest.mark.parametrize("username", ["congchuc", "thon", "mttq", "xem"])
def test_only_managers_open_the_committee_forms(persona, client, org_demo, username):
    persona(username)
    unit = org_demo["07408"]
    committee = Committee.objects.get(unit=unit, kind="management")
    member = committee.members.first()
    urls = [
        reverse("organisation:committee_create", args=[unit.pk]),
        reverse("organisation:committee_edit", args=[unit.pk, committee.pk]),
        reverse("organisation:member_create", args=[unit.pk, committee.pk]),
        reverse("organisation:member_edit", args=[unit.pk, committee.pk, member.pk]),
        reverse("organisation:member_delete", args=[unit.pk, committee.pk, member.pk]),
    ]
    expected = 404 if username == "thon" else 403
    for url in urls:
        assert client.post(url, {"kind": "other", "name": "X"}).status_code == expected, url
    assert CommitteeMember.objects.filter(pk=member.pk).exists()


def test_the_commune_manager_edits_and_removes_a_member(persona, client, org_demo):
    persona("xa")
    unit = org_demo["07408"]
    committee = Committee.objects.get(unit=unit, kind="management")
    member = committee.members.get(role="secretary")
    edit = reverse("organisation:member_edit", args=[unit.pk, committee.pk, member.pk])
    form = client.get(edit)
    assert form.status_code == 200 and member.full_name in form.text
    response = client.post(
        edit,
        {
            "full_name": member.full_name,
            "role": "member",
            "assigned_fields": ["justice"],
            "term_end": "31/12/2024",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == "member" and member.term_end == dt.date(2024, 12, 31)
    delete = reverse("organisation:member_delete", args=[unit.pk, committee.pk, member.pk])
    assert client.get(delete).status_code == 405
    assert client.post(delete).status_code == 302
    assert not CommitteeMember.objects.filter(pk=member.pk).exists()


def test_a_village_committee_is_edited_from_the_commune_page_too(persona, client, org_demo):
    persona("xa")
    board = Committee.objects.get(kind="village_development")
    url = reverse("organisation:committee_edit", args=[org_demo["07408"].pk, board.pk])
    response = client.post(url, {"kind": "village_development", "name": board.name, "note": "x"})
    assert response.status_code == 302
    board.refresh_from_db()
    assert board.note == "x"


# --- id tampering -----------------------------------------------------------------------------


def test_a_foreign_committee_cannot_be_reached_through_ones_own_commune(
    persona, client, org_demo, foreign
):
    persona("xa")
    own = Committee.objects.get(unit__code="07408", kind="management")
    unit = own.unit
    foreign_committee, foreign_member = foreign["committee"], foreign["member"]
    urls = [
        reverse("organisation:committee_edit", args=[unit.pk, foreign_committee.pk]),
        reverse("organisation:member_create", args=[unit.pk, foreign_committee.pk]),
        reverse(
            "organisation:member_edit", args=[unit.pk, foreign_committee.pk, foreign_member.pk]
        ),
        # A foreign member under one's own committee id.
        reverse("organisation:member_edit", args=[unit.pk, own.pk, foreign_member.pk]),
        reverse("organisation:member_delete", args=[unit.pk, own.pk, foreign_member.pk]),
        # A foreign unit in the URL.
        reverse("organisation:committee_edit", args=[foreign["unit"].pk, foreign_committee.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code in (404, 405), url
        assert (
            client.post(url, {"kind": "other", "name": "Đã sửa", "full_name": "X"}).status_code
            == 404
        ), url
    foreign_committee.refresh_from_db()
    assert foreign_committee.name == "Ban quản lý xã Hòa Lạc"
    assert CommitteeMember.objects.filter(pk=foreign_member.pk).exists()


def test_a_sibling_villages_committee_cannot_be_reached_from_another_village(
    persona, client, org_demo
):
    persona("xa")
    board = Committee.objects.get(kind="village_development")  # Cống Phên's
    sibling = org_demo["07408"].children.exclude(pk=board.unit_id).first()
    url = reverse("organisation:committee_edit", args=[sibling.pk, board.pk])
    assert client.get(url).status_code == 404


def test_foreign_campaigns_awards_and_products_cannot_be_reached_by_id(persona, client, foreign):
    persona("xa")
    own = foreign["unit"].__class__.objects.get(code="07408", valid_from=None)
    campaign, award, product = foreign["campaign"], foreign["award"], foreign["product"]
    urls = [
        reverse("organisation:campaign_edit", args=[own.pk, campaign.pk]),
        reverse("organisation:award_create", args=[own.pk, campaign.pk]),
        reverse("organisation:award_edit", args=[own.pk, campaign.pk, award.pk]),
        reverse("organisation:ocop_edit", args=[own.pk, product.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "Đã sửa"}).status_code == 404, url
    product.refresh_from_db()
    assert product.name == "Na Chi Lăng"


def test_an_award_of_another_campaign_cannot_be_edited_under_ones_own(
    persona, client, org_demo, foreign
):
    persona("xa")
    unit = org_demo["07408"]
    own = unit.emulation_campaigns.get()
    url = reverse("organisation:award_edit", args=[unit.pk, own.pk, foreign["award"].pk])
    assert client.get(url).status_code == 404


# --- campaigns --------------------------------------------------------------------------------


def test_the_campaign_page_shows_the_movement_and_its_awards(persona, client, org_demo):
    persona("mttq")
    response = client.get(reverse("organisation:campaigns", args=[org_demo["07408"].pk]))
    assert (
        "Dương Đức chung sức xây dựng nông thôn mới nâng cao giai đoạn 2023-2025" in response.text
    )
    assert "Giấy khen" in response.text and "Thôn Hồng Giang" in response.text
    assert "/new/" not in response.text  # the Front supervises; it does not record


def test_a_specialist_records_a_campaign_and_an_award(persona, client, demo):
    persona("congchuc")
    unit = demo["07408"]
    response = client.post(
        reverse("organisation:campaign_create", args=[unit.pk]),
        {"name": "Thi đua đường hoa", "start_date": "01/03/2024", "end_date": "31/12/2024"},
    )
    assert response.status_code == 302
    campaign = unit.emulation_campaigns.get()
    url = reverse("organisation:award_create", args=[unit.pk, campaign.pk])
    assert "Thôn Cống Phên" in client.get(url).text  # villages to choose from
    response = client.post(
        url,
        {
            "recipient_kind": "collective",
            "recipient_name": "Chi hội Phụ nữ thôn Cống Phên",
            "village": demo["07408.05"].pk,
            "form": "Giấy khen",
            "awarded_by": "Chủ tịch UBND xã",
            "decision_date": "20/12/2024",
        },
    )
    assert response.status_code == 302
    assert Award.objects.get().village == demo["07408.05"]


def test_an_award_for_a_village_of_another_commune_is_a_form_error(
    persona, client, demo, other_commune
):
    persona("admin")
    unit = demo["07408"]
    from ntm.accounts.models import User
    from ntm.organisation.services import campaign_create

    campaign = campaign_create(
        user=User.objects.get(username="admin"), unit=unit, name="T", start_date=dt.date(2024, 1, 1)
    )
    response = client.post(
        reverse("organisation:award_create", args=[unit.pk, campaign.pk]),
        {
            "recipient_kind": "collective",
            "recipient_name": "Thôn Lạc Nam",
            "village": other_commune.children.get().pk,
            "form": "Giấy khen",
            "awarded_by": "UBND xã",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["village"]
    assert not Award.objects.exists()


def test_viewers_cannot_record_campaigns(persona, client, demo):
    persona("xem")
    url = reverse("organisation:campaign_create", args=[demo["07408"].pk])
    assert client.post(url, {"name": "X", "start_date": "01/01/2024"}).status_code == 403


# --- OCOP -------------------------------------------------------------------------------------


def test_the_ocop_page_counts_products_by_stars(persona, client, org_demo):
    persona("xem")
    url = reverse("organisation:ocop", args=[org_demo["07408"].pk])
    english = {"accept-language": "en"}
    response = client.get(url, {"as_of": "2024-06-01"}, headers=english)
    assert response.status_code == 200
    assert "2 products with 3 stars" in response.text
    assert "Mật ong Hồng Giang (minh họa)" in response.text
    response = client.get(url, {"as_of": "2024-01-01"}, headers=english)
    assert "1 product with 3 stars" in response.text
    response = client.get(url, {"as_of": "2030-06-01"}, headers=english)
    assert "No OCOP certificate is valid on" in response.text and "expired" in response.text


def test_a_bad_status_date_is_reported_not_a_crash(persona, client, org_demo):
    persona("xem")
    url = reverse("organisation:ocop", args=[org_demo["07408"].pk])
    response = client.get(url, {"as_of": "31/02/2024"})
    assert response.status_code == 200 and 'class="error"' in response.text


def test_the_commune_manager_registers_a_product(persona, client, demo):
    persona("xa")
    unit = demo["07408"]
    url = reverse("organisation:ocop_create", args=[unit.pk])
    data = {
        "name": "Gạo nếp",
        "producer": "HTX Hồng Giang",
        "stars": "3",
        "certification_date": "10/01/2024",
        "expiry_date": "09/01/2027",
    }
    for bad in (
        {"stars": "7"},
        {"stars": "2"},
        {"expiry_date": "01/01/2024"},
        {"certification_date": "x"},
    ):
        response = client.post(url, {**data, **bad})
        assert response.status_code == 200 and 'class="errorlist' in response.text, bad
    assert not OcopProduct.objects.exists()
    assert client.post(url, data).status_code == 302
    product = OcopProduct.objects.get()
    edit = reverse("organisation:ocop_edit", args=[unit.pk, product.pk])
    assert client.post(edit, {**data, "stars": "4"}).status_code == 302
    product.refresh_from_db()
    assert product.stars == 4


def test_only_communes_register_ocop_products(persona, client, demo):
    persona("admin")
    assert client.get(reverse("organisation:ocop", args=[demo["24"].pk])).status_code == 200
    response = client.post(
        reverse("organisation:ocop_create", args=[demo["07408.05"].pk]),
        {
            "name": "Gạo",
            "producer": "HTX",
            "stars": "3",
            "certification_date": "10/01/2024",
            "expiry_date": "09/01/2027",
        },
    )
    assert response.status_code == 200 and "errorlist" in response.text


# --- query counts -----------------------------------------------------------------------------


def test_the_committee_page_takes_a_fixed_number_of_queries(
    persona, client, org_demo, django_assert_num_queries
):
    persona("xa")
    url = reverse("organisation:committees", args=[org_demo["07408"].pk])
    # session, user, unit, memberships, committees, their members with accounts,
    # subordinate units, demo banner
    with django_assert_num_queries(9):
        client.get(url)


def test_the_ocop_page_takes_a_fixed_number_of_queries(
    persona, client, org_demo, django_assert_num_queries
):
    persona("xa")
    url = reverse("organisation:ocop", args=[org_demo["07408"].pk])
    # session, user, unit, memberships, products with their villages, demo banner
    with django_assert_num_queries(7):
        client.get(url)


def test_the_campaign_page_takes_a_fixed_number_of_queries(
    persona, client, org_demo, django_assert_num_queries
):
    persona("xa")
    url = reverse("organisation:campaigns", args=[org_demo["07408"].pk])
    # session, user, unit, memberships, campaigns, their awards with villages, demo banner
    with django_assert_num_queries(8):
        client.get(url)


def test_the_unit_links_block_renders_for_communes_villages_and_provinces(demo, rf):
    from django.template.loader import render_to_string

    for code in ("07408", "07408.05", "24"):
        html = render_to_string("organisation/_unit_links.html", {"unit": demo[code]})
        assert reverse("organisation:ocop", args=[demo[code].pk]) in html
    assert reverse("organisation:committees", args=[demo["24"].pk]) not in render_to_string(
        "organisation/_unit_links.html", {"unit": demo["24"]}
    )
