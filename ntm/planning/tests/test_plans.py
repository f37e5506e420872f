import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from PIL import Image

from ntm.accounts.models import User
from ntm.planning import services
from ntm.planning.models import Plan, Snapshot, Task
from ntm.planning.selectors import plan_page, task_state


@pytest.fixture
def demo_plan(db):
    from ntm.demo.loader import load_demo

    units = load_demo(with_values=True)
    return units, Plan.objects.get(unit=units["07408"], year=2024)


def _status(plan, title_start, on=None):
    return next(
        r.judgement.status
        for r in plan_page(plan=plan, on=on).targets
        if r.target.title.startswith(title_start)
    )


def test_the_2024_plan_shows_each_targets_live_status(demo_plan):
    _units, plan = demo_plan
    page = plan_page(plan=plan)
    assert len(page.targets) == 16
    assert _status(plan, "Hoàn thành 13/19") == "achieved"
    assert _status(plan, "Đến quý IV/2024") == "achieved"
    assert _status(plan, "Hoàn thành xây dựng thôn Cống Phên") == "achieved"
    assert _status(plan, "Tỷ lệ hộ nghèo 2,21%") == "achieved"
    assert _status(plan, "Phấn đấu xây dựng 01 sản phẩm OCOP") == "missed"


def test_during_the_year_targets_are_on_track_or_at_risk(demo_plan):
    _units, plan = demo_plan
    assert _status(plan, "Hoàn thành 13/19", on=dt.date(2024, 4, 15)) == "on_track"  # 12/19 in Q1
    assert _status(plan, "Hoàn thành 13/19", on=dt.date(2024, 11, 1)) == "at_risk"
    assert (
        _status(plan, "Hoàn thành xây dựng thôn Cống Phên", on=dt.date(2024, 4, 15)) == "on_track"
    )


def test_the_q4_snapshot_shows_13_of_19_achieved(demo_plan):
    _units, plan = demo_plan
    q1, q4 = Snapshot.objects.filter(plan=plan).order_by("taken_on")
    assert q4.data["criteria_sets"]["xa-ntm-nang-cao-2021-2025"]["met"] == 13
    assert (
        q4.data["targets"][0]["status"] == "achieved" and q4.data["targets"][0]["actual"] == "13/19"
    )
    assert q1.data["criteria_sets"]["xa-ntm-nang-cao-2021-2025"]["met"] == 12
    assert q1.data["targets"][0]["status"] == "on_track"


def test_editing_a_task_after_a_snapshot_does_not_change_the_snapshot(demo_plan):
    _units, plan = demo_plan
    snapshot = Snapshot.objects.get(plan=plan, period="2024Q4")
    before = snapshot.data
    task = plan.tasks.filter(status=Task.Status.NOT_STARTED).first()
    services.progress_add(
        user=User.objects.get(username="xa"),
        task=task,
        date=dt.date(2025, 1, 5),
        percent=100,
        note="Xong",
    )
    task.description = "Đã sửa"
    task.save()
    snapshot.refresh_from_db()
    assert snapshot.data == before


def test_overdue_and_due_soon():
    task = Task(deadline=dt.date(2024, 6, 30), status=Task.Status.IN_PROGRESS)
    assert task_state(task, dt.date(2024, 7, 1)) == (True, False)
    assert task_state(task, dt.date(2024, 6, 20)) == (False, True)
    assert task_state(task, dt.date(2024, 5, 1)) == (False, False)
    task.status = Task.Status.DONE
    assert task_state(task, dt.date(2024, 7, 1)) == (False, False)


def test_progress_drives_the_task_status(demo_plan):
    _units, plan = demo_plan
    task = plan.tasks.filter(status=Task.Status.NOT_STARTED).first()
    xa = User.objects.get(username="xa")
    services.progress_add(user=xa, task=task, date=dt.date(2024, 5, 1), percent=40, note="Bắt đầu")
    assert (task.status, task.percent) == (Task.Status.IN_PROGRESS, 40)
    services.progress_add(user=xa, task=task, date=dt.date(2024, 6, 1), percent=100, note="Xong")
    assert task.status == Task.Status.DONE and task.done_on == dt.date(2024, 6, 1)
    with pytest.raises(services.PlanError):
        services.progress_add(user=xa, task=task, date=dt.date(2024, 6, 2), percent=120, note="x")
    with pytest.raises(services.PlanError):
        services.progress_add(
            user=xa,
            task=task,
            date=dt.date(2024, 6, 2),
            percent=50,
            note="x",
            attachment_name="a.exe",
            attachment=b"MZ",
        )


@pytest.mark.parametrize(
    ("kwargs", "ok"),
    [
        ({"kind": "criteria_count", "count": 20}, False),
        ({"kind": "criteria_count", "count": 14}, True),
        ({"kind": "criterion", "criterion_number": 42}, False),
        ({"kind": "indicator", "indicator_code": "99.9", "value": Decimal(1)}, False),
        ({"kind": "indicator", "indicator_code": "11", "value": None}, False),
        ({"kind": "indicator", "indicator_code": "11", "value": Decimal("2")}, True),
        ({"kind": "qualitative", "manual_status": "at_risk", "manual_reason": ""}, False),
    ],
)
def test_targets_are_validated_by_kind(demo_plan, kwargs, ok):
    from ntm.catalog.models import CriteriaSet

    _units, plan = demo_plan
    kwargs.setdefault("criteria_set", CriteriaSet.objects.get(code="xa-ntm-nang-cao-2021-2025"))

    def call():
        return services.target_add(
            user=User.objects.get(username="xa"),
            plan=plan,
            title="T",
            deadline=dt.date(2024, 12, 31),
            **kwargs,
        )

    if ok:
        call()
    else:
        with pytest.raises(services.PlanError):
            call()


def test_only_plan_managers_change_plans(demo_plan):
    units, plan = demo_plan
    with pytest.raises(PermissionDenied):
        services.plan_create(
            user=User.objects.get(username="xem"), unit=units["07408"], year=2025, title="x"
        )
    with pytest.raises(PermissionDenied):
        services.snapshot_take(
            user=User.objects.get(username="congchuc"), plan=plan, period="2024H1"
        )
    services.snapshot_take(user=User.objects.get(username="xa"), plan=plan, period="2024H1")
    with pytest.raises(services.PlanError):
        services.snapshot_take(user=User.objects.get(username="xa"), plan=plan, period="2024H1")


def test_a_province_obstacle_is_resolved_by_the_province(demo_plan):
    _units, plan = demo_plan
    obstacle = plan.obstacles.get()
    assert obstacle.level == "province"
    with pytest.raises(PermissionDenied):
        services.obstacle_resolve(
            user=User.objects.get(username="xa"),
            obstacle=obstacle,
            resolved_on=dt.date(2025, 1, 10),
            resolution="x",
        )
    services.obstacle_resolve(
        user=User.objects.get(username="tinh"),
        obstacle=obstacle,
        resolved_on=dt.date(2025, 1, 10),
        resolution="Tỉnh hỗ trợ bao bì",
    )
    assert obstacle.resolved_on == dt.date(2025, 1, 10)


def test_draft_from_gaps_proposes_the_unmet_indicators_and_creates_nothing_until_confirmed(
    demo_plan, client
):
    units, plan = demo_plan
    client.force_login(User.objects.get(username="xa"))
    url = reverse("planning:draft", args=[units["07408"].pk, 2024])
    tasks = plan.tasks.count()
    response = client.get(url, {"set": "xa-ntm-nang-cao-2021-2025", "period": "2024Q4"})
    keys = [i.key for i in response.context["items"]]
    assert "2:2.1" in keys and "8:8.4" not in keys and plan.tasks.count() == tasks
    response = client.post(
        url, {"set": "xa-ntm-nang-cao-2021-2025", "period": "2024Q4", "item": ["2:2.1", "17:17.2"]}
    )
    assert response.status_code == 302 and plan.tasks.count() == tasks + 2
    assert plan.targets.filter(kind="criterion", criterion_number__in=[2, 17]).count() == 2


def test_plan_page_query_count_is_fixed(demo_plan, client, django_assert_num_queries):
    units, _plan = demo_plan
    client.force_login(User.objects.get(username="xem"))
    url = reverse("planning:plan", args=[units["07408"].pk, 2024])
    # session, user, memberships, unit, plan, targets, results, OCOP register, scenarios (the
    # switcher), tasks, obstacles, snapshots, banner; the projections of open targets take one
    # more where there are any (none here: the 2024 deadlines have passed)
    with django_assert_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200


def test_reminders_go_to_responsible_officials_with_an_email(demo_plan, mailoutbox):
    from ntm.planning.services import reminders_send

    congchuc = User.objects.get(username="congchuc")
    congchuc.email = "congchuc@example.org"
    congchuc.save()
    assert reminders_send(on=dt.date(2024, 12, 28)) == 1
    assert mailoutbox[0].to == ["congchuc@example.org"] and "Vận động" in mailoutbox[0].body


def test_every_plan_page_renders_for_a_viewer(demo_plan, client):
    units, plan = demo_plan
    client.force_login(User.objects.get(username="xem"))
    unit = units["07408"].pk
    task, obstacle = plan.tasks.first(), plan.obstacles.first()
    for url in (
        reverse("planning:plans", args=[unit]),
        reverse("planning:plan", args=[unit, 2024]),
        reverse("planning:task", args=[unit, 2024, task.pk]),
        reverse("planning:obstacle", args=[unit, 2024, obstacle.pk]),
        reverse("planning:snapshot", args=[unit, 2024, "2024Q4"]),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("planning:task_add", args=[unit, 2024])).status_code == 403


def test_objects_of_another_plan_are_not_reachable_through_this_unit(
    demo_plan, client, other_commune
):
    units, _plan = demo_plan
    admin = User.objects.get(username="admin")
    other_plan = services.plan_create(user=admin, unit=other_commune, year=2024, title="Khác")
    other_task = services.task_add(
        user=admin,
        plan=other_plan,
        area=other_plan.areas.first(),
        description="x",
        deadline=dt.date(2024, 12, 31),
    )
    client.force_login(User.objects.get(username="xa"))
    url = reverse("planning:task", args=[units["07408"].pk, 2024, other_task.pk])
    assert client.get(url).status_code == 404


def test_snapshots_are_compared_side_by_side(demo_plan, client):
    units, _plan = demo_plan
    client.force_login(User.objects.get(username="xa"))
    response = client.get(reverse("planning:snapshot", args=[units["07408"].pk, 2024, "2024Q4"]))
    first = response.context["comparison"][0]
    assert first[0].startswith("Hoàn thành 13/19") and first[1] == ["on_track", "achieved"]


def test_progress_attachments_are_served_only_to_those_who_may_see_the_plan(
    demo_plan, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    units, plan = demo_plan
    task = plan.tasks.first()
    update = services.progress_add(
        user=User.objects.get(username="xa"),
        task=task,
        date=dt.date(2024, 5, 1),
        percent=10,
        note="Ảnh",
        attachment_name="anh.png",
        attachment=_png(),
    )
    url = reverse("planning:attachment", args=[units["07408"].pk, 2024, update.pk])
    client.force_login(User.objects.get(username="xem"))
    assert client.get(url).status_code == 200
    client.force_login(User.objects.get(username="thon"))  # village head: not the commune's plan
    assert client.get(url).status_code == 404


def test_solution_areas_are_configurable(demo_plan):
    _units, plan = demo_plan
    area = services.area_add(user=User.objects.get(username="xa"), plan=plan, name="Chuyển đổi số")
    assert area.position == 8 and plan.areas.count() == 9
    with pytest.raises(services.PlanError):
        services.area_add(user=User.objects.get(username="xa"), plan=plan, name="chuyển đổi số")


def test_a_snapshot_taken_late_reports_the_tasks_as_they_stood_at_the_period_end(demo_plan):
    """A task finished in November is not "done" in a Q1 snapshot frozen in December."""
    _units, plan = demo_plan
    from ntm.accounts.models import User
    from ntm.planning.services import progress_add

    user = User.objects.get(username="xa")
    task = plan.tasks.filter(status=Task.Status.NOT_STARTED).first()
    progress_add(user=user, task=task, date=dt.date(2024, 3, 10), percent=40, note="Khởi công")
    progress_add(user=user, task=task, date=dt.date(2024, 11, 20), percent=100, note="Xong")
    task.refresh_from_db()
    assert (task.status, task.done_on) == (Task.Status.DONE, dt.date(2024, 11, 20))

    rows = {r.task.pk: r for r in plan_page(plan=plan, on=dt.date(2024, 3, 31)).tasks}
    assert (rows[task.pk].status, rows[task.pk].percent) == (Task.Status.IN_PROGRESS, 40)
    rows = {r.task.pk: r for r in plan_page(plan=plan, on=dt.date(2024, 2, 1)).tasks}
    assert (rows[task.pk].status, rows[task.pk].percent) == (Task.Status.NOT_STARTED, 0)
    rows = {r.task.pk: r for r in plan_page(plan=plan, on=dt.date(2024, 12, 31)).tasks}
    assert (rows[task.pk].status, rows[task.pk].percent) == (Task.Status.DONE, 100)
    early = plan_page(plan=plan, on=dt.date(2024, 3, 31)).counts["done"]
    late = plan_page(plan=plan, on=dt.date(2024, 12, 31)).counts["done"]
    assert late == early + 1 + sum(
        1
        for t in plan.tasks.exclude(pk=task.pk)
        if t.done_on and dt.date(2024, 3, 31) < t.done_on <= dt.date(2024, 12, 31)
    )


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    return buffer.getvalue()
