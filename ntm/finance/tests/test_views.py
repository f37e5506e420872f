import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ntm.finance import services
from ntm.finance.models import Contribution, WorkProgress

from .conftest import JPEG


def test_the_village_head_records_progress_with_a_photo_from_a_phone(persona, client, demo, works):
    persona("thon")
    work = works[1]
    page = client.get(reverse("finance:work", args=[work.unit_id, work.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="viewport"' in html and 'accept="image/jpeg,image/png"' in html
    assert 'enctype="multipart/form-data"' in html and "progress-form" in html
    response = client.post(
        reverse("finance:work_progress", args=[work.unit_id, work.pk]),
        {
            "date": "2024-10-20",
            "percent": "85",
            "note": "Đã làm xong mặt sân",
            "photo_stage": "after",
            "photo": SimpleUploadedFile("IMG_0001.jpg", JPEG, content_type="image/jpeg"),
        },
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148",
    )
    assert response.status_code == 302
    update = WorkProgress.objects.get(work=work, percent=85)
    assert update.photo and update.created_by.username == "thon"
    photo_url = reverse("finance:work_photo", args=[work.unit_id, work.pk, update.pk])
    assert photo_url in client.get(response["Location"]).content.decode()
    served = client.get(photo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == JPEG


def test_a_bad_photo_or_progress_gives_form_errors_not_a_500(persona, client, demo, works):
    persona("thon")
    work = works[1]
    url = reverse("finance:work_progress", args=[work.unit_id, work.pk])
    fake = SimpleUploadedFile("photo.jpg", b"<?php echo 1;", content_type="image/jpeg")
    response = client.post(url, {"date": "2024-10-20", "percent": "50", "photo": fake})
    assert response.status_code == 400 and response.context["form"].errors["photo"]
    response = client.post(url, {"date": "hôm qua", "percent": "150"})
    assert response.status_code == 400
    assert WorkProgress.objects.filter(work=work).count() == 1


def test_photos_are_not_served_outside_the_scope(persona, client, demo, works, village_2, users):
    update = services.work_progress_add(
        user=users["thon"],
        work=works[0],
        date=dt.date(2024, 12, 1),
        percent=100,
        photo_name="a.jpg",
        photo=JPEG,
        photo_stage="after",
    )
    url = reverse("finance:work_photo", args=[works[0].unit_id, works[0].pk, update.pk])
    assert "/media/" not in url
    persona("mttq")
    assert client.get(url).status_code == 200  # the Front supervises: it may look
    client.logout()
    assert client.get(url).status_code == 302
    # the same work through another village's URL, and the update through another work
    persona("xa")
    assert (
        client.get(
            reverse("finance:work_photo", args=[village_2.pk, works[0].pk, update.pk])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("finance:work_photo", args=[works[0].unit_id, works[1].pk, update.pk])
        ).status_code
        == 404
    )


def test_work_ids_of_another_unit_are_not_found(persona, client, demo, works, village_2, users):
    other = services.work_create(
        user=users["xa"], unit=village_2, year=2024, kind="road", name="Đường Cầu Đàm"
    )
    persona("thon")
    cong_phen = demo["07408.05"]
    for name in ("finance:work", "finance:work_edit", "finance:disbursement_add"):
        assert client.get(reverse(name, args=[cong_phen.pk, other.pk])).status_code == 404
        assert client.get(reverse(name, args=[village_2.pk, other.pk])).status_code == 404
    response = client.post(
        reverse("finance:work_progress", args=[cong_phen.pk, other.pk]),
        {"date": "2024-01-01", "percent": "5"},
    )
    assert response.status_code == 404
    assert not WorkProgress.objects.filter(work=other).exists()


def test_a_work_of_another_village_cannot_be_slipped_into_a_contribution(
    persona, client, demo, works, village_2, users
):
    other = services.work_create(
        user=users["xa"], unit=village_2, year=2024, kind="road", name="Đường Cầu Đàm"
    )
    persona("thon")
    before = Contribution.objects.count()
    response = client.post(
        reverse("finance:contributions", args=[demo["07408.05"].pk, 2024]),
        {
            "contributor_kind": "household",
            "contributor_name": "Hộ G",
            "kind": "cash",
            "value": "1.000.000",
            "date": "01/03/2024",
            "work": other.pk,
        },
    )
    assert response.status_code == 200 and Contribution.objects.count() == before


@pytest.mark.parametrize(
    ("username", "status"),
    [("xa", 302), ("congchuc", 302), ("thon", 302), ("mttq", 403), ("xem", 403)],
)
def test_who_may_record_a_contribution(persona, client, demo, works, username, status):
    persona(username)
    response = client.post(
        reverse("finance:contributions", args=[demo["07408.05"].pk, 2024]),
        {
            "contributor_kind": "household",
            "contributor_name": "Hộ H",
            "kind": "cash",
            "value": "1.500.000",
            "date": "01/03/2024",
        },
    )
    assert response.status_code == status


def test_fractional_dong_in_a_form_is_a_form_error(persona, client, demo, works):
    persona("xa")
    work = works[0]
    response = client.post(
        reverse("finance:disbursement_add", args=[work.unit_id, work.pk]),
        {"source": "commune", "amount": "1.000,5", "date": "01/12/2024"},
    )
    assert response.status_code == 200 and response.context["form"].errors["amount"]


def test_the_village_head_may_not_disburse_nor_allocate(persona, client, demo, works):
    persona("thon")
    work = works[0]
    assert (
        client.get(reverse("finance:disbursement_add", args=[work.unit_id, work.pk])).status_code
        == 403
    )
    assert (
        client.get(reverse("finance:allocations", args=[demo["07408"].pk, 2024])).status_code == 404
    )


def test_the_commune_edits_a_works_budget_with_grouped_amounts(persona, client, demo, works):
    persona("xa")
    work = works[3]
    url = reverse("finance:work_edit", args=[work.unit_id, work.pk])
    page = client.get(url)
    assert page.status_code == 200 and "30.000.000" in page.content.decode()
    data = {
        f"work-{k}": v
        for k, v in {"kind": "waste_point", "name": work.name, "status": "in_progress"}.items()
    }
    data |= {"budget-commune": "35.000.000", "budget-people_labour": "60"}
    assert client.post(url, data).status_code == 302
    lines = {b.source: (b.amount, b.quantity) for b in work.budget_lines.all()}
    assert lines["commune"][0] == 35_000_000 and lines["people_labour"][1] == 60


@pytest.mark.parametrize(
    ("name", "queries"),
    [
        ("finance:overview", 18),
        ("finance:contributions", 9),
        ("finance:public", 11),
        ("finance:allocations", 12),
    ],
)
def test_pages_render_in_a_fixed_number_of_queries(
    persona, client, demo, works, django_assert_num_queries, name, queries
):
    persona("xa")
    url = reverse(name, args=[demo["07408"].pk, 2024])
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200


def test_the_overview_shows_the_table_the_chart_and_the_overrun_warnings(
    persona, client, demo, works
):
    persona("xem")
    html = client.get(reverse("finance:overview", args=[demo["07408"].pk, 2024])).content.decode()
    assert "1.715.000.000" in html and "<svg" in html and 'role="alert"' in html
    assert "100,0%" in html


def test_the_overview_query_count_does_not_grow_with_more_works(
    persona, client, demo, works, village_2, users, django_assert_num_queries
):
    for n in range(3):
        work = services.work_create(
            user=users["xa"], unit=village_2, year=2024, kind="road", name=f"Đường {n}"
        )
        services.work_budget_set(
            user=users["xa"], work=work, lines={"commune": 1000 + n, "people_land": 5}
        )
        services.disbursement_add(
            user=users["xa"], work=work, source="commune", amount=500, date=dt.date(2024, 6, 1)
        )
    persona("xa")
    with django_assert_num_queries(18):
        assert (
            client.get(reverse("finance:overview", args=[demo["07408"].pk, 2024])).status_code
            == 200
        )
