import pytest
from django.urls import reverse

from ntm.geo.models import AdminUnit

ADVANCED = "xa-ntm-nang-cao-2021-2025"


@pytest.fixture
def demo_values(db):
    from ntm.demo.loader import load_demo

    return load_demo(with_values=True)


def test_commune_page_shows_13_of_19_for_q4_with_each_criterion_explained(client, demo_values):
    from ntm.accounts.models import User

    client.force_login(User.objects.get(username="xa"))
    url = reverse("evaluation:set_result", args=[demo_values["07408"].pk, ADVANCED])
    text = client.get(url, {"period": "2024Q4"}).text
    assert "<strong>13/19</strong>" in text
    assert text.count('class="status status-not_met"') == 6
    assert ("Thôn Cống Phên" in text and "unverified" in text) or "chưa xác minh" in text
    assert "<strong>12/19</strong>" in client.get(url, {"period": "2024Q1"}).text


def test_a_period_without_reports_shows_the_latest_before_it(client, demo_values):
    from ntm.accounts.models import User

    client.force_login(User.objects.get(username="xa"))
    url = reverse("evaluation:set_result", args=[demo_values["07408"].pk, ADVANCED])
    response = client.get(url, {"period": "2024Q3"})
    assert "<strong>12/19</strong>" in response.text and "2024Q1" in response.text


def test_changing_one_value_changes_the_status_at_once(client, demo_values):
    from ntm.accounts.models import User

    client.force_login(User.objects.get(username="xa"))
    unit = demo_values["07408"]
    save = reverse("evaluation:value_save", args=[unit.pk, ADVANCED, "2024Q4", "17.2"])
    response = client.post(save, {"value": "85"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="headline"' in response.text
    assert "<strong>13/19</strong>" in response.text  # 17.3 still fails criterion 17
    client.post(
        reverse("evaluation:value_save", args=[unit.pk, ADVANCED, "2024Q4", "17.3"]),
        {"value": "96"},
        headers={"HX-Request": "true"},
    )
    page = client.get(
        reverse("evaluation:set_result", args=[unit.pk, ADVANCED]), {"period": "2024Q4"}
    )
    assert "<strong>14/19</strong>" in page.text


def test_a_refused_value_shows_the_reason_in_the_row_and_changes_nothing(client, demo_values):
    from ntm.accounts.models import User
    from ntm.observations.models import DataValue

    client.force_login(User.objects.get(username="xa"))
    unit = demo_values["07408"]
    count = DataValue.objects.count()
    response = client.post(
        reverse("evaluation:value_save", args=[unit.pk, ADVANCED, "2024Q4", "18.1"]),
        {"value": "150"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and 'role="alert"' in response.text
    assert DataValue.objects.count() == count


def test_criterion_page_lists_history_and_what_is_missing(client, demo_values):
    from ntm.accounts.models import User

    client.force_login(User.objects.get(username="congchuc"))
    url = reverse("evaluation:criterion", args=[demo_values["07408"].pk, ADVANCED, 8])
    text = client.get(url).text
    assert "8.4" in text and "2024Q1" in text and "2024Q4" in text
    text = client.get(
        reverse("evaluation:criterion", args=[demo_values["07408"].pk, ADVANCED, 2])
    ).text
    assert 'class="missing"' in text


def test_province_page_lists_its_communes_with_their_counts(client, demo_values):
    from ntm.accounts.models import User

    client.force_login(User.objects.get(username="tinh"))
    url = reverse("evaluation:subunits", args=[demo_values["24"].pk, ADVANCED])
    text = client.get(url, {"period": "2024Q4"}).text
    assert "Xã Dương Đức" in text and "13/19" in text


def test_commune_page_query_count_is_fixed(client, demo_values, django_assert_max_num_queries):
    from ntm.accounts.models import User

    client.force_login(User.objects.get(username="xa"))
    url = reverse("evaluation:set_result", args=[demo_values["07408"].pk, ADVANCED])
    client.get(url, {"period": "2024Q4"})
    with django_assert_max_num_queries(26) as captured:
        client.get(url, {"period": "2024Q4"})
    pinned = len(captured)
    # Pinned: the count must not grow with criteria, indicators or villages (26: the approved
    # count beside the working one, the periods with data for the picker, the unit's
    # scenarios for the scenario switcher and the recognition under the prerequisite set are
    # four of them).
    assert pinned == 26, [q["sql"][:80] for q in captured.captured_queries]


def test_province_page_query_count_is_fixed(client, demo_values, django_assert_num_queries):
    from ntm.accounts.models import User

    client.force_login(User.objects.get(username="tinh"))
    url = reverse("evaluation:subunits", args=[demo_values["24"].pk, ADVANCED])
    # 14: which communes of the page are recognised (the revocation mark is theirs) is one.
    with django_assert_num_queries(14):
        client.get(url, {"period": "2024Q4"})
    # Filtered and sorted: the same number of queries.
    with django_assert_num_queries(14):
        client.get(url, {"period": "Quý IV/2024", "status": "not_met", "sort": "-met"})


def test_data_entry_page_query_count_is_fixed(client, demo_values, django_assert_num_queries):
    from ntm.accounts.models import User

    client.force_login(User.objects.get(username="xa"))
    url = reverse("evaluation:entry", args=[demo_values["07408"].pk, ADVANCED, "2024Q4"])
    # 17: the poverty standard of the period, the approved count and the periods with data
    # for the picker are three of them.
    with django_assert_num_queries(17):
        response = client.get(url)
    assert response.status_code == 200


def test_village_page_uses_the_village_set(client, demo_values):
    from ntm.accounts.models import User

    client.force_login(User.objects.get(username="thon"))
    cong_phen = AdminUnit.objects.get(code="07408.05", valid_from=None)
    text = client.get(reverse("geo:detail", args=[cong_phen.pk])).text
    assert "7/7" in text


def test_province_page_counts_communes_criterion_by_criterion(client, demo_values):
    from ntm.accounts.models import User

    client.force_login(User.objects.get(username="tinh"))
    url = reverse("evaluation:subunits", args=[demo_values["24"].pk, ADVANCED])
    response = client.get(url, {"period": "2024Q4"})
    rollup = {number: c for number, _name, c in response.context["rollup"]}
    assert rollup[8]["met"] == 1 and rollup[2]["not_met"] == 1 and len(rollup) == 19
    text = response.content.decode()
    # Criteria named, and drawn: one bar per criterion.
    names = {number: name for number, name, _c in response.context["rollup"]}
    assert names[8] and f"8. {names[8]}" in text
    assert '<svg class="criteria-bars"' in text


def test_province_table_filters_by_status_and_sorts_by_count(client, demo_values):
    from ntm.accounts.models import User

    client.force_login(User.objects.get(username="tinh"))
    bac_ninh = demo_values["07420"].parent
    url = reverse("evaluation:subunits", args=[bac_ninh.pk, "xa-ntm-2026-2030"])
    rows = client.get(url, {"status": "not_met", "sort": "-met"}).context["page"].rows
    # The province counts approved figures: Q2's 4/10, not Q3's submitted 6/10.
    assert [r.unit.code for r in rows] == ["07420"] and rows[0].result.met == 4
    working = client.get(url, {"status": "not_met", "basis": "working"}).context["page"].rows
    assert working[0].result.met == 6
    assert client.get(url, {"status": "met"}).context["page"].rows == []
    assert client.get(url, {"status": "none"}).context["page"].rows == []
    # An unknown filter or order is ignored, not an error.
    assert client.get(url, {"status": "x", "sort": "y"}).status_code == 200
    # The province's budget across these communes is one click away (decision support).
    assert reverse("decisions:allocation", args=[bac_ninh.pk, "xa-ntm-2026-2030"]) in (
        client.get(url).text
    )


def test_a_recognised_commune_sees_the_revocation_warning_on_its_page(client, demo_values):
    import datetime as dt

    from ntm.accounts.models import User
    from ntm.recognition.models import Recognition

    client.force_login(User.objects.get(username="xa"))
    url = reverse("evaluation:set_result", args=[demo_values["07408"].pk, ADVANCED])
    assert 'role="alert"' not in client.get(url, {"period": "2024Q4"}).text
    Recognition.objects.create(
        unit=demo_values["07408"],
        set_code=ADVANCED,
        decision_number="45/QĐ-UBND",
        decision_date=dt.date(2024, 1, 10),
    )
    text = client.get(url, {"period": "2024Q4"}).text
    assert "45/QĐ-UBND" in text and 'role="alert"' in text  # 6 of 19 not met, key ones among them


def test_the_criteria_page_reads_periods_as_people_write_them(client, demo_values):
    from ntm.accounts.models import User

    client.force_login(User.objects.get(username="xa"))
    url = reverse(
        "evaluation:set_result", args=[demo_values["07408"].pk, "xa-ntm-nang-cao-2021-2025"]
    )
    text = client.get(url, {"period": "Quý I/2024"}).content.decode()
    assert "12/19" in text
    text = client.get(url, {"period": "quý 4 năm 2024"}).content.decode()
    assert "13/19" in text
    refused = client.get(url, {"period": "quý năm"}).content.decode()
    assert "không phải là kỳ báo cáo hợp lệ" in refused and "Quý I/2024" in refused
