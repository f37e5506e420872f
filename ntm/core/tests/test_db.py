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
