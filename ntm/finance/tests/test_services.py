import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from ntm.finance import services
from ntm.finance.models import Work

from .conftest import JPEG, PNG


def _work(demo, users, **fields):
    return services.work_create(
        user=users["thon"],
        unit=demo["07408.05"],
        year=2024,
        kind="road",
        name="Đường trục thôn",
        **fields,
    )


def test_non_cash_contributions_are_valued_with_the_communes_rate_of_the_year(demo, users):
    services.rate_set(
        user=users["xa"],
        unit=demo["07408"],
        year=2024,
        kind="land_m2",
        vnd_per_unit=Decimal(300_000),
    )
    c = services.contribution_add(
        user=users["thon"],
        unit=demo["07408.05"],
        contributor_kind="household",
        contributor_name="Hộ B",
        kind="land",
        quantity=Decimal("12.5"),
        date=dt.date(2024, 3, 1),
    )
    assert (c.quantity, c.rate, c.value) == (Decimal("12.50"), Decimal(300_000), Decimal(3_750_000))


def test_a_labour_contribution_without_a_rate_is_refused(demo, users):
    with pytest.raises(services.FinanceError) as exc:
        services.contribution_add(
            user=users["thon"],
            unit=demo["07408.05"],
            contributor_kind="household",
            contributor_name="Hộ C",
            kind="labour",
            quantity=Decimal(3),
            date=dt.date(2023, 3, 1),
        )
    assert exc.value.field == "quantity"


def test_a_value_that_disagrees_with_the_rate_is_refused(demo, users):
    services.rate_set(
        user=users["xa"],
        unit=demo["07408"],
        year=2024,
        kind="labour_day",
        vnd_per_unit=Decimal(200_000),
    )
    with pytest.raises(services.FinanceError):
        services.contribution_add(
            user=users["thon"],
            unit=demo["07408.05"],
            contributor_kind="household",
            contributor_name="Hộ D",
            kind="labour",
            quantity=Decimal(3),
            value=Decimal(1),
            date=dt.date(2024, 3, 1),
        )


def test_cash_must_be_whole_dong(demo, users):
    with pytest.raises(services.FinanceError):
        services.contribution_add(
            user=users["thon"],
            unit=demo["07408.05"],
            contributor_kind="household",
            contributor_name="Hộ E",
            kind="cash",
            value=Decimal("1000.5"),
            date=dt.date(2024, 3, 1),
        )


def test_there_is_no_district_budget_after_the_reform(demo, users):
    work = services.work_create(
        user=users["xa"], unit=demo["07408"], year=2026, kind="road", name="Đường liên thôn"
    )
    with pytest.raises(services.FinanceError):
        services.work_budget_set(user=users["xa"], work=work, lines={"district": Decimal(1000)})
    old = _work(demo, users, start=dt.date(2024, 3, 1))
    services.work_budget_set(user=users["xa"], work=old, lines={"district": Decimal(1000)})
    with pytest.raises(services.FinanceError):
        services.disbursement_add(
            user=users["xa"],
            work=old,
            source="district",
            amount=Decimal(1000),
            date=dt.date(2025, 7, 1),
        )


@pytest.mark.parametrize(("lat", "lon"), [("91", "106"), ("21", "181"), ("21", None)])
def test_coordinates_outside_their_ranges_are_refused(demo, users, lat, lon):
    with pytest.raises(services.FinanceError):
        _work(demo, users, latitude=Decimal(lat), longitude=Decimal(lon) if lon else None)


def test_progress_photos_are_checked_by_extension_content_and_size(demo, users):
    work = _work(demo, users)
    day = dt.date(2024, 5, 1)
    update = services.work_progress_add(
        user=users["thon"],
        work=work,
        date=day,
        percent=30,
        photo_name="a.JPG",
        photo=JPEG,
        photo_stage="before",
    )
    assert update.photo_type == "image/jpeg" and update.photo.name.endswith(".jpg")
    for name, content in [("a.png", JPEG), ("a.gif", b"GIF89a"), ("a.pdf", b"%PDF-1.4")]:
        with pytest.raises(services.FinanceError):
            services.work_progress_add(
                user=users["thon"],
                work=work,
                date=day,
                percent=40,
                photo_name=name,
                photo=content,
                photo_stage="after",
            )
    with pytest.raises(services.FinanceError):
        services.work_progress_add(
            user=users["thon"],
            work=work,
            date=day,
            percent=40,
            photo_name="big.png",
            photo=PNG + b"\x00" * services.MAX_PHOTO_BYTES,
            photo_stage="after",
        )
    work.refresh_from_db()
    assert (work.percent, work.status) == (30, Work.Status.IN_PROGRESS)


def test_the_village_head_may_not_record_disbursements_or_allocations(demo, users):
    work = _work(demo, users)
    with pytest.raises(PermissionDenied):
        services.disbursement_add(
            user=users["thon"],
            work=work,
            source="commune",
            amount=Decimal(1),
            date=dt.date(2024, 5, 1),
        )
    with pytest.raises(Http404):  # the commune is outside the village head's view
        services.allocation_add(
            user=users["thon"],
            commune=demo["07408"],
            village=demo["07408.05"],
            year=2024,
            source="commune",
            amount=Decimal(1),
            decided_on=dt.date(2024, 5, 1),
        )


def test_an_allocation_goes_to_a_village_of_the_commune_in_money(demo, users, other_commune):
    foreign = other_commune.children.get()
    with pytest.raises(services.FinanceError):
        services.allocation_add(
            user=users["admin"],
            commune=demo["07408"],
            village=foreign,
            year=2024,
            source="commune",
            amount=Decimal(1),
            decided_on=dt.date(2024, 5, 1),
        )
    with pytest.raises(services.FinanceError):
        services.allocation_add(
            user=users["xa"],
            commune=demo["07408"],
            village=demo["07408.05"],
            year=2024,
            source="people_labour",
            amount=Decimal(1),
            decided_on=dt.date(2024, 5, 1),
        )


def test_a_contribution_to_another_villages_work_is_refused(demo, users, village_2):
    work = services.work_create(
        user=users["xa"], unit=village_2, year=2024, kind="road", name="Đường Cầu Đàm"
    )
    with pytest.raises(services.FinanceError):
        services.contribution_add(
            user=users["thon"],
            unit=demo["07408.05"],
            contributor_kind="household",
            contributor_name="Hộ F",
            kind="cash",
            value=Decimal(1000),
            date=dt.date(2024, 3, 1),
            work=work,
        )
