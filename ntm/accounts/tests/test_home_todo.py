"""The home page says what to do now for each unit the user serves today, in a fixed number of
queries."""

import datetime as dt

import pytest
from django.urls import reverse

from ntm.demo.loader import load_demo


@pytest.fixture
def demo_full(db):
    return load_demo(with_values=True)


def _login(client, username):
    from ntm.accounts.models import User

    user = User.objects.get(username=username)
    client.force_login(user)
    return user


def test_the_commune_manager_sees_the_count_its_trend_and_what_is_due(
    client, demo_full, django_assert_num_queries
):
    _login(client, "xa")
    with django_assert_num_queries(15):
        text = client.get(reverse("home")).content.decode()
    todo = text.split('class="card todo"', 1)[1]
    assert "Xã Mỹ Thái" in todo and "<strong>6/10</strong>" in todo
    assert "4/10" in todo and "2026Q2" in todo  # the trend: was 4/10 at Q2
    # Links to where the work is done.
    my_thai = demo_full["07420"]
    assert reverse("evaluation:set_result", args=[my_thai.pk, "xa-ntm-2026-2030"]) in todo
    # The ended Dương Đức has no to-do card: it is history.
    assert "Xã Dương Đức" not in todo.split("Lịch sử")[0].split("</section>")[0]


def test_tasks_and_waiting_items_are_counted_as_of_the_day(demo_full):
    from ntm.planning.selectors import tasks_todo

    my_thai = demo_full["07420"]
    before = tasks_todo(my_thai, dt.date(2026, 11, 20))
    assert before.overdue_count == 0 and before.due_soon == 1  # waste sorting, due 30/11
    after = tasks_todo(my_thai, dt.date(2026, 12, 5))
    assert after.overdue_count == 1 and "phân loại rác" in after.overdue[0].description


def test_the_data_of_the_last_quarter_is_due_until_entered(demo_full):
    from ntm.evaluation.selectors import unit_todo

    my_thai = demo_full["07420"]
    assert not unit_todo(my_thai, dt.date(2026, 12, 5)).due_missing  # Q3 values are in
    january = unit_todo(my_thai, dt.date(2027, 1, 10))
    assert january.due.code == "2026Q4" and january.due_missing


def test_the_province_sees_its_communes(client, demo_full):
    _login(client, "tinh")
    todo = client.get(reverse("home")).content.decode().split('class="card todo"', 1)[1]
    assert "Tỉnh Bắc Ninh" in todo and "1 trong 1 xã có kết quả" in todo


def test_a_system_administrator_keeps_the_list(client, demo_full):
    _login(client, "admin")
    assert 'class="card todo"' not in client.get(reverse("home")).content.decode()


def test_the_front_sees_the_ballots_it_has_to_enter(client, demo_full):
    from ntm.recognition.services import survey_create, survey_village_set

    my_thai = demo_full["07420"]
    front = _login(client, "mttq")
    survey = survey_create(
        user=front,
        unit=my_thai,
        purpose="ntm",
        set_code="xa-ntm-2026-2030",
        title="Khảo sát sự hài lòng 2026",
        questions=["Hài lòng với kết quả xây dựng nông thôn mới?"],
    )
    village = my_thai.children.order_by("code").first()
    survey_village_set(user=front, survey=survey, village=village, households=50)
    todo = client.get(reverse("home")).content.decode().split('class="card todo"', 1)[1]
    assert "Nhập phiếu khảo sát: Khảo sát sự hài lòng 2026 (0/50 hộ)" in todo
    assert reverse("recognition:ballots", args=[my_thai.pk, survey.pk]) in todo
    # Ballots are the Front's: the commune manager's home does not ask for them.
    _login(client, "xa")
    assert "Nhập phiếu khảo sát" not in client.get(reverse("home")).content.decode()


def test_the_province_sees_communes_without_approved_results(client, demo_full):
    from ntm.geo.models import Kind
    from ntm.geo.services import unit_create

    my_thai = demo_full["07420"]
    unit_create(code="07999", name="Xã Mới Thử", kind=Kind.COMMUNE, parent=my_thai.parent)
    _login(client, "tinh")
    todo = client.get(reverse("home")).content.decode().split('class="card todo"', 1)[1]
    assert "1 trong 2 xã có kết quả" in todo
    assert "1 xã chưa có kết quả đã phê duyệt đến kỳ" in todo and "status=none" in todo
