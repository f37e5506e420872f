import pytest
from django.urls import reverse

from ntm.geo.models import AdminUnit


def test_search_is_accent_and_case_insensitive(persona, client):
    persona("xa")
    response = client.get(reverse("geo:index"), {"q": "duong DUC"})
    assert response.status_code == 200
    assert "Xã Dương Đức" in response.text


def test_search_does_not_reveal_units_outside_the_scope(persona, client, other_commune):
    persona("xa")
    response = client.get(reverse("geo:index"), {"q": "hoa lac"})
    assert "Hòa Lạc" not in response.text


def test_htmx_search_returns_only_the_results_partial(persona, client):
    persona("xa")
    response = client.get(reverse("geo:index"), {"q": "07408"}, headers={"HX-Request": "true"})
    assert "Xã Dương Đức" in response.text and "<html" not in response.text


def test_unit_page_shows_villages_and_merger_history(persona, client, demo):
    persona("xa")
    response = client.get(reverse("geo:detail", args=[demo["07408"].pk]))
    text = response.text
    assert response.status_code == 200
    assert "Thôn Cống Phên" in text and "Thôn Hồng Giang" in text
    assert "Xã Mỹ Thái (07420)" in text and "01/07/2025" in text


def test_as_of_switch_shows_the_tree_of_that_day(persona, client, demo):
    persona("admin")
    my_thai = demo["07420"]
    before = client.get(reverse("geo:detail", args=[my_thai.pk]), {"as_of": "01/01/2024"})
    assert "Thôn Cống Phên" not in before.text and "01/01/2024" in before.text
    now = client.get(reverse("geo:detail", args=[my_thai.pk]))
    assert "Thôn Cống Phên" in now.text


def test_bad_as_of_date_is_reported_not_a_crash(persona, client, demo):
    persona("xa")
    response = client.get(reverse("geo:detail", args=[demo["07408"].pk]), {"as_of": "31/02/2024"})
    assert response.status_code == 200 and 'class="error"' in response.text


def test_tree_children_load_lazily(persona, client, demo):
    persona("tinh")
    response = client.get(
        reverse("geo:children", args=[demo["24"].pk]), headers={"HX-Request": "true"}
    )
    assert "Huyện Lạng Giang" in response.text and "Xã Dương Đức" not in response.text


def test_village_form_creates_a_village_and_reports_duplicates(persona, client, demo):
    persona("tinh")  # province admin of Bắc Giang: the old commune has ended, so use the new one
    from ntm.accounts.models import Membership, Role, User

    Membership.objects.create(
        user=User.objects.get(username="tinh"), unit=demo["07420"].parent, role=Role.PROVINCE_ADMIN
    )
    url = reverse("geo:village_create", args=[demo["07420"].pk])
    response = client.post(url, {"name": "Thôn Mới", "kind": "village"})
    assert response.status_code == 302
    assert AdminUnit.objects.filter(name="Thôn Mới", parent=demo["07420"]).exists()
    response = client.post(url, {"name": "Thôn Cống Phên", "kind": "village"})
    assert response.status_code == 200 and 'class="errorlist' in response.text
    assert AdminUnit.objects.filter(name="Thôn Cống Phên", parent=demo["07420"]).count() == 1


def test_viewer_cannot_add_villages_and_strangers_cannot_see_the_commune(
    persona, client, demo, other_commune
):
    persona("xem")
    data = {"name": "Thôn X", "kind": "village"}
    response = client.post(reverse("geo:village_create", args=[demo["07408"].pk]), data)
    assert response.status_code == 403
    response = client.post(reverse("geo:village_create", args=[other_commune.pk]), data)
    assert response.status_code == 404
    assert not AdminUnit.objects.filter(name="Thôn X").exists()


@pytest.mark.parametrize("name", ["geo:index", "home"])
def test_anonymous_users_are_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_login_page_is_vietnamese_by_default(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200 and 'lang="vi"' in response.text


def test_unit_page_query_count_is_fixed(persona, client, demo, django_assert_num_queries):
    persona("xa")
    url = reverse("geo:detail", args=[demo["07408"].pk])
    # session, user, memberships, unit, successions, ancestors, children, classifications,
    # profile (provinces, classifications), criteria sets and their latest results, demo banner
    with django_assert_num_queries(14):
        client.get(url)


def test_search_query_count_is_fixed(persona, client, demo, django_assert_num_queries):
    persona("xa")
    with django_assert_num_queries(6):
        client.get(reverse("geo:index"), {"q": "thon"})


def test_province_admin_sets_a_commune_group_and_others_cannot(persona, client, demo):
    url = reverse("geo:classification_create", args=[demo["07408"].pk])
    persona("xa")
    assert (
        client.post(
            url, {"kind": "commune_group", "value": "2", "valid_from": "15/02/2026"}
        ).status_code
        == 403
    )
    persona("tinh")
    response = client.post(url, {"kind": "commune_group", "value": "4", "valid_from": "15/02/2026"})
    assert response.status_code == 200 and 'class="errorlist' in response.text
    response = client.post(
        url,
        {
            "kind": "commune_group",
            "value": "2",
            "valid_from": "15/02/2026",
            "legal_basis": "QĐ 51/2025/QĐ-TTg",
        },
    )
    assert response.status_code == 302
    assert demo["07408"].classifications.get().value == "2"


def test_history_links_only_units_the_user_may_open(persona, client, demo):
    url = reverse("geo:detail", args=[demo["07408"].pk])
    my_thai = reverse("geo:detail", args=[demo["07420"].pk])
    persona("xa")
    assert my_thai not in client.get(url).text  # Mỹ Thái is outside the commune manager's scope
    persona("admin")
    assert my_thai in client.get(url).text


def test_classification_button_shows_for_the_province_admin_only(persona, client, demo):
    url = reverse("geo:detail", args=[demo["07408"].pk])
    target = reverse("geo:classification_create", args=[demo["07408"].pk])
    persona("xa")
    assert target not in client.get(url).text
    persona("tinh")
    assert target in client.get(url).text
