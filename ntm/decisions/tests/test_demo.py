"""The demo's decision support: Dương Đức's 2024 scenario and cheapest path (illustrative)."""

import pytest
from django.urls import reverse

from ntm.accounts.models import User
from ntm.catalog.models import CriteriaSet
from ntm.decisions.models import Scenario
from ntm.decisions.selectors import plan_cheapest
from ntm.decisions.services import scenario_evaluate, scenario_from_targets
from ntm.demo.loader import load_demo
from ntm.evaluation.models import SetResult
from ntm.planning.models import Plan


@pytest.fixture
def full_demo(db):

    units = load_demo(with_values=True)
    load_demo(with_values=True)  # idempotent
    return units


def test_the_criterion_8_scenario_is_confirmed_by_the_real_q4_result(full_demo):
    scenario = Scenario.objects.get()
    assert scenario.is_demo and "Minh họa" in scenario.note
    outcome = scenario_evaluate(scenario)
    assert (outcome.real_met, outcome.projected.met) == (12, 13)
    assert [r.number for r in outcome.changed] == [8]
    q4 = SetResult.objects.get(
        unit=full_demo["07408"], criteria_set=scenario.criteria_set, period="2024Q4"
    )
    assert q4.met == outcome.projected.met


def test_the_cheapest_path_to_15_of_19(full_demo):
    advanced = CriteriaSet.objects.get(code="xa-ntm-nang-cao-2021-2025")
    found = plan_cheapest(unit=full_demo["07408"], family=advanced, target=15)
    assert found.path.completed == (13, 15)
    assert found.explanation == (
        "đóng 13.2 và 15.1: 1,3 tỷ đồng (13 → 15 tiêu chí đạt); "
        "17.2 rẻ hơn nhưng không hoàn thành tiêu chí nào"
    )
    assert 10 in found.path.unreachable


def test_the_manager_builds_a_scenario_from_the_2024_targets(full_demo, client):

    xa = User.objects.get(username="xa")
    plan = Plan.objects.get(unit=full_demo["07408"], year=2024)
    advanced = CriteriaSet.objects.get(code="xa-ntm-nang-cao-2021-2025")
    scenario = scenario_from_targets(
        user=xa, plan=plan, criteria_set=advanced, base_period="2024Q1"
    )
    assert scenario_evaluate(scenario).projected.met == 13
    client.force_login(xa)
    page = client.get(reverse("decisions:cheapest", args=[full_demo["07408"].pk, advanced.code]))
    assert "các chi phí là số liệu minh họa" in page.content.decode()


def test_the_manager_turns_the_cheapest_path_into_draft_targets(full_demo, client):
    xa = User.objects.get(username="xa")
    advanced = CriteriaSet.objects.get(code="xa-ntm-nang-cao-2021-2025")
    plan = Plan.objects.get(unit=full_demo["07408"], year=2024)
    before = plan.targets.count()
    client.force_login(xa)
    url = reverse("decisions:cheapest", args=[full_demo["07408"].pk, advanced.code])
    page = client.get(url, {"target": "15"})
    assert "17.2 rẻ hơn nhưng không hoàn thành tiêu chí nào" in page.content.decode()
    response = client.post(url + "?target=15", {"plan_year": "2024"})
    assert response.status_code == 302
    added = list(plan.targets.order_by("pk"))[before:]
    assert [(t.kind, t.criterion_number) for t in added] == [("criterion", 13), ("criterion", 15)]
    assert added[0].title.startswith("Hoàn thành tiêu chí 13: đóng 13.2 (800 triệu đồng")
    # Confirmed twice: no criterion is targeted twice.
    client.post(url + "?target=15", {"plan_year": "2024"})
    assert plan.targets.count() == before + 2
    bad = client.post(url + "?target=15", {"plan_year": "20x4"})
    assert bad.status_code == 200 and "Chọn một kế hoạch" in bad.content.decode()
    client.force_login(User.objects.get(username="xem"))
    assert client.post(url + "?target=15", {"plan_year": "2024"}).status_code == 403
