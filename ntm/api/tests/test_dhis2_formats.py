"""DHIS2 as DHIS2 writes it (issue 15, item 5): payloads in DHIS2's formats (fixtures/dhis2),
both directions, and the import summary in DHIS2's envelope, field by field."""

import json
import re
from pathlib import Path

import pytest

from ntm.accounts.models import User
from ntm.api.models import Dhis2FollowUp, Dhis2Mapping
from ntm.api.services import mapping_import
from ntm.demo.values import ADVANCED
from ntm.observations.models import DataValue

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "dhis2"
DHIS2_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$")
CURRENT_HEADER = (
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,"
    "lastupdated,comment,followup,deleted"
)
SETS = "/api/v1/dhis2/dataValueSets"


@pytest.fixture
def mapped(catalog):
    table = (
        "kind,unit,set,code,dhis2_id,dhis2_code,category_option_combo\n"
        "unit,07408,,,OuDuongDuc1,VN_07408,\n"
        f"element,,{ADVANCED},8.4,DeAdvInf84a,,\n"
        f"element,,{ADVANCED},2.1,DeAdvRoad21,,HllvX50cXC0\n"
        f"dataset,,{ADVANCED},,DsAdvanced1,DS_NTM_ADV,\n"
    )
    mapping_import(user=User.objects.get(username="admin"), data=table.encode())
    return catalog


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _stored() -> dict[tuple[str, str], str]:
    return {(v.code, v.period): v.text for v in DataValue.objects.filter(unit__code="07408")}


def _ok_envelope(body: dict, *, strategy: str = "CREATE_AND_UPDATE", dry_run: bool = False):
    """The success envelope, field by field; returns the import summary."""
    assert body["httpStatus"] == "OK"
    assert body["httpStatusCode"] == 200
    assert body["status"] == "OK"
    assert body["message"] == "Import was successful."
    summary = body["response"]
    assert summary["responseType"] == "ImportSummary"
    assert summary["status"] == "SUCCESS"
    assert summary["conflicts"] == [] and summary["rejectedIndexes"] == []
    assert summary["dataSetComplete"] == "false"
    options = summary["importOptions"]
    assert options["importStrategy"] == strategy and options["dryRun"] is dry_run
    assert options["atomicMode"] == "ALL"
    assert "atomicMode ALL" in summary["description"] or dry_run
    return summary


def test_a_payload_in_dhis2s_current_csv_header_imports_unchanged(mapped, api, token_for):
    data = _fixture("current-header.csv")
    assert data.decode().splitlines()[0] == CURRENT_HEADER
    answer = api.post(SETS + ".csv", token_for("xa"), data, "text/csv")
    assert answer.status_code == 200, answer.content
    summary = _ok_envelope(answer.json())
    assert summary["importCount"] == {"imported": 2, "updated": 0, "ignored": 0, "deleted": 0}
    # "t" is DHIS2's true; the comment with a comma survives; 2024S1 is our 2024H1.
    assert _stored() == {("8.4", "2024Q1"): "đạt", ("2.1", "2024H1"): "92.5"}
    marked = Dhis2FollowUp.objects.get()
    assert (marked.value.code, marked.marked_by.username) == ("2.1", "xa")


@pytest.mark.parametrize("name", ["old-header.csv", "positional.csv"])
def test_the_older_header_and_the_positional_form_are_still_read(mapped, api, token_for, name):
    answer = api.post(SETS + ".csv", token_for("xa"), _fixture(name), "application/csv")
    assert answer.status_code == 200, answer.content
    assert answer.json()["response"]["importCount"]["imported"] == 2
    assert _stored() == {("8.4", "2024Q1"): "đạt", ("2.1", "2024H1"): "92.5"}


def test_json_export_import_round_trip_keeps_what_dhis2_keeps(mapped, api, token_for):
    token = token_for("xa")
    payload = json.loads(_fixture("data-value-set.json"))
    first = api.post(SETS, token, payload)
    assert first.status_code == 200, first.content
    assert _ok_envelope(first.json())["importCount"]["imported"] == 2

    exported = api.get(SETS, token, orgUnit="OuDuongDuc1", dataSet=ADVANCED)
    assert exported.status_code == 200 and exported["X-NTM-Unmapped-Values"] == "0"
    values = exported.json()["dataValues"]
    by_element = {v["dataElement"]: v for v in values}
    road = by_element["DeAdvRoad21"]
    assert road["period"] == "2024S1" and road["orgUnit"] == "OuDuongDuc1"
    assert road["categoryOptionCombo"] == road["attributeOptionCombo"] == "HllvX50cXC0"
    assert road["value"] == "92.5" and road["storedBy"] == "xa" and road["followup"] is True
    assert DHIS2_TIME.match(road["created"]) and DHIS2_TIME.match(road["lastUpdated"])
    assert "comment" not in road  # DHIS2 leaves out what is empty, never null
    internet = by_element["DeAdvInf84a"]
    assert internet["value"] == "true" and internet["comment"] == "cổng dịch vụ công"
    assert internet["followup"] is False
    assert all(None not in v.values() for v in values)

    # Sent back unchanged: nothing written, and the export stays the same.
    again = api.post(SETS, token, exported.json())
    assert _ok_envelope(again.json())["importCount"] == {
        "imported": 0,
        "updated": 0,
        "ignored": 2,
        "deleted": 0,
    }
    assert api.get(SETS, token, orgUnit="OuDuongDuc1").json()["dataValues"] == values

    # Clearing the follow-up flag is an update, as in DHIS2.
    road_off = {**road, "followup": False}
    cleared = api.post(SETS, token, {"dataValues": [road_off]}).json()["response"]
    assert cleared["importCount"] == {"imported": 0, "updated": 1, "ignored": 0, "deleted": 0}
    after = api.get(SETS, token, orgUnit="OuDuongDuc1", period="2024S1").json()["dataValues"]
    assert [v["followup"] for v in after] == [False]


def test_csv_export_import_round_trip(mapped, api, token_for):
    token = token_for("xa")
    api.post(SETS + ".csv", token, _fixture("current-header.csv"), "text/csv")
    exported = api.get(SETS + ".csv", token, unit="07408").content.decode()
    lines = exported.splitlines()
    assert lines[0] == CURRENT_HEADER
    rows = [line.split(",") for line in lines[1:]]
    assert {r[0] for r in rows} == {"DeAdvInf84a", "DeAdvRoad21"}
    for r in rows:
        assert len(r) >= 11 and r[3] == r[4] == "HllvX50cXC0" and r[6] == "xa"
        assert DHIS2_TIME.match(r[7]) and r[-1] == "false"
    again = api.post(SETS + ".csv", token, exported.encode(), "text/csv").json()
    assert _ok_envelope(again)["importCount"]["ignored"] == 2
    assert api.get(SETS + ".csv", token, unit="07408").content.decode() == exported


@pytest.mark.parametrize(
    ("spelling", "stored"),
    [
        ("true", "đạt"),
        ("True", "đạt"),
        ("TRUE", "đạt"),
        ("t", "đạt"),
        ("T", "đạt"),
        ("1", "đạt"),
        ("false", "không đạt"),
        ("FALSE", "không đạt"),
        ("f", "không đạt"),
        ("0", "không đạt"),
    ],
)
def test_dhis2_boolean_spellings(mapped, api, token_for, spelling, stored):
    item = {"dataElement": "DeAdvInf84a", "period": "2024Q1", "orgUnit": "OuDuongDuc1"}
    answer = api.post(SETS, token_for("xa"), {"dataValues": [{**item, "value": spelling}]})
    assert answer.status_code == 200, answer.content
    assert _stored() == {("8.4", "2024Q1"): stored}


def test_json_booleans_and_numbers_as_dhis2_clients_send_them(mapped, api, token_for):
    items = [
        {"dataElement": "DeAdvInf84a", "period": "2024Q1", "orgUnit": "OuDuongDuc1", "value": True},
        {"dataElement": "DeAdvRoad21", "period": "2024Q1", "orgUnit": "OuDuongDuc1", "value": 91},
    ]
    answer = api.post(SETS, token_for("xa"), {"dataValues": items})
    assert answer.status_code == 200, answer.content
    assert _stored() == {("8.4", "2024Q1"): "đạt", ("2.1", "2024Q1"): "91"}


def test_the_default_combo_by_uid_name_or_absence(mapped, api, token_for):
    token = token_for("xa")
    base = {"dataElement": "DeAdvRoad21", "orgUnit": "OuDuongDuc1", "value": "90"}
    for period, combo in [("2024Q1", "HllvX50cXC0"), ("2024Q2", "default"), ("2024Q3", None)]:
        item = {**base, "period": period}
        if combo is not None:
            item["categoryOptionCombo"] = combo
        answer = api.post(SETS, token, {"dataValues": [item]})
        assert answer.status_code == 200, (combo, answer.content)
    other = {**base, "period": "2024Q4", "attributeOptionCombo": "AocPartner1"}
    refused = api.post(SETS, token, {"dataValues": [other]})
    assert refused.status_code == 409
    conflict = refused.json()["response"]["conflicts"][0]
    assert (conflict["object"], conflict["errorCode"], conflict["property"]) == (
        "AocPartner1",
        "E7615",
        "attributeOptionCombo",
    )


def test_dhis2_periods_on_input_and_a_refusal_naming_the_type(mapped, api, token_for):
    token = token_for("xa")
    api.post(SETS + ".csv", token, _fixture("current-header.csv"), "text/csv")
    half = api.get(SETS, token, orgUnit="OuDuongDuc1", period="2024S1")
    assert half.status_code == 200
    assert [(v["dataElement"], v["period"]) for v in half.json()["dataValues"]] == [
        ("DeAdvRoad21", "2024S1")
    ]
    assert api.get(SETS, token, unit="07408", period="2024H1").json() == half.json()
    second_half = api.get(SETS, token, orgUnit="OuDuongDuc1", period="2024S2")
    assert second_half.status_code == 200 and second_half.json()["dataValues"] == []
    csv_half = api.get(SETS + ".csv", token, orgUnit="OuDuongDuc1", period="2024S1")
    assert csv_half["Content-Disposition"] == 'attachment; filename="dataValueSets-OuDuongDuc1.csv"'
    assert len(csv_half.content.decode().splitlines()) == 2
    year = api.get(SETS, token, unit="07408", period="2024").json()["dataValues"]
    assert year == []  # no yearly value stored
    for period, kind in [("202401", "Monthly"), ("2024W1", "Weekly"), ("2024AprilS1", "April")]:
        refused = api.get(SETS, token, unit="07408", period=period)
        assert refused.status_code == 422, period
        assert refused.json()["code"] == "invalid_period" and kind in refused.json()["detail"]
    item = {"dataElement": "DeAdvRoad21", "orgUnit": "OuDuongDuc1", "value": "90"}
    weekly = api.post(SETS, token, {"dataValues": [{**item, "period": "2024W1"}]})
    conflict = weekly.json()["response"]["conflicts"][0]
    assert (conflict["object"], conflict["errorCode"], conflict["property"]) == (
        "2024W1",
        "E7632",
        "period",
    )
    assert "Weekly" in conflict["value"]


def test_query_parameters_as_dhis2_names_them(mapped, api, token_for):
    api.post(SETS + ".csv", token_for("xa"), _fixture("current-header.csv"), "text/csv")
    admin = token_for("admin")

    def elements(**params):
        answer = api.get(SETS, admin, **params)
        assert answer.status_code == 200, answer.content
        return sorted(v["dataElement"] for v in answer.json()["dataValues"])

    quarter = {"startDate": "2024-01-01", "endDate": "2024-03-31"}
    assert elements(orgUnit="OuDuongDuc1", **quarter) == ["DeAdvInf84a"]
    assert elements(orgUnit="VN_07408", startDate="2024-01-01", endDate="2024-06-30") == [
        "DeAdvInf84a",
        "DeAdvRoad21",
    ]
    # Our district code, in force in 2024 (the 2025 reform ended the districts).
    district = Dhis2Mapping.objects.get(kind="unit").unit.parent
    half = {"startDate": "2024-01-01", "endDate": "2024-06-30"}
    assert elements(orgUnit=district.code, dataSet=ADVANCED, **half) == []
    assert elements(orgUnit=district.code, dataSet=ADVANCED, children="true", **half) == [
        "DeAdvInf84a",
        "DeAdvRoad21",
    ]
    assert elements(unit=district.code, subtree="true", period="2024S1") == ["DeAdvRoad21"]
    # dataSet: a mapped DHIS2 data set by UID or code, or our set code.
    for data_set in ("DsAdvanced1", "DS_NTM_ADV", ADVANCED):
        assert elements(orgUnit="OuDuongDuc1", dataSet=data_set) == ["DeAdvInf84a", "DeAdvRoad21"]
    unknown = api.get(SETS, admin, orgUnit="OuDuongDuc1", dataSet="DsUnknown01")
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_set"
    # period takes precedence over the dates, as in DHIS2.
    assert elements(orgUnit="OuDuongDuc1", period="2024S1", **quarter) == ["DeAdvRoad21"]
    for params in [{}, {"orgUnit": "OuDuongDuc1", "unit": "07408"}]:
        assert api.get(SETS, admin, **params).json()["code"] == "org_unit_required"
    gone = api.get(SETS, admin, unit=district.code, startDate="2026-01-01", endDate="2026-03-31")
    assert gone.status_code == 404 and gone.json()["code"] == "unit_not_in_period"
    only_start = api.get(SETS, admin, orgUnit="OuDuongDuc1", startDate="2024-01-01")
    assert only_start.status_code == 422 and only_start.json()["code"] == "invalid_dates"
    # Another commune's officer does not see this organisation unit.
    assert api.get(SETS, token_for("thon"), orgUnit="OuDuongDuc1").status_code in (403, 404)


def test_a_refused_file_in_dhis2s_envelope_field_by_field(mapped, api, token_for):
    payload = {
        "dataValues": [
            {
                "dataElement": "DeAdvRoad21",
                "period": "2024Q1",
                "orgUnit": "OuDuongDuc1",
                "value": "90",
            },
            {
                "dataElement": "DeUnknown00",
                "period": "2024Q1",
                "orgUnit": "OuDuongDuc1",
                "value": "1",
            },
            {
                "dataElement": "DeUnknown00",
                "period": "2024Q2",
                "orgUnit": "OuDuongDuc1",
                "value": "1",
            },
            {
                "dataElement": "DeAdvRoad21",
                "period": "2024Q2",
                "orgUnit": "OuNowhere01",
                "value": "5",
            },
        ]
    }
    answer = api.post(SETS, token_for("xa"), payload)
    assert answer.status_code == 409
    body = answer.json()
    assert body["httpStatus"] == "Conflict"
    assert body["httpStatusCode"] == 409
    assert body["status"] == "ERROR"
    assert body["message"]
    summary = body["response"]
    assert summary["responseType"] == "ImportSummary"
    assert summary["status"] == "ERROR"
    assert summary["importOptions"]["atomicMode"] == "ALL"
    assert summary["importOptions"]["importStrategy"] == "CREATE_AND_UPDATE"
    assert "2" in summary["description"] and "ALL" in summary["description"]
    # DHIS2 counts every value not written as ignored: all of them, since none is.
    assert summary["importCount"] == {"imported": 0, "updated": 0, "ignored": 4, "deleted": 0}
    assert [{k: v for k, v in c.items() if k != "value"} for c in summary["conflicts"]] == [
        {
            "object": "DeUnknown00",
            "errorCode": "E7610",
            "property": "dataElement",
            "indexes": [1, 2],
        },
        {"object": "OuNowhere01", "errorCode": "E7612", "property": "orgUnit", "indexes": [3]},
    ]
    assert all(c["value"] for c in summary["conflicts"])  # the reason, for people
    assert summary["rejectedIndexes"] == [1, 2, 3]
    assert _stored() == {}  # the valid first value was not written either


def test_dry_run_counts_and_writes_nothing(mapped, api, token_for):
    answer = api.post(
        SETS + ".csv", token_for("xa"), _fixture("current-header.csv"), "text/csv", dryRun="true"
    )
    assert answer.status_code == 200
    summary = _ok_envelope(answer.json(), dry_run=True)
    assert summary["importCount"]["imported"] == 2
    assert _stored() == {}


def test_create_and_update_strategies_ignore_what_they_do_not_touch(mapped, api, token_for):
    token = token_for("xa")
    item = {"dataElement": "DeAdvRoad21", "period": "2024Q1", "orgUnit": "OuDuongDuc1"}
    update_new = api.post(
        SETS, token, {"dataValues": [{**item, "value": "90"}]}, importStrategy="UPDATE"
    )
    assert update_new.json()["response"]["importCount"]["ignored"] == 1 and _stored() == {}
    api.post(SETS, token, {"dataValues": [{**item, "value": "90"}]}, importStrategy="CREATE")
    create_old = api.post(
        SETS, token, {"dataValues": [{**item, "value": "95"}]}, importStrategy="CREATE"
    )
    assert create_old.json()["response"]["importCount"] == {
        "imported": 0,
        "updated": 0,
        "ignored": 1,
        "deleted": 0,
    }
    assert _stored() == {("2.1", "2024Q1"): "90"}
    bad = api.post(SETS, token, {"dataValues": [item]}, importStrategy="MERGE")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_import_strategy"


def test_delete_strategy_and_deleted_true_go_through_value_remove(mapped, api, token_for):
    token = token_for("xa")
    api.post(SETS + ".csv", token, _fixture("current-header.csv"), "text/csv")

    def criterion_8() -> object:
        result = api.get("/api/v1/results", token, unit="07408", set=ADVANCED, period="2024Q1")
        body = result.json()
        return [c for c in body.get("criteria", []) if c["number"] == 8], body.get("code")

    before = criterion_8()
    exported = api.get(SETS + ".csv", token, unit="07408").content
    # A dry run counts the deletions and keeps the values.
    dry = api.post(
        SETS + ".csv", token, exported, "text/csv", importStrategy="DELETE", dryRun="true"
    )
    assert dry.json()["response"]["importCount"]["deleted"] == 2 and len(_stored()) == 2

    item = {"dataElement": "DeAdvInf84a", "period": "2024Q1", "orgUnit": "OuDuongDuc1"}
    one = api.post(SETS, token, {"dataValues": [{**item, "deleted": True}]})
    assert _ok_envelope(one.json())["importCount"] == {
        "imported": 0,
        "updated": 0,
        "ignored": 0,
        "deleted": 1,
    }
    assert _stored() == {("2.1", "2024H1"): "92.5"}
    # The action refreshed the results: criterion 8 of 2024Q1 no longer has its 8.4.
    assert criterion_8() != before
    rest = api.post(SETS + ".csv", token, exported, "text/csv", importStrategy="DELETE").json()
    assert _ok_envelope(rest, strategy="DELETE")["importCount"] == {
        "imported": 0,
        "updated": 0,
        "ignored": 1,  # already deleted: nothing to do
        "deleted": 1,
    }
    assert _stored() == {}


def test_an_approved_value_is_not_deleted_and_nothing_else_is(mapped, api, token_for):
    token = token_for("xa")
    api.post(SETS + ".csv", token, _fixture("current-header.csv"), "text/csv")
    DataValue.objects.filter(code="2.1").update(status="approved")
    exported = api.get(SETS + ".csv", token, unit="07408").content
    refused = api.post(SETS + ".csv", token, exported, "text/csv", importStrategy="DELETE")
    assert refused.status_code == 409
    conflict = refused.json()["response"]["conflicts"][0]
    assert (conflict["object"], conflict["errorCode"], conflict["property"]) == (
        "DeAdvRoad21",
        "E7642",
        "value",
    )
    assert len(_stored()) == 2  # all or nothing: 8.4 is kept too
    # Writing an approved value is refused with the same code.
    changed = exported.replace(b",92.5,", b",93,")
    written = api.post(SETS + ".csv", token, changed, "text/csv").json()["response"]
    assert [(c["object"], c["errorCode"]) for c in written["conflicts"]] == [
        ("DeAdvRoad21", "E7642")
    ]


def test_stored_by_is_the_caller_and_the_summary_says_so(mapped, api, token_for):
    item = {
        "dataElement": "DeAdvRoad21",
        "period": "2024Q1",
        "orgUnit": "OuDuongDuc1",
        "value": "90",
        "storedBy": "dhis2-admin",
        "created": "2024-04-01T08:00:00.000",
        "lastUpdated": "2024-04-01T08:00:00.000",
    }
    answer = api.post(SETS, token_for("xa"), {"dataValues": [item]})
    assert "dhis2-admin" in _ok_envelope(answer.json())["description"]
    assert DataValue.objects.get().updated_by.username == "xa"


def test_our_own_api_writes_one_timestamp_form(mapped, api, token_for):
    token = token_for("xa")
    api.post(SETS + ".csv", token, _fixture("current-header.csv"), "text/csv")
    ours = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
    items = api.get("/api/v1/values", token, unit="07408").json()["items"]
    assert items and all(ours.match(v["updated_at"]) for v in items)
    result = api.get("/api/v1/results", token, unit="07408", set=ADVANCED, period="2024Q1").json()
    assert ours.match(result["computed_at"])


def test_csv_header_columns_by_name_unknown_ones_skipped_missing_ones_refused(
    mapped, api, token_for
):
    token = token_for("xa")
    # Columns in another order, with one DHIS2 adds and we do not read.
    reordered = (
        "orgunit,period,dataelement,value,comment,created,sourceid\n"
        "OuDuongDuc1,2024Q1,DeAdvRoad21,88,đo lại,2024-04-01T08:00:00.000,X1\n"
    )
    answer = api.post(SETS + ".csv", token, reordered.encode(), "text/csv")
    assert answer.status_code == 200, answer.content
    assert _stored() == {("2.1", "2024Q1"): "88"}
    assert DataValue.objects.get().note == "đo lại"
    lacking = "dataelement,value\nDeAdvRoad21,88\n"
    refused = api.post(SETS + ".csv", token, lacking.encode(), "text/csv")
    assert refused.status_code == 400 and refused.json()["code"] == "bad_file"
    assert "period" in refused.json()["detail"] and "orgunit" in refused.json()["detail"]


def test_outside_the_callers_units_existence_is_not_told(mapped, api, token_for):
    api.post(SETS + ".csv", token_for("xa"), _fixture("current-header.csv"), "text/csv")
    exported = api.get(SETS, token_for("xa"), unit="07408").json()
    missing = {**exported["dataValues"][0], "period": "2023Q1"}
    probe = {"dataValues": [*exported["dataValues"], missing]}
    for strategy in ("DELETE", "UPDATE"):
        answer = api.post(SETS, token_for("thon"), probe, importStrategy=strategy, dryRun="true")
        assert answer.status_code == 409
        summary = answer.json()["response"]
        # One conflict for every value, stored or not: nothing tells them apart.
        assert [(c["errorCode"], c["indexes"]) for c in summary["conflicts"]] == [
            ("E7617", [0, 1, 2])
        ]
    assert len(_stored()) == 2
