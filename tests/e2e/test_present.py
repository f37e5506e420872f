"""Browser flow of today (December 2026): the commune manager of 2024's Dương Đức logs in and
lands on Mỹ Thái, the commune Dương Đức merged into; sees Dương Đức's 13/19 as inherited
history; enters a 2026 value against Bắc Ninh's (illustrative) 2026–2030 set and sees the count
change; a citizen then writes to Mỹ Thái on its public page."""

import tempfile
from pathlib import Path

import pytest

from tests.e2e.test_unit_browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_xa_works_on_my_thai_and_a_citizen_writes_to_it(live_server, page, settings):
    from ntm.demo.loader import load_demo
    from ntm.portal.models import Feedback

    settings.PORTAL_FEEDBACK_MIN_SECONDS = 1
    units = load_demo(with_values=True)
    my_thai = units["07420"]
    base = live_server.url

    login(page, base, "xa")
    # Today's unit first; Dương Đức under "history".
    first = page.locator("ul.cards").first.locator("li.card a").first
    assert "Xã Mỹ Thái" in first.inner_text()
    assert "Xã Dương Đức" in page.locator("main").inner_text().split("Lịch sử", 1)[1]
    first.click()
    page.wait_for_url(f"{base}/units/{my_thai.pk}/")
    inherited = page.locator("#inherited").inner_text()
    assert "Xã Dương Đức" in inherited and "13/19" in inherited and "2024Q4" in inherited

    page.goto(f"{base}/units/{my_thai.pk}/data/xa-ntm-2026-2030/2026Q3/")
    assert "6/10" in page.locator("#headline").inner_text()
    row = page.locator("#row-83")  # 8.3: households sorting waste at source, 52% < 60%
    row.locator("input[name=value]").fill("65")
    row.locator("button[type=submit]").click()
    page.wait_for_function("document.querySelector('#headline').innerText.includes('7/10')")
    shot = Path(tempfile.mkdtemp(prefix="ntm-e2e-")) / "my-thai-entry.png"
    page.screenshot(path=str(shot), full_page=False)

    # A resident, without an account, asks Mỹ Thái about the commune as a whole.
    page.context.clear_cookies()
    page.goto(f"{base}/p/07420/")
    page.select_option("select[name=subject]", "unit")
    page.select_option("select[name=kind]", "question")
    page.fill("textarea[name=text]", "Khi nào xã họp dân về phân loại rác?")
    page.wait_for_timeout(1200)  # the form refuses instant submissions
    page.locator("form.feedback-form button[type=submit]").click()
    page.wait_for_url(f"{base}/p/07420/")
    item = Feedback.objects.get(text="Khi nào xã họp dân về phân loại rác?")
    assert item.unit == my_thai and item.plan is None and item.work is None
