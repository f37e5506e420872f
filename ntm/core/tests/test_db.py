import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from ntm.core.db import AmongIds
from ntm.geo.models import AdminUnit


@pytest.mark.django_db
def test_among_ids_filters_like_in_with_one_parameter_on_postgresql(demo):
    ids = list(AdminUnit.objects.values_list("pk", flat=True)[:3])
    with CaptureQueriesContext(connection) as queries:
        found = list(
            AdminUnit.objects.filter(AmongIds(F("pk"), [*ids, 10**12])).values_list("pk", flat=True)
        )
    assert sorted(found) == sorted(ids)
    if connection.vendor == "postgresql":
        # Typed as the column, so PostgreSQL hashes the ids (an int4[] would not be).
        assert "ANY(" in queries.captured_queries[0]["sql"]
        assert "::bigint[]" in queries.captured_queries[0]["sql"]
    assert not AdminUnit.objects.filter(AmongIds(F("parent_id"), [])).exists()


@pytest.mark.django_db
def test_converted_rows_give_what_the_orm_gives_value_for_value(other_commune, small_set):
    import datetime as dt
    from decimal import Decimal

    from ntm.core.db import converted_rows
    from ntm.observations.models import DataValue

    numbers = [Decimal("85.5"), Decimal("0"), Decimal("-0"), Decimal("1"), Decimal("1.0")]
    numbers += [Decimal("85.50"), None, Decimal("100"), Decimal("0.00"), Decimal("1")]
    flags = [None, None, None, None, None, True, False, True, None, False]
    for n, (number, flag) in enumerate(zip(numbers, flags, strict=True)):
        DataValue.objects.create(
            unit=other_commune,
            criteria_set=small_set,
            code=f"c{n}",
            period="2024",
            period_end=dt.date(2024, 12, 31),
            number=number,
            flag=flag,
            text=str(number),
        )
    rows = DataValue.objects.order_by("code").values_list("code", "number", "flag", "period_end")
    expected = [list(row) for row in rows]
    found = [list(row) for row in converted_rows(rows)]
    assert found == expected
    # Equal is not enough: -0 must stay -0 and 1 stay apart from 1.0 as the ORM gives them.
    assert [(str(r[1]), repr(r[2])) for r in found] == [(str(r[1]), repr(r[2])) for r in expected]


@pytest.mark.django_db
def test_converted_rows_never_share_a_mutable_value_between_rows(other_commune, small_set):
    import datetime as dt

    from ntm.core.db import converted_rows
    from ntm.evaluation.models import AreaSummary

    for month in (3, 6, 9):
        AreaSummary.objects.create(
            area=other_commune,
            criteria_set=small_set,
            level=4,
            period_end=dt.date(2024, month, 28),
            criteria={"1": [1, 0, 0, 0]},
        )
    rows = AreaSummary.objects.order_by("pk").values_list("pk", "criteria")
    found = [list(row) for row in converted_rows(rows)]
    assert found == [list(row) for row in rows]
    # The same JSON in every row, yet three dictionaries: changing one changes no other.
    found[0][1]["1"][0] = 9
    assert [r[1]["1"][0] for r in found] == [9, 1, 1]
