"""A recognition decision under the basic set is the advanced set's prerequisite (Decision
318/QĐ-TTg asks that the commune be recognised), read by the pipeline through
``evaluation.prerequisites``."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from ntm.catalog.loader import load_criteria
from ntm.catalog.models import CriteriaSet, Indicator
from ntm.evaluation import actions
from ntm.evaluation.models import SetResult
from ntm.recognition import services
from ntm.recognition.models import Recognition
from ntm.recognition.tests.conftest import SET, user

ADVANCED = "xa-ntm-nang-cao-2021-2025"
CRITERIA = settings.BASE_DIR / "data" / "criteria"


@pytest.fixture
def advanced(commune):
    for code in (SET, ADVANCED):
        load_criteria(CRITERIA / f"{code}.yaml")
    family = CriteriaSet.objects.get(code=ADVANCED, localises__isnull=True)
    code = (
        Indicator.objects.filter(criteria_set=family)
        .order_by("pk")
        .values_list("code", flat=True)[0]
    )
    for period in ("2024Q1", "2024Q4"):
        actions.value_record(
            user=user("xa"), unit=commune, criteria_set=family, code=code, period=period, value="1"
        )
    return family


def prerequisite(commune, family) -> dict[str, bool | None]:
    return dict(
        SetResult.objects.filter(unit=commune, criteria_set=family).values_list(
            "period", "prerequisite_met"
        )
    )


@pytest.mark.django_db
def test_a_decision_meets_the_prerequisite_from_its_day_on(commune, advanced):
    assert prerequisite(commune, advanced) == {"2024Q1": None, "2024Q4": None}
    Recognition.objects.create(
        unit=commune, set_code=SET, decision_number="45/QĐ-UBND", decision_date=dt.date(2024, 6, 3)
    )
    actions.recognition_recorded(unit=commune, set_code=SET)
    # Q1 ended before the decision: still nothing known; Q4 after it: met.
    assert prerequisite(commune, advanced) == {"2024Q1": None, "2024Q4": True}


@pytest.mark.django_db
def test_a_later_result_of_the_basic_set_that_is_not_met_outweighs_an_older_decision(
    commune, advanced
):
    Recognition.objects.create(
        unit=commune, set_code=SET, decision_number="45/QĐ-UBND", decision_date=dt.date(2023, 1, 9)
    )
    actions.recognition_recorded(unit=commune, set_code=SET)
    assert prerequisite(commune, advanced) == {"2024Q1": True, "2024Q4": True}
    basic = CriteriaSet.objects.get(code=SET, localises__isnull=True)
    result = SetResult.objects.get(unit=commune, criteria_set=advanced, period="2024Q4")
    SetResult.objects.create(
        unit=commune,
        criteria_set=basic,
        applied_set=basic,
        period="2024Q3",
        period_end=dt.date(2024, 9, 30),
        met=10,
        total=19,
        status="not_met",
        basis="both",
    )
    actions.recognition_recorded(unit=commune, set_code=SET)  # any refresh of the unit alike
    assert prerequisite(commune, advanced) == {"2024Q1": True, "2024Q4": False}
    assert SetResult.objects.get(pk=result.pk).status == "not_met"


@pytest.mark.django_db
def test_other_communes_decisions_and_other_sets_decisions_do_not_count(
    commune, advanced, other_commune
):
    Recognition.objects.create(
        unit=other_commune, set_code=SET, decision_number="1", decision_date=dt.date(2023, 1, 9)
    )
    Recognition.objects.create(
        unit=commune, set_code=ADVANCED, decision_number="2", decision_date=dt.date(2023, 1, 9)
    )
    actions.recognition_recorded(unit=commune, set_code=SET)
    assert prerequisite(commune, advanced) == {"2024Q1": None, "2024Q4": None}


@pytest.mark.django_db
def test_the_dossier_ending_in_recognition_refreshes_the_next_set_up(commune, advanced, dossier):
    dossier.step = dossier.workflow.steps.get(code="decision")
    dossier.save()
    services.decision_record(
        user=user("tinh"), dossier=dossier, number="123/QĐ-UBND", date=dt.date(2024, 3, 1)
    )
    services.dossier_advance(user=user("tinh"), dossier=dossier, today=dt.date(2024, 3, 1))
    assert prerequisite(commune, advanced) == {"2024Q1": True, "2024Q4": True}


@pytest.mark.django_db
def test_the_set_page_names_the_decision_that_meets_the_prerequisite(client, commune, advanced):
    Recognition.objects.create(
        unit=commune, set_code=SET, decision_number="45/QĐ-UBND", decision_date=dt.date(2024, 6, 3)
    )
    actions.recognition_recorded(unit=commune, set_code=SET)
    client.force_login(user("xa"))
    url = reverse("evaluation:set_result", args=[commune.pk, ADVANCED])
    page = client.get(url, {"period": "2024Q4", "basis": "working"}).content.decode()
    assert "Quyết định số 45/QĐ-UBND ngày 03/06/2024" in page
    # Q1 ended before the decision: the page does not lean on it there.
    before = client.get(url, {"period": "2024Q1", "basis": "working"}).content.decode()
    assert "45/QĐ-UBND" not in before
