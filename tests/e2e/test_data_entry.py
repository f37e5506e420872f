"""Browser flow: the commune manager opens Dương Đức's advanced set, sees 13/19 for Q4/2024,
changes one value on the data-entry page and sees the count change without reloading."""

import tempfile
from pathlib import Path

import pytest

from tests.e2e.test_unit_browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_changing_a_value_changes_the_count_at_once(live_server, page):
    from ntm.demo.loader import load_demo

    units = load_demo(with_values=True)
    login(page, live_server.url, "xa")
    duong_duc = units["07408"].pk
    page.goto(f"{live_server.url}/units/{duong_duc}/sets/xa-ntm-nang-cao-2021-2025/?period=2024Q4")
    assert "13/19" in page.locator(".headline").inner_text()

    page.goto(f"{live_server.url}/units/{duong_duc}/data/xa-ntm-nang-cao-2021-2025/2024Q4/")
    row = page.locator("#row-151")  # 15.1: administrative procedures on time, 96,1 < 98
    row.locator("input[name=value]").fill("98,5")
    row.locator("button[type=submit]").click()
    page.wait_for_function("document.querySelector('#headline').innerText.includes('14/19')")
    assert page.locator("#row-151 .status").get_attribute("class") == "status status-met"

    bad = page.locator("#row-181")
    bad.locator("input[name=value]").fill("150")
    bad.locator("button[type=submit]").click()
    page.wait_for_selector("#row-181 [role=alert]")
    assert "14/19" in page.locator("#headline").inner_text()

    shot = Path(tempfile.mkdtemp(prefix="ntm-e2e-")) / "data-entry.png"
    page.screenshot(path=str(shot), full_page=False)
