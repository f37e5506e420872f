"""Browser flow (make e2e): a citizen asks about a work on its public page, the commune manager
moderates and answers, the answer appears publicly."""

import pytest

from tests.e2e.test_unit_browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_citizen_question_on_a_work_is_answered_by_the_commune(live_server, page, settings):
    from ntm.demo.loader import load_demo
    from ntm.finance.models import Work

    settings.PORTAL_FEEDBACK_MIN_SECONDS = 1
    load_demo(with_values=True)
    work = Work.objects.get(name__startswith="Sân thể thao thôn Cống Phên")
    base = live_server.url

    # A resident opens Dương Đức on a phone: 13/19, Cống Phên's works, where the money came from.
    page.goto(f"{base}/p/07408/")
    body = page.locator("main").inner_text()
    assert "13/19" in body and "Sân thể thao thôn Cống Phên" in body
    assert page.locator("svg.history-chart").count() >= 1
    assert page.locator("#funds table.money").count() >= 1

    page.get_by_role("link", name=work.name).click()
    page.wait_for_url(f"{base}/p/w/{work.pk}/")
    page.select_option("select[name=kind]", "question")
    page.fill("textarea[name=text]", "Bao giờ sân thể thao hoàn thành?")
    page.fill("input[name=contact]", "0912000111")
    page.wait_for_timeout(1200)  # a person takes a moment; the form refuses instant submissions
    page.locator("form.feedback-form button[type=submit]").click()
    page.wait_for_url(f"{base}/p/w/{work.pk}/")
    assert "Bao giờ sân thể thao hoàn thành?" not in page.locator("#answers").inner_text()

    # The commune manager moderates and answers — in the queue of Mỹ Thái, which Cống Phên's
    # commune became in 2025 (xa was carried over to it).
    from ntm.portal.services import answering_unit

    login(page, base, "xa")
    commune = answering_unit(work.unit).parent
    page.goto(f"{base}/units/{commune.pk}/feedback/")
    page.locator(".queue li", has_text="Bao giờ sân thể thao hoàn thành?").get_by_role(
        "link"
    ).click()
    page.select_option("select[name=status]", "published")
    page.fill("textarea[name=answer]", "Dự kiến hoàn thành trong tháng 12/2024.")
    page.locator("form button[type=submit].primary").last.click()
    page.wait_for_url(f"{base}/units/{commune.pk}/feedback/")

    # Anyone sees the question and the answer; never the contact.
    page.context.clear_cookies()
    page.goto(f"{base}/p/w/{work.pk}/")
    answers = page.locator("#answers").inner_text()
    assert "Bao giờ sân thể thao hoàn thành?" in answers
    assert "Dự kiến hoàn thành trong tháng 12/2024." in answers
    assert "0912000111" not in page.content()
