"""Every API operation, every role: another unit's non-public data answers 403 or 404, writes
there are refused and write nothing, anonymous callers get 401 — except the public operations,
which anyone reads. A new operation missing from MATRIX fails ``test_every_operation_is_in_the_matrix``.
"""

import datetime as dt

import pytest

from ntm.api.api import api as ninja_api

FOREIGN = "06100"  # other_commune: no demo user's scope
SET = "xa-thu-nghiem"
ROLES = ["tinh", "xa", "congchuc", "thon", "mttq", "xem"]
VALUE_ROW = {"unit": FOREIGN, "set": SET, "code": "1.1", "period": "2024Q1", "value": "90"}
CSV_ROW = f"unit,set,code,period,value\n{FOREIGN},{SET},1.1,2024Q1,90\n".encode()
DHIS2_CSV = b"DeForeign01,2024Q1,OuForeign01,,,90\n"

# operation id -> (method, path, query, body, content type, kind)
# kind: "private" (403/404), "write" (refused, nothing written), "catalog" (any logged-in
# user: public legal data or identifiers), "admin" (system administrators only), "public".
MATRIX = {
    "units_list": ("get", "/api/v1/units", {"q": "hoa lac"}, None, None, "filtered"),
    "unit_detail": ("get", f"/api/v1/units/{FOREIGN}", {}, None, None, "private"),
    "unit_children": ("get", f"/api/v1/units/{FOREIGN}/children", {}, None, None, "private"),
    "unit_subtree": ("get", f"/api/v1/units/{FOREIGN}/subtree", {}, None, None, "private"),
    "unit_history": ("get", f"/api/v1/units/{FOREIGN}/history", {}, None, None, "private"),
    "sets_list": ("get", "/api/v1/criteria-sets", {}, None, None, "catalog"),
    "set_detail": ("get", f"/api/v1/criteria-sets/{SET}", {}, None, None, "catalog"),
    "values_list": ("get", "/api/v1/values", {"unit": FOREIGN}, None, None, "private"),
    "values_csv": ("get", "/api/v1/values.csv", {"unit": FOREIGN}, None, None, "private"),
    "values_write": (
        "post",
        "/api/v1/values",
        {},
        {"values": [VALUE_ROW]},
        "application/json",
        "write",
    ),
    "values_write_csv": ("post", "/api/v1/values.csv", {}, CSV_ROW, "text/csv", "write"),
    "result_detail": (
        "get",
        "/api/v1/results",
        {"unit": FOREIGN, "set": SET},
        None,
        None,
        "private",
    ),
    "result_rollup": (
        "get",
        "/api/v1/results/rollup",
        {"unit": FOREIGN, "set": SET},
        None,
        None,
        "private",
    ),
    "plans_list": ("get", f"/api/v1/units/{FOREIGN}/plans", {}, None, None, "private"),
    "plan_detail": ("get", "/api/v1/plans/{plan}", {}, None, None, "private"),
    "task_progress": (
        "post",
        "/api/v1/tasks/{task}/progress",
        {},
        {"date": "2024-05-01", "percent": 50, "note": "done half"},
        "application/json",
        "private",
    ),
    "works_list": ("get", f"/api/v1/units/{FOREIGN}/works", {"year": 2024}, None, None, "private"),
    "mobilisation": (
        "get",
        f"/api/v1/units/{FOREIGN}/mobilisation",
        {"year": 2024},
        None,
        None,
        "private",
    ),
    "dhis2_export": (
        "get",
        "/api/v1/dhis2/dataValueSets",
        {"unit": FOREIGN},
        None,
        None,
        "private",
    ),
    "dhis2_export_csv": (
        "get",
        "/api/v1/dhis2/dataValueSets.csv",
        {"unit": FOREIGN},
        None,
        None,
        "private",
    ),
    "dhis2_import": (
        "post",
        "/api/v1/dhis2/dataValueSets",
        {},
        {
            "dataValues": [
                {
                    "dataElement": "DeForeign01",
                    "period": "2024Q1",
                    "orgUnit": "OuForeign01",
                    "value": "90",
                }
            ]
        },
        "application/json",
        "write",
    ),
    "dhis2_import_csv": (
        "post",
        "/api/v1/dhis2/dataValueSets.csv",
        {},
        DHIS2_CSV,
        "text/csv",
        "write",
    ),
    "dhis2_mappings": ("get", "/api/v1/dhis2/mappings", {}, None, None, "catalog"),
    "dhis2_mappings_import": (
        "post",
        "/api/v1/dhis2/mappings.csv",
        {},
        b"kind,unit,dhis2_id\nunit,06100,OuForeign02\n",
        "text/csv",
        "admin",
    ),
    "scenario_list": ("get", "/api/v1/scenarios", {"unit": FOREIGN}, None, None, "private"),
    "scenario_detail": ("get", "/api/v1/scenarios/{scenario}", {}, None, None, "private"),
    "projections": (
        "get",
        "/api/v1/projections",
        {"unit": FOREIGN, "set": SET},
        None,
        None,
        "private",
    ),
    "public_unit": ("get", f"/api/v1/public/units/{FOREIGN}", {}, None, None, "public"),
    "public_work": ("get", "/api/v1/public/works/{work}", {}, None, None, "public"),
}


def _operations():
    schema = ninja_api.get_openapi_schema()
    return {op["operationId"] for item in schema["paths"].values() for op in item.values()}


def test_every_operation_is_in_the_matrix():
    assert _operations() == set(MATRIX)


@pytest.fixture
def foreign(demo, other_commune, small_set):
    """Data in the foreign commune: a value, a plan with a task, a work, DHIS2 mappings."""
    from ntm.accounts.models import User
    from ntm.api.models import Dhis2Mapping
    from ntm.decisions.models import Scenario
    from ntm.finance.models import Work
    from ntm.observations.services import value_set
    from ntm.planning.models import Plan, SolutionArea, Task

    admin = User.objects.get(username="admin")
    value_set(
        user=admin,
        unit=other_commune,
        criteria_set=small_set,
        code="1.1",
        period="2024Q1",
        value="80",
        note="internal note",
    )
    plan = Plan.objects.create(unit=other_commune, year=2024, title="Kế hoạch")
    area = SolutionArea.objects.create(plan=plan, code="ha-tang", name="Hạ tầng")
    task = Task.objects.create(
        plan=plan, area=area, description="Làm đường", deadline=dt.date(2024, 12, 31)
    )
    work = Work.objects.create(unit=other_commune, year=2024, kind="road", name="Đường thôn")
    Dhis2Mapping.objects.create(kind="unit", unit=other_commune, dhis2_id="OuForeign01")
    Dhis2Mapping.objects.create(
        kind="element", criteria_set=small_set, code="1.1", dhis2_id="DeForeign01"
    )
    scenario = Scenario.objects.create(
        unit=other_commune, criteria_set=small_set, base_period="2024Q1", name="Nếu đạt 1.1"
    )
    return {"plan": plan.pk, "task": task.pk, "work": work.pk, "scenario": scenario.pk}


def _call(client, op, foreign, token=None):
    method, path, query, body, content_type, _kind = MATRIX[op]
    path = path.format(**foreign)
    extra = {"HTTP_AUTHORIZATION": token} if token else {}
    if method == "get":
        return client.get(path, query, **extra)
    data = body if isinstance(body, bytes) else __import__("json").dumps(body)
    return client.post(path, data=data, content_type=content_type, **extra)


def _snapshot():
    from ntm.api.models import Dhis2Mapping
    from ntm.observations.models import DataValue
    from ntm.planning.models import ProgressUpdate

    return (
        list(DataValue.objects.values_list("pk", "text", "updated_at")),
        ProgressUpdate.objects.count(),
        Dhis2Mapping.objects.count(),
    )


@pytest.mark.parametrize("op", sorted(MATRIX))
def test_another_units_data_is_refused_for_every_role(client, foreign, token_for, op):
    kind = MATRIX[op][5]
    for role in ROLES:
        before = _snapshot()
        response = _call(client, op, foreign, token_for(role))
        body = response.content.decode("utf-8", "replace")
        if kind == "private":
            assert response.status_code in (403, 404), (op, role, response.status_code, body)
        elif kind == "write":
            assert response.status_code in (403, 404, 409, 422), (op, role, body)
        elif kind == "admin":
            assert response.status_code == 403, (op, role, body)
        elif kind == "filtered":
            assert response.status_code == 200 and FOREIGN not in body, (op, role)
        else:  # catalog, public
            assert response.status_code == 200, (op, role, body)
        assert "internal note" not in body
        assert _snapshot() == before, (op, role)


@pytest.mark.parametrize("op", sorted(MATRIX))
def test_anonymous_callers_get_401_except_on_public_operations(client, demo, foreign, op):
    response = _call(client, op, foreign)
    if MATRIX[op][5] == "public":
        assert response.status_code == 200
        assert "internal note" not in response.content.decode()
    else:
        assert response.status_code == 401, op
        assert response.json()["code"] == "unauthenticated"


def test_the_system_administrator_reaches_the_foreign_unit(client, foreign, token_for):
    for op in ("unit_detail", "values_list", "plan_detail", "works_list", "dhis2_export"):
        assert _call(client, op, foreign, token_for("admin")).status_code == 200, op
    written = _call(client, "values_write", foreign, token_for("admin"))
    assert written.status_code == 200 and written.json()["updated"] == 1
    progress = _call(client, "task_progress", foreign, token_for("admin"))
    assert progress.status_code == 200 and progress.json()["percent"] == 50
