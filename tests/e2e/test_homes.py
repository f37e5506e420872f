"""Each role's home says what to do now (issue 17 item 1), in the browser at 390 px: the
commune manager, the Front, the village head and the province, each with a link to the page
where the work is done."""

import pytest

from tests.e2e.test_unit_browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _todo(page) -> str:
    cards = page.locator("section.todo")
    assert cards.count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    return cards.first.inner_text()


def test_every_role_sees_its_own_to_do_list(live_server, page):
    from ntm.accounts.models import User
    from ntm.demo.loader import load_demo
    from ntm.recognition.services import survey_create, survey_village_set

    units = load_demo(with_values=True)
    my_thai = units["07420"]
    front = User.objects.get(username="mttq")
    survey = survey_create(
        user=front,
        unit=my_thai,
        purpose="ntm",
        set_code="xa-ntm-2026-2030",
        title="Khảo sát sự hài lòng 2026",
        questions=["Hài lòng với kết quả xây dựng nông thôn mới?"],
    )
    survey_village_set(
        user=front, survey=survey, village=my_thai.children.order_by("code").first(), households=40
    )
    base = live_server.url

    login(page, base, "xa")
    todo = _todo(page)
    assert "6/10" in todo and "đã phê duyệt: 4/10 (2026Q2)" in todo
    page.locator("section.todo a", has_text="6/10").first.click()
    assert "/sets/xa-ntm-2026-2030/" in page.url
    page.context.clear_cookies()

    login(page, base, "mttq")
    todo = _todo(page)
    assert "Nhập phiếu khảo sát: Khảo sát sự hài lòng 2026 (0/40 hộ)" in todo
    page.locator("section.todo a", has_text="Nhập phiếu khảo sát").click()
    assert f"/surveys/{survey.pk}/ballots/" in page.url
    page.context.clear_cookies()

    login(page, base, "tinh")
    todo = _todo(page)
    assert "xã có kết quả" in todo
    page.context.clear_cookies()

    login(page, base, "thon")
    # The village head: the village's works in progress and when each was last updated.
    todo = _todo(page)
    assert "Thôn Cống Phên" in todo and "cập nhật lần cuối" in todo
    page.locator("section.todo a", has_text="Điểm tập kết rác thải").click()
    assert "/works/" in page.url
