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


def test_bac_giang_weighs_four_communes_with_illustrative_costs(full_demo, client):
    """Tân Thanh, old Mỹ Thái and Xuân Hương get illustrative costs of their open gaps (entered
    by the province, marked demo): 10 tỷ brings Dương Đức and Mỹ Thái to 15/19, 18 tỷ Tân Thanh
    too; Xuân Hương, the dearest, waits."""
    import json
    from io import StringIO

    from django.core.management import call_command

    from ntm.decisions.models import GapCost
    from ntm.demo.decisions import ALLOCATION_NOTE

    others = GapCost.objects.filter(unit__code__in=["07411", "07420", "07429"])
    assert others.count() > 40 and not others.filter(is_demo=False).exists()
    assert set(others.values_list("note", flat=True)) == {ALLOCATION_NOTE}
    assert not others.filter(indicator_code__in=["10", "11"]).exists()

    def allocate(budget):
        out = StringIO()
        call_command(
            "allocate",
            *["--province", "24", "--set", "xa-ntm-nang-cao-2021-2025", "--period", "2025Q2"],
            *["--target", "15", "--budget", budget, "--format", "json"],
            stdout=out,
        )
        return json.loads(out.getvalue())

    ten = allocate("10000000000")
    assert [c["code"] for c in ten["chosen"]] == ["07408", "07420"]
    assert {c["code"]: c["reason"] for c in ten["not_chosen"]} == {
        "07411": "budget",
        "07429": "budget",
    }
    assert ten["cost"] == "9150000000"
    eighteen = allocate("18000000000")
    assert [c["code"] for c in eighteen["chosen"]] == ["07408", "07411", "07420"]

    client.force_login(User.objects.get(username="tinh"))
    page = client.get(
        reverse("decisions:allocation", args=[full_demo["24"].pk, "xa-ntm-nang-cao-2021-2025"]),
        {"budget": "10000000000", "target": "15"},
    ).content.decode()
    assert "Minh họa: các chi phí là số liệu minh họa" in page
    assert page.count('id="funded-') == 2 and page.count('id="not-funded-') == 2
