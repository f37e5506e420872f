"""Browser flow (make e2e): a recognition dossier of Dương Đức walked through to the decision."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.test_unit_browser import login

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def seeded_workflows(transactional_db):
    """Transactional tests flush the database, data-migration rows included: seed them again."""
    import importlib

    from django.apps import apps

    from ntm.recognition.models import Workflow

    if not Workflow.objects.exists():
        importlib.import_module("ntm.recognition.migrations.0002_seed_workflows").seed(apps, None)


def _survey_passing_90(commune):
    """The Front's survey, already entered: 19 of 20 households satisfied, threshold 90%."""
    from ntm.accounts.models import User
    from ntm.recognition import services

    front, province = User.objects.get(username="mttq"), User.objects.get(username="tinh")
    survey = services.survey_create(
        user=front,
        unit=commune,
        purpose="ntm",
        set_code="xa-ntm-2021-2025",
        title="Khảo sát sự hài lòng 2025",
        questions=["Hài lòng về kết quả xây dựng NTM?"],
    )
    village = commune.children.order_by("code").first()
    services.survey_village_set(user=front, survey=survey, village=village, households=20)
    question = survey.questions.get()
    for i in range(20):
        services.ballot_add(
            user=front,
            survey=survey,
            village=village,
            household_code=f"H{i:02d}",
            answers={question.pk: i != 0},
        )
    services.survey_threshold_set(
        user=province, survey=survey, required_share=Decimal(90), source="UBND tỉnh", verified=False
    )
    return survey


def _section(page, section: str, **fields: str) -> None:
    form = page.locator(f"form[data-section={section}]")
    for name, value in fields.items():
        if name == "survey":
            form.locator("select[name=survey]").select_option(value)
        else:
            form.locator(f"[name={name}]").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def _complete(page) -> None:
    page.locator("form[action$='/advance/'] button[type=submit]").click()
    page.wait_for_load_state()


def _switch(page, base: str, username: str, url: str) -> None:
    page.context.clear_cookies()
    login(page, base, username)
    page.goto(url)


def test_a_dossier_is_refused_then_walked_through_to_the_decision(live_server, page):
    from ntm.catalog.loader import load_criteria
    from ntm.demo.loader import load_demo
    from ntm.recognition.models import Dossier

    units = load_demo()
    load_criteria(ROOT / "data" / "criteria" / "xa-ntm-2021-2025.yaml")
    commune = units["07408"]
    survey = _survey_passing_90(commune)
    base = live_server.url
    login(page, base, "xa")
    page.goto(f"{base}/units/{commune.pk}/recognition/")
    page.locator("details summary").last.click()
    page.select_option("select[name=criteria_set]", "xa-ntm-2021-2025")
    page.select_option("select[name=workflow]", label="Chính quyền hai cấp từ 1/7/2025")
    page.locator("form[action$='/dossiers/'] button[type=submit]").click()
    page.wait_for_url("**/dossiers/*/")
    url = page.url
    dossier = Dossier.objects.get(unit=commune)

    _complete(page)  # the results report
    _section(page, "comments", received="3", answered="3")
    _complete(page)
    start = dt.date(2025, 8, 1)
    for n in range(4):
        day = start + dt.timedelta(days=3 * n)
        _section(page, "posting", place=f"Nhà văn hóa thôn {n + 1}", date=day.strftime("%d/%m/%Y"))
    _complete(page)
    assert "4" in page.locator("#blocker").inner_text()
    dossier.refresh_from_db()
    assert dossier.step.code == "posting"
    _section(page, "posting", place="Trụ sở UBND xã", date="13/08/2025")
    _complete(page)

    _switch(page, base, "mttq", url)
    _section(page, "survey", survey=str(survey.pk))
    _complete(page)

    _switch(page, base, "xa", url)
    _section(page, "vote", votes_for="25", votes_against="1", total="27", date="20/08/2025")
    _complete(page)

    _switch(page, base, "tinh", url)
    _section(page, "appraisal", notes="Hồ sơ đầy đủ, đạt chuẩn")
    _complete(page)
    _section(page, "decision", number="1234/QĐ-UBND", date="15/09/2025")
    _complete(page)

    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.RECOGNISED
    assert "1234/QĐ-UBND" in page.locator("main").inner_text()
    assert dossier.events.filter(kind="advanced").count() == 7
