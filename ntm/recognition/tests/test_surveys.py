from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from ntm.recognition import services
from ntm.recognition.selectors import survey_tally, survey_villages
from ntm.recognition.tests.conftest import fill, set_threshold, user, vote


def test_coverage_counts_ballots_against_the_households_entered_per_village(survey, villages):
    fill(survey, villages[0], satisfied=8, unsatisfied=1)
    fill(survey, villages[1], satisfied=5, unsatisfied=1)
    tally = survey_tally(survey)
    assert (tally.households, tally.ballots, tally.satisfied) == (20, 15, 13)
    assert tally.coverage == Decimal("75.00")
    assert tally.satisfied_share == Decimal("86.67")
    first = survey_villages(survey)[0]
    assert (first.ballots, first.coverage, first.satisfied_share) == (9, 90, Decimal("88.89"))


def test_a_ballot_is_satisfied_only_when_every_answer_is_yes(survey, villages):
    assert vote(survey, villages[0], "A1", True, True).satisfied
    assert not vote(survey, villages[0], "A2", True, False).satisfied


def test_a_second_ballot_of_the_same_household_is_refused(survey, villages):
    vote(survey, villages[0], "HH-001", True, True)
    with pytest.raises(services.SurveyError, match="HH-001 already has a ballot"):
        vote(survey, villages[1], " HH-001 ", False, True)
    assert survey.ballots.count() == 1


def test_a_ballot_must_answer_every_question(survey, villages):
    first = survey.questions.first()
    with pytest.raises(services.SurveyError, match="Answer every question"):
        services.ballot_add(
            user=user("mttq"),
            survey=survey,
            village=villages[0],
            household_code="X",
            answers={first.pk: True},
        )


def test_the_survey_has_no_threshold_until_the_province_sets_one(survey, villages):
    fill(survey, villages[0], satisfied=10, unsatisfied=0)
    assert survey.required_share is None and not survey_tally(survey).passes
    with pytest.raises(PermissionDenied):
        services.survey_threshold_set(
            user=user("mttq"), survey=survey, required_share=Decimal(90), source="x", verified=True
        )
    set_threshold(survey, "90")
    survey.refresh_from_db()
    assert survey_tally(survey).passes and not survey.threshold_verified


def test_the_commune_manager_cannot_enter_ballots(survey, villages):
    with pytest.raises(PermissionDenied):
        services.ballot_add(
            user=user("xa"), survey=survey, village=villages[0], household_code="X", answers={}
        )


def test_only_the_front_and_the_auditors_open_the_ballots(persona, client, survey, villages):
    fill(survey, villages[0], satisfied=1, unsatisfied=0, prefix="SECRET")
    url = reverse("recognition:ballots", args=[survey.unit_id, survey.pk])
    result = reverse("recognition:survey", args=[survey.unit_id, survey.pk])
    for name in ("mttq", "tinh", "admin"):
        persona(name)
        assert "SECRET" in client.get(url).content.decode(), name
    for name in ("xa", "congchuc", "xem"):
        persona(name)
        assert client.get(url).status_code == 403, name
        page = client.get(result)
        assert page.status_code == 200 and "SECRET" not in page.content.decode(), name
    persona("thon")
    assert client.get(url).status_code == 404


def test_the_front_enters_a_ballot_and_a_duplicate_is_refused_on_the_page(
    persona, client, survey, villages
):
    persona("mttq")
    url = reverse("recognition:ballots", args=[survey.unit_id, survey.pk])
    q1, q2 = survey.questions.values_list("pk", flat=True)
    data = {"village": villages[0].pk, "household_code": "H-7", f"q{q1}": "1", f"q{q2}": "1"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 200
    assert "H-7" in response.content.decode() and survey.ballots.count() == 1


def test_the_front_creates_a_survey_on_the_page(persona, client, commune, small_set):
    persona("mttq")
    response = client.post(
        reverse("recognition:surveys", args=[commune.pk]),
        {
            "title": "Khảo sát",
            "purpose": "ntm",
            "criteria_set": small_set.code,
            "questions": "Câu 1\nCâu 2\n",
        },
    )
    assert response.status_code == 302
    survey = commune.surveys.get()
    assert survey.questions.count() == 2 and survey.set_code == small_set.code


def test_a_foreign_survey_is_not_found(persona, client, survey, other_commune):
    persona("mttq")
    url = reverse("recognition:survey", args=[other_commune.pk, survey.pk])
    assert client.get(url).status_code == 404


def test_a_village_front_committee_enters_and_sees_its_own_village_only(client, survey, villages):
    from ntm.accounts.models import Membership, Role, User

    committee = User.objects.create_user(username="mttq-thon", password="x")
    Membership.objects.create(user=committee, unit=villages[0], role=Role.FATHERLAND_FRONT)
    fill(survey, villages[1], satisfied=1, unsatisfied=0, prefix="OTHER")
    client.force_login(committee)
    url = reverse("recognition:ballots", args=[survey.unit_id, survey.pk])
    q1, q2 = survey.questions.values_list("pk", flat=True)
    ok = {"village": villages[0].pk, "household_code": "T1", f"q{q1}": "1", f"q{q2}": "0"}
    assert client.post(url, ok).status_code == 302
    assert (
        client.post(url, {**ok, "village": villages[1].pk, "household_code": "T2"}).status_code
        == 200
    )
    page = client.get(url).content.decode()
    assert "T1" in page and "OTHER" not in page
    assert survey.ballots.filter(household_code="T2").count() == 0
