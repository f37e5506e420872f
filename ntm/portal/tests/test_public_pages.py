import datetime as dt

import pytest
from django.urls import reverse

from ntm.portal.forms import form_token
from ntm.portal.models import Feedback, FeedbackStatus

PNG = (  # a real 1×1 picture: uploads are opened to check their size in pixels
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS"
    b"\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def test_duong_duc_public_page_shows_13_of_19_without_login(client, demo):
    response = client.get(reverse("portal:unit", args=["07408"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "13/19" in body and "12/19" in body  # the headline and the history chart
    assert "<svg" in body and "Xã Mỹ Thái" in body  # ended: its successor is named
    assert "Sân thể thao thôn Cống Phên" in body
    assert 'class="table money"' in body  # the mobilisation table
    assert reverse("portal:work", args=[demo_work_id()]) in body


def demo_work_id() -> int:
    from ntm.finance.models import Work

    return Work.objects.order_by("pk").values_list("pk", flat=True).first() or 0


def test_unknown_code_is_not_found(client, db):
    assert client.get(reverse("portal:unit", args=["99999"])).status_code == 404


def test_code_in_force_today_wins_over_its_ended_version(client, demo):
    response = client.get(reverse("portal:unit", args=["07420"]))
    assert response.status_code == 200
    assert response.context["unit"].valid_to is None


def test_the_plan_targets_are_shown_with_their_status(client, demo):
    response = client.get(reverse("portal:unit", args=["07408"]))
    page = response.context["page"]
    assert page.plan is not None and page.plan.year == 2024
    assert page.targets and all(row.judgement.status for row in page.targets)


def _published(unit, n, **subject):
    for i in range(n):
        Feedback.objects.create(
            unit=unit,
            kind="question",
            text=f"q{i}",
            answer="a",
            client_hash="h",
            status=FeedbackStatus.PUBLISHED,
            **subject,
        )


def test_unit_page_takes_a_fixed_number_of_queries(client, demo, django_assert_num_queries):
    from ntm.catalog.models import CriteriaSet

    family = CriteriaSet.objects.get(code="xa-ntm-nang-cao-2021-2025")
    _published(demo["07408"], 3, criteria_set=family, criterion_number=2)
    url = reverse("portal:unit", args=["07408"])
    client.get(url)  # warm caches (content types, sessions)
    with django_assert_num_queries(QUERIES_UNIT):
        client.get(url)


# unit, successions, plan, years (2), works, results, criteria, targets (2), mobilisation (2),
# contributions (3), feedback, savepoints of the test client's session-less request…
QUERIES_UNIT = 21  # + the recognitions of the unit, + what an ended unit became


def test_work_page_shows_progress_funds_and_short_address(client, work):
    response = client.get(reverse("portal:work", args=[work.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert work.name in body and "70%" in body
    assert reverse("portal:work", args=[work.pk]) in body
    sign = client.get(reverse("portal:work_sign", args=[work.pk])).content.decode()
    assert f"/p/w/{work.pk}/" in sign


def test_work_page_takes_a_fixed_number_of_queries(client, work, django_assert_num_queries):
    _published(work.unit, 3, work=work)
    url = reverse("portal:work", args=[work.pk])
    client.get(url)
    with django_assert_num_queries(QUERIES_WORK):
        client.get(url)


QUERIES_WORK = 9


def test_nothing_personal_leaks_on_public_pages(client, demo, work, no_wait):
    from ntm.finance.models import Contribution

    Feedback.objects.create(
        unit=work.unit,
        work=work,
        kind="question",
        text="Khi nào xong?",
        name="Nguyễn Thị Hoa",
        contact="0912345678",
        client_hash="x",
        status=FeedbackStatus.PUBLISHED,
        answer="Tháng 12.",
    )
    hidden = list(
        Contribution.objects.filter(consent_to_publish=False).values_list(
            "contributor_name", flat=True
        )
    )
    assert hidden
    pages = [
        client.get(reverse("portal:unit", args=["07408"])).content.decode(),
        client.get(reverse("portal:unit", args=["07408.05"]) + "?on=2024-12-31").content.decode(),
        client.get(reverse("portal:work", args=[work.pk])).content.decode(),
    ]
    for body in pages:
        for name in hidden:
            assert name not in body
        assert "0912345678" not in body and "Nguyễn Thị Hoa" not in body
        assert "evidence" not in body.lower() and "minh chứng" not in body.lower()
    assert "Khi nào xong?" in pages[2] and "Tháng 12." in pages[2]
    assert "Hộ ông Nguyễn Văn An" in pages[0]  # consented


def test_a_photo_is_served_only_for_its_own_work(client, demo, work):
    from ntm.accounts.models import User
    from ntm.finance.models import Work
    from ntm.finance.services import work_progress_add

    xa = User.objects.get(username="xa")
    work_progress_add(
        user=xa,
        work=work,
        date=dt.date(2024, 10, 1),
        percent=70,
        note="ghi chú nội bộ",
        photo_name="san.png",
        photo=PNG,
        photo_stage="during",
    )
    update = work.updates.exclude(photo="").get()
    ok = client.get(reverse("portal:work_photo", args=[work.pk, update.pk]))
    assert ok.status_code == 200 and ok["Content-Type"] == "image/png"
    other = Work.objects.exclude(pk=work.pk).first()
    assert client.get(reverse("portal:work_photo", args=[other.pk, update.pk])).status_code == 404
    body = client.get(reverse("portal:work", args=[work.pk])).content.decode()
    assert reverse("portal:work_photo", args=[work.pk, update.pk]) in body
    assert "ghi chú nội bộ" not in body


def _post(client, work, **extra):
    data = {
        "subject": f"work:{work.pk}",
        "kind": "question",
        "text": "Sân bao giờ xong?",
        "name": "Lê Văn Bình",
        "contact": "binh@example.org",
        "website": "",
        "started": form_token(),
        **extra,
    }
    return client.post(reverse("portal:work_feedback", args=[work.pk]), data)


def test_a_citizen_sends_a_question_on_a_work_without_an_account(client, work, no_wait):
    response = _post(client, work)
    assert response.status_code == 302
    item = Feedback.objects.get()
    assert item.status == FeedbackStatus.PENDING and item.work == work
    # Cống Phên ended with the 2025 merger: its successor (Cống Phên under Mỹ Thái) answers.
    assert item.sent_to == work.unit and item.unit.code == work.unit.code
    assert item.unit.valid_to is None and item.contact == "binh@example.org"
    assert len(item.client_hash) == 64 and "127.0.0.1" not in item.client_hash
    # not shown before moderation
    assert (
        "Sân bao giờ xong?"
        not in client.get(reverse("portal:work", args=[work.pk])).content.decode()
    )


def test_a_question_on_a_criterion_of_the_commune_is_accepted(client, demo, no_wait):
    from ntm.catalog.models import CriteriaSet

    family = CriteriaSet.objects.get(code="xa-ntm-nang-cao-2021-2025")
    response = client.post(
        reverse("portal:unit_feedback", args=["07408"]),
        {
            "subject": f"criterion:{family.pk}:5",
            "kind": "proposal",
            "text": "Đề nghị sửa trường.",
            "website": "",
            "started": form_token(),
        },
    )
    assert response.status_code == 302
    item = Feedback.objects.get()
    assert item.criteria_set == family and item.criterion_number == 5
    # Dương Đức ended on 30/06/2025: Mỹ Thái, which it became, answers; where it was sent stays.
    assert item.unit == demo["07420"] and item.sent_to == demo["07408"]


def test_a_subject_of_another_unit_is_refused(client, demo, no_wait):
    response = client.post(
        reverse("portal:unit_feedback", args=["07408"]),
        {"subject": "plan:999999", "kind": "comment", "text": "x", "started": form_token()},
    )
    assert response.status_code == 400 and not Feedback.objects.exists()


def test_the_honeypot_refuses_with_a_clear_message_and_stores_nothing(client, work, no_wait):
    response = _post(client, work, website="http://spam.example")
    assert response.status_code == 400
    assert "tự động" in response.content.decode() or "automated" in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_form_sent_too_fast_is_refused_and_stores_nothing(client, work, settings):
    settings.PORTAL_FEEDBACK_MIN_SECONDS = 3
    response = _post(client, work)
    assert response.status_code == 400
    assert not Feedback.objects.exists()
    import time

    assert _post(client, work, started=form_token(time.time() - 10)).status_code == 302


def test_a_forged_timestamp_is_refused(client, work, no_wait):
    assert _post(client, work, started="123").status_code == 400
    assert not Feedback.objects.exists()


def test_the_sixth_message_in_ten_minutes_is_refused_and_stored_nowhere(client, work, no_wait):
    for i in range(5):
        assert _post(client, work, text=f"câu hỏi {i}").status_code == 302
    response = _post(client, work, text="câu hỏi 6")
    assert response.status_code == 429
    body = response.content.decode()
    assert "5" in body and "10" in body
    assert Feedback.objects.count() == 5
    # another address is not limited
    other = client.post(
        reverse("portal:work_feedback", args=[work.pk]),
        {
            "subject": f"work:{work.pk}",
            "kind": "comment",
            "text": "khác",
            "started": form_token(),
        },
        REMOTE_ADDR="10.1.2.3",
    )
    assert other.status_code == 302


def test_behind_a_trusted_proxy_the_limit_counts_the_forwarded_client(
    client, work, no_wait, settings
):
    """Every request arrives from nginx (one REMOTE_ADDR): the limit is per forwarded client."""
    settings.NTM_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for i in range(5):
        client.defaults.update(proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
        assert _post(client, work, text=f"câu hỏi {i}").status_code == 302
    # the same client, spoofing an address on the left, is still limited
    client.defaults.update(proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert _post(client, work, text="câu hỏi 6").status_code == 429
    # another client behind the same proxy is not
    client.defaults.update(proxy, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert _post(client, work, text="khác").status_code == 302
    assert Feedback.objects.count() == 6


def test_moderation_publishes_and_answers_and_the_answer_appears_publicly(
    client, persona, work, no_wait, in_2024
):
    _post(client, work)
    item = Feedback.objects.get()
    persona("xa")
    commune = work.unit.parent
    queue = client.get(reverse("portal:moderation", args=[commune.pk]))
    assert queue.status_code == 200 and "Sân bao giờ xong?" in queue.content.decode()
    assert "binh@example.org" in queue.content.decode()  # the officials see the contact
    response = client.post(
        reverse("portal:moderate", args=[commune.pk, item.pk]),
        {"status": "published", "answer": "Dự kiến tháng 12/2024."},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == FeedbackStatus.PUBLISHED and item.answered_by.username == "xa"
    client.logout()
    body = client.get(reverse("portal:work", args=[work.pk])).content.decode()
    assert "Sân bao giờ xong?" in body and "Dự kiến tháng 12/2024." in body
    assert "binh@example.org" not in body and "Lê Văn Bình" not in body


def test_rejected_feedback_never_appears_publicly(client, persona, work, no_wait, in_2024):
    _post(client, work, text="Quảng cáo")
    item = Feedback.objects.get()
    persona("mttq")  # the Fatherland Front supervises: it may moderate too
    response = client.post(
        reverse("portal:moderate", args=[work.unit.parent.pk, item.pk]), {"status": "rejected"}
    )
    assert response.status_code == 302
    client.logout()
    assert "Quảng cáo" not in client.get(reverse("portal:work", args=[work.pk])).content.decode()


@pytest.mark.parametrize(
    "username,allowed",
    [("xem", False), ("congchuc", False), ("thon", False), ("xa", True), ("mttq", True)],
)
def test_only_the_communes_management_and_the_front_moderate(
    client, persona, work, username, allowed
):
    """Citizens' messages and the contacts they leave: the commune's management and the
    Fatherland Front, not viewers, specialists or village heads (issue 14)."""
    persona(username)
    status = client.get(reverse("portal:moderation", args=[work.unit.parent.pk])).status_code
    assert status == 200 if allowed else status in (403, 404)  # 404: the page is not in scope


def test_another_units_moderation_queue_is_refused(client, persona, other_commune):
    persona("xa")
    assert client.get(reverse("portal:moderation", args=[other_commune.pk])).status_code == 404
    item_url = reverse("portal:moderate", args=[other_commune.pk, 1])
    assert client.post(item_url, {"status": "published"}).status_code == 404


def test_feedback_of_another_unit_cannot_be_moderated_through_ones_own_unit(
    client, persona, work, no_wait, in_2024
):
    _post(client, work)
    item = Feedback.objects.get()
    persona("xa")  # the commune's management moderates its villages' messages
    assert client.get(reverse("portal:moderate", args=[work.unit.pk, item.pk])).status_code == 200
    sibling = work.unit.parent.children.exclude(pk=work.unit.pk).first()
    assert client.get(reverse("portal:moderate", args=[sibling.pk, item.pk])).status_code == 404


def test_the_signboard_sheet_carries_a_qr_code_of_the_short_address(client, db):
    from ntm.demo.loader import load_demo
    from ntm.finance.models import Work

    load_demo(with_values=True)
    work = Work.objects.first()
    response = client.get(reverse("portal:work_sign", args=[work.pk]))
    assert response.status_code == 200 and b"<svg" in response.content
    assert f"/p/w/{work.pk}/".encode() in response.content


def test_a_recognition_decision_shows_on_the_public_page(client, db):
    import datetime as dt

    from ntm.demo.loader import load_demo
    from ntm.recognition.models import Recognition

    units = load_demo(with_values=True)
    Recognition.objects.create(
        unit=units["07408"],
        set_code="xa-ntm-2021-2025",
        decision_number="123/QĐ-UBND",
        decision_date=dt.date(2019, 12, 20),
    )
    response = client.get(reverse("portal:unit", args=["07408"]))
    assert "123/QĐ-UBND" in response.text and "20/12/2019" in response.text


def test_a_merged_communes_page_always_has_a_form_with_its_subjects(client, demo, no_wait):
    """Mỹ Thái has no result and no plan yet: citizens still write about the commune as a
    whole or one of the criteria in force."""
    text = client.get(reverse("portal:unit", args=["07420"])).content.decode()
    assert 'value="unit"' in text and "Xã Mỹ Thái" in text
    response = client.post(
        reverse("portal:unit_feedback", args=["07420"]),
        {
            "subject": "unit",
            "kind": "question",
            "text": "Khi nào họp dân?",
            "started": form_token(),
        },
    )
    assert response.status_code == 302
    item = Feedback.objects.get()
    assert item.unit == demo["07420"] and item.sent_to is None and item.plan is None


def test_feedback_to_an_ended_commune_reaches_its_successors_queue(client, persona, demo, no_wait):
    client.post(
        reverse("portal:unit_feedback", args=["07408"]),
        {"subject": "unit", "kind": "question", "text": "Đường thôn?", "started": form_token()},
    )
    item = Feedback.objects.get()
    assert item.unit == demo["07420"] and item.sent_to == demo["07408"]
    from ntm.accounts.services import memberships_carry_over

    memberships_carry_over(unit=demo["07420"], actor=None)
    persona("xa")
    queue = client.get(reverse("portal:moderation", args=[demo["07420"].pk])).content.decode()
    assert "Đường thôn?" in queue and "Xã Dương Đức" in queue


def test_a_form_is_accepted_once(client, work, no_wait):
    """The signed time carries a one-time number: posting the same form again (a robot
    replaying one page load) is refused and stores nothing more (issue 14)."""
    token = form_token()
    assert _post(client, work, started=token).status_code == 302
    again = _post(client, work, started=token, text="Lần nữa")
    assert again.status_code == 429 and "gửi rồi" in again.content.decode()
    assert Feedback.objects.count() == 1
    assert _post(client, work, started=form_token(), text="Câu hỏi khác").status_code == 302
