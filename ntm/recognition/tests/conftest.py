import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from ntm.accounts.models import User
from ntm.recognition import services
from ntm.recognition.models import Survey, Workflow

SET = "xa-ntm-2021-2025"


@pytest.fixture(autouse=True)
def english():
    """Service messages are matched in English; pages render in Vietnamese per request."""
    with translation.override("en"):
        yield


def user(name: str) -> User:
    return User.objects.get(username=name)


@pytest.fixture
def commune(demo):
    return demo["07408"]


@pytest.fixture
def villages(commune):
    return list(commune.children.order_by("code"))


@pytest.fixture
def survey(commune, villages) -> Survey:
    """A Front survey of two villages of 10 households each, with two questions."""
    front = user("mttq")
    s = services.survey_create(
        user=front,
        unit=commune,
        purpose="ntm",
        set_code=SET,
        title="Khảo sát sự hài lòng 2025",
        questions=["Hài lòng về hạ tầng?", "Hài lòng về môi trường?"],
    )
    for v in villages[:2]:
        services.survey_village_set(user=front, survey=s, village=v, households=10)
    return s


def vote(survey: Survey, village, code: str, *answers: bool):
    ids = list(survey.questions.values_list("pk", flat=True))
    return services.ballot_add(
        user=user("mttq"),
        survey=survey,
        village=village,
        household_code=code,
        answers=dict(zip(ids, answers, strict=True)),
    )


def fill(survey: Survey, village, satisfied: int, unsatisfied: int, prefix: str = "H") -> None:
    for i in range(satisfied):
        vote(survey, village, f"{prefix}{village.code}-{i}", True, True)
    for i in range(unsatisfied):
        vote(survey, village, f"{prefix}{village.code}-n{i}", True, False)


def set_threshold(survey: Survey, share: str | None) -> None:
    services.survey_threshold_set(
        user=user("tinh"),
        survey=survey,
        required_share=Decimal(share) if share else None,
        source="Quyết định của UBND tỉnh (thử nghiệm)" if share else "",
        verified=False,
    )


@pytest.fixture
def workflow_2021() -> Workflow:
    return Workflow.objects.get(code="18-2022-qd-ttg")


@pytest.fixture
def workflow_2025() -> Workflow:
    return Workflow.objects.get(code="hai-cap-2025")


@pytest.fixture
def dossier(commune, workflow_2025):
    return services.dossier_create(
        user=user("xa"),
        unit=commune,
        set_code=SET,
        workflow=workflow_2025,
        today=dt.date(2025, 8, 1),
    )
