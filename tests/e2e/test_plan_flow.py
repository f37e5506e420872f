"""Browser flow: the commune manager creates a task, records its progress, enters the value it
achieved and sees the plan's target turn from missed to achieved."""

import pytest

from tests.e2e.test_unit_browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_task_its_progress_and_the_target_status(live_server, page):
    import datetime as dt

    from ntm.accounts.models import User
    from ntm.catalog.models import CriteriaSet
    from ntm.demo.loader import load_demo
    from ntm.planning import services

    units = load_demo(with_values=True)
    xa = User.objects.get(username="xa")
    plan = services.plan_create(
        user=xa, unit=units["07408"], year=2025, title="Kế hoạch 6 tháng đầu năm 2025"
    )
    services.target_add(
        user=xa,
        plan=plan,
        kind="criterion",
        criterion_number=17,
        criteria_set=CriteriaSet.objects.get(code="xa-ntm-nang-cao-2021-2025"),
        deadline=dt.date(2025, 6, 30),
        title="Đạt tiêu chí 17 về môi trường",
    )
    base = live_server.url
    unit = units["07408"].pk
    login(page, base, "xa")

    page.goto(f"{base}/units/{unit}/plans/2025/")
    assert "status-not_met" in page.locator("table.table >> nth=0").inner_html()  # missed

    page.goto(f"{base}/units/{unit}/plans/2025/tasks/new/")
    page.select_option("select[name=area]", label=plan.areas.get(code="environment").name)
    page.fill("textarea[name=description]", "Nhân rộng phân loại rác tại hộ gia đình")
    page.fill("input[name=deadline]", "30/06/2025")
    page.fill("input[name=criteria]", "17")
    page.locator("form button[type=submit].primary").click()
    page.get_by_role("link", name="Nhân rộng phân loại rác tại hộ gia đình").click()
    page.fill("input[name=date]", "20/03/2025")
    page.fill("input[name=percent]", "100")
    page.fill("textarea[name=note]", "85% số hộ phân loại rác")
    page.locator("form.card button[type=submit]").click()
    assert "100%" in page.locator("dl.facts").inner_text()

    page.goto(f"{base}/units/{unit}/data/xa-ntm-nang-cao-2021-2025/2025Q1/")
    for row, value in (("#row-172", "85"), ("#row-173", "96")):
        page.locator(row).locator("input[name=value]").fill(value)
        page.locator(row).locator("button[type=submit]").click()
        page.wait_for_selector(f"{row} .status-met")

    page.goto(f"{base}/units/{unit}/plans/2025/")
    assert "status-met" in page.locator("table.table >> nth=0").inner_html()  # achieved
