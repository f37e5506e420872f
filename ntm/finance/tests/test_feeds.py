"""Finished works feed the data element their indicator says (e.g. km of concreted village road),
through the one write path for values (observations.services.value_set)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from ntm.catalog.models import DataElement
from ntm.finance import services
from ntm.finance.models import Work, WorkProgress
from ntm.observations.models import DataValue
from ntm.observations.services import period_lock, value_approve, value_set

CODE = "road_km"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def road_set(small_set):
    """The small national set with a numeric data element: km of concreted village road."""
    DataElement.objects.create(
        criteria_set=small_set,
        code=CODE,
        name_vi="Số km đường trục thôn được cứng hóa",
        unit="km",
        kind="number",
    )
    return small_set


@pytest.fixture
def roads(demo, users, road_set):
    """Two village roads of Dương Đức: 1,2 km in Cống Phên, 0,8 km in Cầu Đàm."""
    xa = users["xa"]

    def road(village_code: str, name: str, km: str) -> Work:
        from ntm.geo.models import AdminUnit

        village = AdminUnit.objects.get(code=village_code, valid_from=None)
        return services.work_create(
            user=xa,
            unit=village,
            year=2024,
            kind="road",
            name=name,
            feeds_set=road_set,
            feeds_code=CODE,
            quantity=Decimal(km),
        )

    return [
        road("07408.05", "Bê tông hóa đường trục thôn Cống Phên", "1.2"),
        road("07408.02", "Bê tông hóa đường trục thôn Cầu Đàm", "0.8"),
    ]


def value_of(demo, road_set, period="2024"):
    return DataValue.objects.filter(
        unit=demo["07408"], criteria_set=road_set, code=CODE, period=period
    ).first()


def finish(user, work, date=dt.date(2024, 11, 30), percent=100):
    fed: list[services.FeedResult] = []
    services.work_progress_add(user=user, work=work, date=date, percent=percent, feed=fed)
    return fed


def test_two_finished_roads_record_their_total_for_the_commune_with_a_note(
    demo, users, road_set, roads
):
    xa = users["xa"]
    assert finish(xa, roads[0])[0].value == Decimal("1.2")
    fed = finish(xa, roads[1])
    assert [(r.code, r.period, r.works, r.ok) for r in fed] == [(CODE, "2024", 2, True)]
    value = value_of(demo, road_set)
    assert value.number == Decimal("2.0")
    assert value.note == "Tự động từ 2 công trình đã hoàn thành"
    assert value.updated_by == xa
    # the value keeps its history: first 1.2, then 2
    assert [h.number for h in value.history.order_by("history_date")] == [
        Decimal("1.2"),
        Decimal("2"),
    ]


def test_a_work_not_yet_finished_feeds_nothing(demo, users, road_set, roads):
    assert finish(users["xa"], roads[0], percent=60) == []
    assert value_of(demo, road_set) is None


def test_changing_the_quantity_of_a_finished_work_recomputes(demo, users, road_set, roads):
    xa = users["xa"]
    finish(xa, roads[0])
    finish(xa, roads[1])
    fed: list[services.FeedResult] = []
    services.work_update(user=xa, work=roads[1], quantity=Decimal("1.3"), feed=fed)
    assert fed[0].value == Decimal("2.5")
    assert value_of(demo, road_set).number == Decimal("2.5")
    # no change in what it feeds: nothing recorded again
    fed = []
    services.work_update(user=xa, work=roads[1], contractor="Công ty X", feed=fed)
    assert fed == []


def test_unfinishing_a_work_warns_and_recomputes_while_the_progress_is_saved(
    demo, users, road_set, roads
):
    xa = users["xa"]
    finish(xa, roads[0])
    finish(xa, roads[1])
    fed = finish(xa, roads[1], date=dt.date(2024, 12, 5), percent=90)
    assert fed[0].unfinished and fed[0].ok and fed[0].works == 1
    assert "no longer counts" in fed[0].message
    assert value_of(demo, road_set).number == Decimal("1.2")
    roads[1].refresh_from_db()
    assert roads[1].percent == 90 and roads[1].status == Work.Status.IN_PROGRESS


def test_a_locked_period_gives_a_warning_and_the_progress_is_still_saved(
    demo, users, road_set, roads
):
    xa = users["xa"]
    period_lock(user=xa, unit=demo["07408"], period="2024", reason="Đã chốt số liệu")
    fed = finish(xa, roads[0])
    assert len(fed) == 1 and not fed[0].ok
    assert "locked" in fed[0].error
    assert value_of(demo, road_set) is None
    roads[0].refresh_from_db()
    assert roads[0].status == Work.Status.DONE and roads[0].percent == 100
    assert WorkProgress.objects.filter(work=roads[0], percent=100).exists()


def test_an_approved_value_is_not_overwritten(demo, users, road_set, roads):
    xa = users["xa"]
    record, _changed = value_set(
        user=xa, unit=demo["07408"], criteria_set=road_set, code=CODE, period="2024", value="5"
    )
    value_approve(user=xa, value=record)
    fed = finish(xa, roads[0])
    assert not fed[0].ok and "approved" in fed[0].error
    assert value_of(demo, road_set).number == Decimal("5")
    roads[0].refresh_from_db()
    assert roads[0].status == Work.Status.DONE


def test_a_village_head_finishes_a_road_but_may_not_write_the_communes_value(
    demo, users, road_set, roads, client
):
    """Permission rules are unchanged: the village head's progress is saved, the commune's value
    is not written by them; the commune manager then updates it from the work's page."""
    fed = finish(users["thon"], roads[0])
    assert not fed[0].ok and value_of(demo, road_set) is None
    roads[0].refresh_from_db()
    assert roads[0].status == Work.Status.DONE
    # the village head sees no button; a direct POST is refused
    client.force_login(users["thon"])
    page = client.get(reverse("finance:work", args=[roads[0].unit_id, roads[0].pk]))
    assert reverse("finance:work_feed", args=[roads[0].unit_id, roads[0].pk]) not in (
        page.content.decode()
    )
    url = reverse("finance:work_feed", args=[roads[0].unit_id, roads[0].pk])
    assert client.post(url).status_code in (403, 404)
    assert value_of(demo, road_set) is None
    client.force_login(users["xa"])
    assert (
        url
        in client.get(
            reverse("finance:work", args=[roads[0].unit_id, roads[0].pk])
        ).content.decode()
    )
    assert client.post(url).status_code == 302
    assert value_of(demo, road_set).number == Decimal("1.2")


def test_the_warning_is_shown_on_the_work_page_after_a_progress_update(
    demo, users, road_set, roads, client
):
    xa = users["xa"]
    period_lock(user=xa, unit=demo["07408"], period="2024")
    client.force_login(xa)
    work = roads[0]
    response = client.post(
        reverse("finance:work_progress", args=[work.unit_id, work.pk]),
        {"date": "2024-11-30", "percent": "100"},
        follow=True,
    )
    assert response.status_code == 200
    shown = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert any(t == "success" for t, _s in shown)
    assert any(t == "warning" and CODE in s for t, s in shown)
    work.refresh_from_db()
    assert work.status == Work.Status.DONE


def test_feeds_must_name_a_numeric_element_or_indicator_of_the_communes_set(demo, users, road_set):
    xa = users["xa"]
    unit = demo["07408"]

    def create(**fields):
        return services.work_create(
            user=xa, unit=unit, year=2024, kind="road", name="Đường", **fields
        )

    with pytest.raises(services.FinanceError) as exc:
        create(feeds_set=road_set, feeds_code="nope", quantity=Decimal(1))
    assert exc.value.field == "feeds_code"
    with pytest.raises(services.FinanceError) as exc:
        create(feeds_set=road_set, feeds_code="1.2", quantity=Decimal(1))  # pass/fail
    assert exc.value.field == "feeds_code"
    with pytest.raises(services.FinanceError) as exc:
        create(feeds_set=road_set, feeds_code=CODE)
    assert exc.value.field == "quantity"
    with pytest.raises(services.FinanceError) as exc:
        create(feeds_code=CODE, quantity=Decimal(1))
    assert exc.value.field == "feeds_set"
    with pytest.raises(services.FinanceError) as exc:
        create(feeds_set=road_set, feeds_code=CODE, quantity=Decimal(-1))
    assert exc.value.field == "quantity"
    work = create(feeds_set=road_set, feeds_code=f" {CODE} ", quantity=Decimal("1.2"))
    assert work.feeds_code == CODE


def test_the_work_form_validates_feeds(demo, users, road_set, client):
    client.force_login(users["xa"])
    unit = demo["07408"]
    response = client.post(
        reverse("finance:work_add", args=[unit.pk, 2024]),
        {
            "kind": "road",
            "name": "Đường trục xã",
            "status": "planned",
            "feeds_set": road_set.pk,
            "feeds_code": "households",
            "quantity": "1.5",
        },
    )
    assert response.status_code == 302  # households is a count: numeric
    response = client.post(
        reverse("finance:work_add", args=[unit.pk, 2024]),
        {
            "kind": "road",
            "name": "Đường trục xã 2",
            "status": "planned",
            "feeds_set": road_set.pk,
            "feeds_code": "3",
            "quantity": "1.5",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["feeds_code"]
