import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from ntm.recognition import services
from ntm.recognition.models import Dossier, DossierEvent, Recognition
from ntm.recognition.tests.conftest import SET, fill, set_threshold, user

D = dt.date(2025, 8, 1)


def advance(dossier: Dossier, name: str) -> Dossier:
    return services.dossier_advance(user=user(name), dossier=dossier, today=D)


def post(dossier: Dossier, *offsets: int) -> None:
    for n in offsets:
        services.posting_add(
            user=user("xa"), dossier=dossier, place="Nhà văn hóa thôn", date=D + dt.timedelta(n)
        )


def to_step(dossier: Dossier, code: str) -> Dossier:
    dossier.step = dossier.workflow.steps.get(code=code)
    dossier.save()
    return dossier


def test_the_two_workflows_are_seeded_and_the_two_tier_one_has_no_district_step(
    db, workflow_2021, workflow_2025
):
    codes = list(workflow_2021.steps.values_list("code", flat=True))
    assert codes == [
        "report",
        "comments",
        "posting",
        "survey",
        "vote",
        "district",
        "province",
        "decision",
    ]
    assert [c for c in codes if c != "district"] == list(
        workflow_2025.steps.values_list("code", flat=True)
    )
    assert (workflow_2021.posting_min_count, workflow_2021.posting_within_days) == (5, 15)


def test_four_postings_are_refused_with_the_count(dossier):
    to_step(dossier, "posting")
    post(dossier, 0, 2, 4, 6)
    with pytest.raises(services.DossierError, match="Only 4 postings within 15 days"):
        advance(dossier, "xa")


def test_five_postings_within_fifteen_days_let_the_step_complete(dossier):
    to_step(dossier, "posting")
    post(dossier, 0, 3, 7, 10, 14)
    assert advance(dossier, "xa").step.code == "survey"


def test_five_postings_spread_over_twenty_days_are_refused(dossier):
    to_step(dossier, "posting")
    post(dossier, 0, 5, 10, 15, 20)
    with pytest.raises(services.DossierError, match="Only 3 postings within 15 days"):
        advance(dossier, "xa")


def test_the_survey_step_is_refused_without_a_threshold(dossier, survey, villages):
    to_step(dossier, "survey")
    fill(survey, villages[0], satisfied=10, unsatisfied=0)
    services.survey_link(user=user("mttq"), dossier=dossier, survey=survey)
    with pytest.raises(services.DossierError, match="No threshold set for the satisfied share"):
        advance(dossier, "mttq")


def test_the_survey_step_is_refused_below_the_threshold_saying_both_shares(
    dossier, survey, villages
):
    to_step(dossier, "survey")
    fill(survey, villages[0], satisfied=9, unsatisfied=1)
    fill(survey, villages[1], satisfied=7, unsatisfied=3)
    set_threshold(survey, "90")
    services.survey_link(user=user("mttq"), dossier=dossier, survey=survey)
    with pytest.raises(
        services.DossierError, match="satisfied share 80% is below the required 90%"
    ):
        advance(dossier, "mttq")


def test_only_the_steps_role_may_complete_it(dossier):
    assert dossier.step.code == "report"
    for name in ("mttq", "congchuc", "xem"):
        with pytest.raises(PermissionDenied):
            advance(dossier, name)
    with pytest.raises(PermissionDenied):
        services.posting_add(user=user("mttq"), dossier=dossier, place="x", date=D)
    assert advance(dossier, "xa").step.code == "comments"


def test_comments_must_all_be_answered(dossier):
    to_step(dossier, "comments")
    with pytest.raises(services.DossierError, match="number of comments received"):
        advance(dossier, "xa")
    services.comments_record(user=user("xa"), dossier=dossier, received=12, answered=11)
    with pytest.raises(services.DossierError, match="Only 11 of 12 comments answered"):
        advance(dossier, "xa")


def test_a_dossier_walks_through_the_2021_workflow_to_a_decision(
    commune, workflow_2021, survey, villages
):
    dossier = services.dossier_create(
        user=user("xa"), unit=commune, set_code=SET, workflow=workflow_2021, today=D
    )
    dossier = advance(dossier, "xa")  # report
    services.comments_record(user=user("xa"), dossier=dossier, received=4, answered=4)
    dossier = advance(dossier, "xa")
    post(dossier, 0, 1, 2, 3, 4)
    dossier = advance(dossier, "xa")
    fill(survey, villages[0], satisfied=10, unsatisfied=0)
    fill(survey, villages[1], satisfied=9, unsatisfied=1)
    set_threshold(survey, "90")
    services.survey_link(user=user("mttq"), dossier=dossier, survey=survey)
    dossier = advance(dossier, "mttq")
    services.vote_record(
        user=user("xa"), dossier=dossier, votes_for=20, votes_against=1, total=22, date=D
    )
    dossier = advance(dossier, "xa")
    assert dossier.step.code == "district"
    with pytest.raises(services.DossierError, match="appraisal notes"):
        advance(dossier, "tinh")
    services.appraisal_record(user=user("tinh"), dossier=dossier, notes="Đạt")
    dossier = advance(dossier, "tinh")
    with pytest.raises(services.DossierError, match="appraisal notes"):
        advance(dossier, "tinh")  # the province's appraisal needs its own notes
    services.appraisal_record(user=user("tinh"), dossier=dossier, notes="Đạt, đề nghị công nhận")
    dossier = advance(dossier, "tinh")
    assert dossier.step.code == "decision"
    with pytest.raises(PermissionDenied):
        advance(dossier, "xa")
    services.decision_record(user=user("tinh"), dossier=dossier, number="123/QĐ-UBND", date=D)
    dossier = advance(dossier, "tinh")
    assert dossier.status == Dossier.Status.RECOGNISED
    recognition = Recognition.objects.get(dossier=dossier)
    assert (recognition.unit, recognition.set_code) == (commune, SET)
    assert recognition.decision_number == "123/QĐ-UBND"
    with pytest.raises(services.DossierError, match="closed"):
        advance(dossier, "tinh")


def test_every_change_of_a_dossier_is_audited(dossier):
    post(dossier, 0)
    advance(dossier, "xa")
    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("pk"))
    assert [e.kind for e in events] == ["created", "posting", "advanced"]
    last = events[-1]
    assert last.user.username == "xa"
    assert last.from_state.startswith("Chuẩn bị báo cáo")
    assert last.to_state.startswith("Lấy ý kiến")


def test_the_dossier_page_says_why_the_step_cannot_complete(persona, client, dossier):
    to_step(dossier, "posting")
    post(dossier, 0, 1, 2)
    persona("xa")
    url = reverse("recognition:dossier", args=[dossier.unit_id, dossier.pk])
    response = client.post(
        reverse("recognition:dossier_advance", args=[dossier.unit_id, dossier.pk])
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Chỉ có 3 lần niêm yết trong 15 ngày" in page  # the refusal, in Vietnamese
    dossier.refresh_from_db()
    assert dossier.step.code == "posting"


def test_the_commune_records_a_posting_on_the_page(persona, client, dossier):
    persona("xa")
    url = reverse("recognition:dossier", args=[dossier.unit_id, dossier.pk])
    response = client.post(
        url, {"section": "posting", "place": "Trụ sở UBND xã", "date": "01/08/2025"}
    )
    assert response.status_code == 302
    assert dossier.postings.get().place == "Trụ sở UBND xã"


def test_the_front_cannot_record_a_posting_on_the_page(persona, client, dossier):
    persona("mttq")
    url = reverse("recognition:dossier", args=[dossier.unit_id, dossier.pk])
    response = client.post(url, {"section": "posting", "place": "x", "date": "01/08/2025"})
    assert response.status_code == 403


def test_a_foreign_dossier_is_not_found(persona, client, dossier, other_commune):
    persona("xa")
    url = reverse("recognition:dossier", args=[other_commune.pk, dossier.pk])
    assert client.get(url).status_code == 404


def test_the_dossier_page_takes_a_fixed_number_of_queries(
    persona, client, dossier, survey, villages, django_assert_num_queries
):
    post(dossier, 0, 1)
    fill(survey, villages[0], satisfied=3, unsatisfied=1)
    services.survey_link(user=user("mttq"), dossier=dossier, survey=survey)
    persona("xa")
    url = reverse("recognition:dossier", args=[dossier.unit_id, dossier.pk])
    client.get(url)
    with django_assert_num_queries(14):
        assert client.get(url).status_code == 200


def test_the_province_list_shows_recognitions_with_their_revocation_risk(
    persona, client, demo, dossier, small_set
):
    from ntm.evaluation.models import SetResult

    Recognition.objects.create(
        unit=dossier.unit, set_code=small_set.code, decision_number="9/QĐ", decision_date=D
    )
    SetResult.objects.create(
        unit=dossier.unit,
        criteria_set=small_set,
        applied_set=small_set,
        period="2025",
        period_end=dt.date(2025, 12, 31),
        met=1,
        total=3,
        status="not_met",
        revocation_risk="revocation",
        basis="both",  # approved figures: what a recognition is judged on
    )
    persona("tinh")
    page = client.get(reverse("recognition:overview", args=[demo["24"].pk])).content.decode()
    assert "9/QĐ" in page and 'role="alert"' in page and "1/3" in page
