"""Browser flow: Dương Đức's commune manager builds a scenario from the 2024 plan's targets
(due in Q4) and sees 13/19 projected, on the scenario page and through the switcher of the
criteria page; then asks for the cheapest path to 15/19 and turns it into the plan's targets."""

import pytest

from tests.e2e.test_unit_browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADVANCED = "xa-ntm-nang-cao-2021-2025"


def test_a_scenario_from_the_targets_then_the_cheapest_path_as_targets(live_server, page):
    from ntm.catalog.models import CriteriaSet
    from ntm.decisions.models import Scenario
    from ntm.demo.loader import load_demo
    from ntm.planning.models import Plan

    units = load_demo(with_values=True)
    base = live_server.url
    unit = units["07408"].pk
    advanced = CriteriaSet.objects.get(code=ADVANCED)
    plan = Plan.objects.get(unit=units["07408"], year=2024)
    before = plan.targets.count()
    login(page, base, "xa")

    # The scenario: the 2024 targets reached, on the figures of Q1 (12/19).
    page.goto(f"{base}/units/{unit}/scenarios/")
    page.locator("details.card summary").click()
    page.fill("#id_name", "Mục tiêu kế hoạch 2024")
    page.select_option("#id_criteria_set", value=str(advanced.pk))
    page.fill("#id_base_period", "Quý I/2024")
    page.select_option("#id_source", value="targets")
    page.locator("details.card form button[type=submit].primary").click()
    page.wait_for_url(f"{base}/units/{unit}/scenarios/*/")
    headline = page.locator("section.headline").inner_text()
    assert "12/19" in headline and "13/19" in headline
    assert "giả định" in page.locator("p.notice.illustrative").inner_text()
    scenario = Scenario.objects.get(name="Mục tiêu kế hoạch 2024")
    assert scenario.source == "targets"

    # The criteria page: the same scenario chosen in its switcher, apart from the real table.
    page.goto(f"{base}/units/{unit}/sets/{ADVANCED}/?period=2024Q4")
    page.select_option("#scenario-switch", value=str(scenario.pk))
    page.locator("section.scenario-switch button[type=submit]").click()
    outcome = page.locator(".scenario-outcome").inner_text()
    assert "Kịch bản (giả định)" in outcome and "13/19 tiêu chí đạt theo kịch bản" in outcome
    assert "Thông tin và truyền thông" in page.locator("ul.scenario-changes").inner_text()
    assert "13/19" in page.locator("section.headline .count").inner_text()  # the real Q4

    # The cheapest path to 15/19, confirmed into the 2024 plan.
    page.goto(f"{base}/units/{unit}/cheapest/{ADVANCED}/")
    page.fill("input[name=target]", "15")
    page.get_by_role("button", name="Tìm lộ trình ít tốn kém nhất").click()
    path = page.locator("section.card", has=page.locator("select#plan_year"))
    assert "13 → 15/19" in path.inner_text()
    assert "13.2 và 15.1" in path.inner_text()
    page.select_option("#plan_year", value="2024")
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(f"{base}/units/{unit}/plans/2024/")
    targets = page.locator("table.table >> nth=0").inner_text()
    assert "Hoàn thành tiêu chí 13: đóng 13.2" in targets
    assert "Hoàn thành tiêu chí 15: đóng 15.1" in targets
    assert plan.targets.count() == before + 2
