"""The mobilisation table of a province or district: the same table by source over the subtree,
and one row per commune, in a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ntm.finance import selectors, services
from ntm.finance.models import SourceKind
from ntm.geo.models import AdminUnit, Kind

M = Decimal(1_000_000)


@pytest.fixture
def lang_giang(demo):
    return AdminUnit.objects.get(code="217", valid_from=None)


def add_commune_with_data(users, lang_giang, code: str, name: str) -> AdminUnit:
    """A new commune with a village, a work with three sources and a contribution."""
    from ntm.geo.services import unit_create

    commune = unit_create(code=code, name=name, kind=Kind.COMMUNE, parent=lang_giang)
    village = unit_create(code=f"{code}.01", name="Thôn Một", kind=Kind.VILLAGE, parent=commune)
    admin = users["admin"]
    work = services.work_create(user=admin, unit=village, year=2024, kind="road", name="Đường")
    services.work_budget_set(
        user=admin,
        work=work,
        lines={"central": 100 * M, "commune": 20 * M, "enterprise": 5 * M},
    )
    services.contribution_add(
        user=admin,
        unit=village,
        contributor_kind="household",
        contributor_name="Hộ A",
        kind="cash",
        value=3 * M,
        date=dt.date(2024, 5, 1),
    )
    return commune


def test_the_province_table_aggregates_the_subtree_and_breaks_it_down_by_commune(
    demo, works, users, lang_giang
):
    province, duong_duc = demo["24"], demo["07408"]
    other = add_commune_with_data(users, lang_giang, "07499", "Xã Thử")
    table = selectors.mobilisation(unit=province, year=2024)
    communes = selectors.commune_breakdown(unit=province, year=2024)
    by_code = {r.commune.code: r for r in communes.rows}
    # every commune of the old province in force in 2024, the new one included
    assert {"07408", "07411", "07420", "07429", "07499"} <= set(by_code)
    commune_table = selectors.mobilisation(unit=duong_duc, year=2024)
    row = by_code["07408"]
    assert row.commune == duong_duc and row.total == commune_table.total > 0
    assert row.people == commune_table.people_total
    assert row.state_budget == sum(
        (
            r.total
            for r in commune_table.rows
            if r.source in {"central", "province", "district", "commune"}
        ),
        Decimal(0),
    )
    new = by_code["07499"]
    assert (new.commune, new.total, new.state_budget, new.people, new.other) == (
        other,
        128 * M,
        120 * M,
        3 * M,
        5 * M,
    )
    assert by_code["07411"].total == 0
    # the rows reconcile with the province's table by source
    assert communes.total == table.total == commune_table.total + 128 * M
    assert communes.people == table.people_total
    assert communes.state_budget == sum(
        (r.total for r in table.rows if r.source in selectors.STATE_BUDGETS), Decimal(0)
    )
    assert {str(s) for s in selectors.STATE_BUDGETS} == {
        SourceKind.CENTRAL_BUDGET,
        SourceKind.PROVINCE_BUDGET,
        SourceKind.DISTRICT_BUDGET,
        SourceKind.COMMUNE_BUDGET,
    }


def test_the_breakdown_takes_three_queries(demo, works, django_assert_num_queries):
    with django_assert_num_queries(3):
        selectors.commune_breakdown(unit=demo["24"], year=2024)


def test_the_province_page_takes_a_fixed_number_of_queries_as_communes_are_added(
    demo, works, users, lang_giang, client
):
    client.force_login(users["tinh"])
    url = reverse("finance:overview", args=[demo["24"].pk, 2024])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    client.get(url)  # warm the session and any per-process cache
    before = count()
    add_commune_with_data(users, lang_giang, "07497", "Xã Một")
    add_commune_with_data(users, lang_giang, "07498", "Xã Hai")
    assert count() == before
    html = client.get(url).content.decode()
    assert "Xã Một" in html and "Xã Hai" in html and "Xã Dương Đức" in html


@pytest.mark.parametrize("code", ["24", "217"])
def test_the_province_admin_opens_the_province_and_district_pages(demo, works, users, client, code):
    unit = AdminUnit.objects.get(code=code, valid_from=None)
    client.force_login(users["tinh"])
    response = client.get(reverse("finance:overview", args=[unit.pk, 2024]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Xã Dương Đức" in html
    assert reverse("finance:overview", args=[demo["07408"].pk, 2024]) in html
    assert reverse("finance:work_add", args=[unit.pk, 2024]) not in html  # works are local
    assert response.context["communes"].total == response.context["table"].total
    # the index picks the latest year with data
    assert client.get(reverse("finance:index", args=[unit.pk]))["Location"].endswith("/2024/")
    # the unit page links to it
    page = client.get(reverse("geo:detail", args=[unit.pk])).content.decode()
    assert reverse("finance:index", args=[unit.pk]) in page


def test_the_province_page_needs_view_on_the_province(demo, works, users, client):
    url = reverse("finance:overview", args=[demo["24"].pk, 2024])
    assert client.get(url).status_code == 302  # anonymous: to the login
    for username in ("xa", "thon", "mttq"):
        client.force_login(users[username])
        assert client.get(url).status_code == 404, username
    client.force_login(users["admin"])
    assert client.get(url).status_code == 200


def test_a_commune_page_keeps_its_works_table(demo, works, users, client):
    client.force_login(users["xa"])
    response = client.get(reverse("finance:overview", args=[demo["07408"].pk, 2024]))
    assert response.status_code == 200 and response.context["communes"] is None
    assert len(response.context["works"]) == len(works)
