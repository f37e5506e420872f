"""Scenario and cheapest-path pages: scope, roles, bad input as form errors in Vietnamese."""

from decimal import Decimal

from django.urls import reverse

from ntm.decisions.models import GapCost, Scenario
from ntm.decisions.services import gap_cost_set
from ntm.planning.services import plan_create


def test_the_commune_manager_creates_a_typed_scenario_and_sees_it_beside_the_real_result(
    persona, client, commune, recorded
):
    persona("xa")
    url = reverse("decisions:scenarios", args=[commune.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Đài truyền thanh",
            "criteria_set": recorded.pk,
            "base_period": "Quý II/2024",
            "source": "typed",
            "values": "3 = đạt",
        },
    )
    scenario = Scenario.objects.get()
    assert response.status_code == 302
    assert scenario.base_period == "2024Q2"
    page = client.get(reverse("decisions:scenario", args=[commune.pk, scenario.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "kịch bản" in text
    assert "<strong>1/3</strong>" in text and "<strong>2/3</strong>" in text


def test_a_bad_value_is_a_vietnamese_form_error_not_a_crash(persona, client, commune, recorded):
    persona("xa")
    response = client.post(
        reverse("decisions:scenarios", args=[commune.pk]),
        {
            "name": "Sai",
            "criteria_set": recorded.pk,
            "base_period": "2024Q2",
            "source": "typed",
            "values": "1.1 = nhiều",
        },
    )
    assert response.status_code == 200
    assert "không phải là số" in response.content.decode()
    assert not Scenario.objects.exists()


def test_a_target_scenario_without_a_plan_is_refused_on_the_form(
    persona, client, commune, recorded
):
    persona("xa")
    response = client.post(
        reverse("decisions:scenarios", args=[commune.pk]),
        {"name": "KH", "criteria_set": recorded.pk, "base_period": "2024Q4", "source": "targets"},
    )
    assert response.status_code == 200
    assert not Scenario.objects.exists()


def test_another_communes_user_cannot_read_or_change_a_scenario(
    persona, client, foreign, own, commune, other_commune
):
    persona("xa")
    detail = reverse("decisions:scenario", args=[other_commune.pk, foreign.pk])
    assert client.get(detail).status_code == 404
    assert client.post(detail, {"values": "3 = không đạt"}).status_code == 404
    delete = reverse("decisions:scenario_delete", args=[other_commune.pk, foreign.pk])
    assert client.post(delete).status_code == 404
    # Nor through their own unit's URL.
    smuggled = reverse("decisions:scenario", args=[commune.pk, foreign.pk])
    assert client.get(smuggled).status_code == 404
    assert client.post(smuggled, {"values": "3 = không đạt"}).status_code == 404
    assert dict(foreign.values.values_list("code", "text")) == {"3": "đạt"}
    assert Scenario.objects.filter(pk=foreign.pk).exists()


def test_viewers_read_scenarios_but_do_not_change_them(persona, client, own, commune):
    persona("xem")
    detail = reverse("decisions:scenario", args=[commune.pk, own.pk])
    assert client.get(detail).status_code == 200
    assert client.post(detail, {"values": "3 = không đạt"}).status_code == 403
    assert (
        client.post(reverse("decisions:scenario_delete", args=[commune.pk, own.pk])).status_code
        == 403
    )
    assert dict(own.values.values_list("code", "text")) == {"3": "đạt"}


def test_the_manager_changes_and_deletes_a_scenario(persona, client, own, commune):
    persona("xa")
    detail = reverse("decisions:scenario", args=[commune.pk, own.pk])
    assert client.post(detail, {"values": "1.1 = 90\n3 = đạt"}).status_code == 302
    assert "<strong>2/3</strong>" in client.get(detail).content.decode()
    assert dict(own.values.values_list("code", "text")) == {"1.1": "90", "3": "đạt"}
    bad = client.post(detail, {"values": "1.1 = 190"})
    assert bad.status_code == 200
    client.post(reverse("decisions:scenario_delete", args=[commune.pk, own.pk]))
    assert not Scenario.objects.exists()


def test_the_cheapest_path_page_explains_the_choice(persona, client, commune, recorded, users):
    for code, cost in [("1.1", 400_000_000), ("3", 250_000_000), ("2", 100_000_000)]:
        gap_cost_set(
            user=users["xa"], unit=commune, criteria_set=recorded, indicator_code=code, cost=cost
        )
    persona("xa")
    url = reverse("decisions:cheapest", args=[commune.pk, recorded.code])
    response = client.get(url, {"target": "2"})
    text = response.content.decode()
    assert response.status_code == 200
    # 1/3 met (criterion 1 in Q2): the second criterion is poverty's (100 million), not the
    # radio's (250 million).
    assert "đóng 2: 100 triệu đồng (1 → 2 tiêu chí đạt)" in text
    bad = client.get(url, {"budget": "nhiều tiền"})
    assert bad.status_code == 200 and "đồng" in bad.content.decode()


def test_costs_are_entered_by_plan_managers_only(persona, client, commune, recorded):
    persona("congchuc")
    url = reverse("decisions:cheapest", args=[commune.pk, recorded.code])
    assert client.post(url, {"indicator_code": "3", "cost": "1000"}).status_code == 403
    persona("xa")
    assert client.post(url, {"indicator_code": "3", "cost": "1.000.000"}).status_code == 302
    assert GapCost.objects.get().cost == Decimal(1_000_000)
    refused = client.post(url, {"indicator_code": "9.9", "cost": "1000"})
    assert refused.status_code == 200
    assert GapCost.objects.count() == 1


def test_the_set_and_plan_pages_link_to_scenarios_and_the_cheapest_path(
    persona, client, commune, recorded, users
):
    persona("xa")
    page = client.get(reverse("evaluation:set_result", args=[commune.pk, recorded.code]))
    text = page.content.decode()
    assert reverse("decisions:scenarios", args=[commune.pk]) in text
    assert reverse("decisions:cheapest", args=[commune.pk, recorded.code]) in text
    plan_create(user=users["xa"], unit=commune, year=2024, title="Kế hoạch 2024")
    plan = client.get(reverse("planning:plan", args=[commune.pk, 2024])).content.decode()
    assert reverse("decisions:scenarios", args=[commune.pk]) in plan


def test_a_scenario_exports_as_csv_labelled_kich_ban(persona, client, own, foreign, commune):
    persona("xem")
    response = client.get(reverse("decisions:scenario_export", args=[commune.pk, own.pk]))
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert len(lines) == 1 + 4  # header, then 1.1, 1.2, 2 and 3
    assert all(line.startswith("Kịch bản,Đài truyền thanh,2024Q2") for line in lines[1:])
    assert "3,3,false,not_met,true,met,true,x" in text
    other = reverse("decisions:scenario_export", args=[commune.pk, foreign.pk])
    assert client.get(other).status_code == 404
