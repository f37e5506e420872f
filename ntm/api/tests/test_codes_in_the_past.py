"""A code and a period name the unit that had the code during that period: the 2025 reform
gave code 24 (tỉnh Bắc Giang) to the new tỉnh Bắc Ninh, and 07420 (xã Mỹ Thái of Lạng Giang)
to the merged xã Mỹ Thái of Bắc Ninh."""

import pytest

from ntm.api.tests.test_values_and_results import ADVANCED, COMMUNE_2024Q4, _csv


def test_a_reused_province_code_with_a_2024_period_names_the_old_province(catalog, api, token_for):
    api.post("/api/v1/values.csv", token_for("xa"), _csv(COMMUNE_2024Q4, "2024Q4"), "text/csv")
    province = token_for("tinh")
    rollup = api.get(
        "/api/v1/results/rollup",
        province,
        unit="24",
        set=ADVANCED,
        period="2024Q4",
        basis="working",  # the values posted are drafts
    )
    assert rollup.status_code == 200, rollup.content
    # Dương Đức belonged to Bắc Giang; it never belonged to Bắc Ninh.
    assert "07408" in [u["unit"] for u in rollup.json()["units"] if u["met"] is not None]
    # Without a period the code names today's unit, tỉnh Bắc Ninh, outside tinh's scope.
    today = api.get("/api/v1/results/rollup", province, unit="24", set=ADVANCED, basis="working")
    assert today.status_code == 404


def test_a_commune_code_resolves_per_period_and_a_code_absent_then_is_a_clear_404(
    catalog, api, token_for
):
    token = token_for("xa")
    api.post("/api/v1/values.csv", token, _csv(COMMUNE_2024Q4, "2024Q4"), "text/csv")
    found = api.get("/api/v1/results", token, unit="07408", set=ADVANCED, period="2024Q4")
    assert found.status_code == 200 and found.json()["unit_name"] == "Xã Dương Đức"
    # The period as officials write it names the same result.
    spoken = api.get("/api/v1/results", token, unit="07408", set=ADVANCED, period="Quý IV/2024")
    assert spoken.status_code == 200 and spoken.json()["period"] == "2024Q4"
    # Dương Đức ended on 30/06/2025: no unit had its code in 2026.
    gone = api.get("/api/v1/results", token, unit="07408", set=ADVANCED, period="2026Q1")
    assert gone.status_code == 404 and gone.json()["code"] == "unit_not_in_period"
    values = api.get("/api/v1/values", token, unit="07420", period="2026Q1")
    assert values.status_code == 404  # today's Mỹ Thái (Bắc Ninh) is not xa's


# A reform built small (conftest ``reform``): 14758 was Phường Đông Thọ until 30/06/2025 and is
# Phường Hàm Rồng from 01/07/2025, the measured case of issue 12 (166 of 547 Thanh Hóa codes).
SMALL = "xa-thu-nghiem"
OLD_2024Q4 = {
    "1.1": "85",
    "1.2": "đạt",
    "households": "1000",
    "poor_households": "20",
    "3": "không đạt",
}
NEW_2025Q4 = {"1.1": "85", "1.2": "đạt", "households": "2000", "poor_households": "20", "3": "đạt"}


def _rows(values: dict[str, str], period: str, unit: str = "14758") -> list[dict[str, str]]:
    return [
        {"unit": unit, "set": SMALL, "code": c, "period": period, "value": v}
        for c, v in values.items()
    ]


@pytest.fixture
def stored(reform, small_set, api, token_for):
    """Đông Thọ's values and result for 2024Q4, Hàm Rồng's for 2025Q4, both under code 14758."""
    for user, values, period in [
        ("dongtho", OLD_2024Q4, "2024Q4"),
        ("hamrong", NEW_2025Q4, "2025Q4"),
    ]:
        written = api.post("/api/v1/values", token_for(user), {"values": _rows(values, period)})
        assert written.status_code == 200, written.content
    return reform


def test_results_of_a_reused_code_in_2024q4_are_the_old_wards_and_in_2025q4_the_new_ones(
    stored, api, token_for
):
    token = token_for("thanhhoa")
    old = api.get("/api/v1/results", token, unit="14758", set=SMALL, period="2024Q4")
    assert old.status_code == 200, old.content
    assert (old.json()["unit_name"], old.json()["met"], old.json()["as_of_period"]) == (
        "Phường Đông Thọ",
        2,
        "2024Q4",
    )
    new = api.get("/api/v1/results", token, unit="14758", set=SMALL, period="2025Q4")
    assert (new.json()["unit_name"], new.json()["met"]) == ("Phường Hàm Rồng", 3)
    # Without a period, today's unit as before.
    assert api.get("/api/v1/results", token, unit="14758", set=SMALL).json()["unit_name"] == (
        "Phường Hàm Rồng"
    )
    # The rollup of the province in 2024Q4 lists the old wards; in 2025Q4 the new one.
    # Working figures: the values posted are drafts.
    rollup = api.get(
        "/api/v1/results/rollup", token, unit="38", set=SMALL, period="2024Q4", basis="working"
    ).json()
    assert {(u["name"], u["met"]) for u in rollup["units"]} == {
        ("Phường Đông Thọ", 2),
        ("Phường Nam Ngạn", None),
    }
    later = api.get(
        "/api/v1/results/rollup", token, unit="38", set=SMALL, period="2025Q4", basis="working"
    ).json()
    assert [(u["name"], u["met"]) for u in later["units"]] == [("Phường Hàm Rồng", 3)]


def test_values_of_a_reused_code_follow_the_period(stored, api, token_for):
    token = token_for("thanhhoa")
    old = api.get("/api/v1/values", token, unit="14758", period="2024Q4").json()["items"]
    assert {(v["code"], v["value"]) for v in old} == set(OLD_2024Q4.items())
    new = api.get("/api/v1/values", token, unit="14758", period="2025Q4").json()["items"]
    assert {(v["code"], v["value"]) for v in new} == set(NEW_2025Q4.items())
    # Today's Hàm Rồng has no 2024Q4 values: the old ward's are the answer.
    lines = api.get("/api/v1/values.csv", token, unit="14758", period="2024Q4").content.splitlines()
    assert len(lines) == 1 + len(OLD_2024Q4)
    assert all(
        line.startswith(b"14758,xa-thu-nghiem,") and b",2024Q4," in line for line in lines[1:]
    )


def test_a_ward_officer_reads_their_old_ward_by_code_and_nothing_of_the_new_one(
    stored, api, token_for
):
    token = token_for("dongtho")
    mine = api.get("/api/v1/results", token, unit="14758", set=SMALL, period="2024Q4")
    assert mine.status_code == 200 and mine.json()["unit_name"] == "Phường Đông Thọ"
    assert api.get("/api/v1/values", token, unit="14758", period="2024Q4").status_code == 200
    # The same code in 2025Q4 (or without a period) is Hàm Rồng, outside their scope.
    for params in [{"period": "2025Q4"}, {}]:
        refused = api.get("/api/v1/results", token, unit="14758", set=SMALL, **params)
        assert refused.status_code == 404, params


@pytest.mark.parametrize("user", ["hamrong", "namngan"])
def test_officers_of_another_ward_get_404_for_the_old_ward_as_before(stored, api, token_for, user):
    token = token_for(user)
    for path, params in [
        ("/api/v1/results", {"set": SMALL}),
        ("/api/v1/results/rollup", {"set": SMALL}),
        ("/api/v1/values", {}),
        ("/api/v1/values.csv", {}),
        ("/api/v1/dhis2/dataValueSets", {}),
        ("/api/v1/units/14758/works", {}),
        ("/api/v1/units/14758/mobilisation", {}),
    ]:
        if "/units/" in path:
            params = {"year": 2024}
        else:
            params = {**params, "unit": "14758", "period": "2024Q4"}
        response = api.get(path, token, **params)
        assert response.status_code == 404, (path, response.content)
    # Hàm Rồng's officer still reads their own ward by the same code.
    own = api.get("/api/v1/results", token_for("hamrong"), unit="14758", set=SMALL, period="2025Q4")
    assert own.status_code == 200


def test_writing_in_another_wards_period_is_refused_by_code(stored, api, token_for):
    # Hàm Rồng's officer writing 14758 for 2024Q4 writes Đông Thọ's data: not theirs.
    refused = api.post(
        "/api/v1/values", token_for("hamrong"), {"values": _rows({"3": "đạt"}, "2024Q4")}
    )
    assert refused.status_code == 422, refused.content
    assert "14758" in refused.json()["errors"][0]["message"]
    old = api.get("/api/v1/values", token_for("thanhhoa"), unit="14758", period="2024Q4")
    assert {v["code"]: v["value"] for v in old.json()["items"]}["3"] == "không đạt"


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        (
            "/api/v1/results",
            {"unit": "14755", "set": SMALL, "period": "2025Q4"},
            404,
            "unit_not_in_period",
        ),
        ("/api/v1/values", {"unit": "14755", "period": "2026"}, 404, "unit_not_in_period"),
        (
            "/api/v1/dhis2/dataValueSets",
            {"unit": "14755", "period": "2025Q3"},
            404,
            "unit_not_in_period",
        ),
        ("/api/v1/units/14755/works", {"year": 2026}, 404, "unit_not_in_period"),
        ("/api/v1/units/14755/mobilisation", {"year": 2026}, 404, "unit_not_in_period"),
        ("/api/v1/results", {"unit": "99999", "set": SMALL, "period": "2024Q4"}, 404, "not_found"),
        ("/api/v1/values", {"unit": "14758", "period": "2024Q5"}, 422, "invalid_period"),
    ],
)
def test_a_code_nobody_had_in_the_period_is_a_4xx_with_a_reason(
    stored, api, token_for, path, params, status, code
):
    response = api.get(path, token_for("thanhhoa"), **params)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    if code == "unit_not_in_period":
        assert "14755" in response.json()["detail"]


def _work(unit, year: int, name: str):
    from ntm.accounts.models import User
    from ntm.finance.services import work_create

    admin = User.objects.get(username="thanhhoa")
    return work_create(user=admin, unit=unit, year=year, kind="road", name=name)


def test_works_and_mobilisation_of_a_year_name_the_unit_that_had_the_code_that_year(
    stored, api, token_for
):
    _work(stored["old"], 2024, "Đường Đông Thọ")
    _work(stored["new"], 2025, "Đường Hàm Rồng")
    token = token_for("thanhhoa")
    works_2024 = api.get("/api/v1/units/14758/works", token, year=2024)
    assert [w["name"] for w in works_2024.json()] == ["Đường Đông Thọ"]
    works_2025 = api.get("/api/v1/units/14758/works", token, year=2025)
    assert [w["name"] for w in works_2025.json()] == ["Đường Hàm Rồng"]
    assert api.get("/api/v1/units/14758/mobilisation", token, year=2024).status_code == 200
    # Đông Thọ's officer reads their 2024 works by code, not Hàm Rồng's 2025 ones.
    officer = token_for("dongtho")
    assert api.get("/api/v1/units/14758/works", officer, year=2024).status_code == 200
    assert api.get("/api/v1/units/14758/works", officer, year=2025).status_code == 404


def test_the_public_page_with_a_year_is_the_unit_that_had_the_code_that_year(stored, client):
    def name(**params):
        response = client.get("/api/v1/public/units/14758", params)
        assert response.status_code == 200, response.content
        return response.json()["name"]

    assert name(year=2024) == "Phường Đông Thọ"
    assert name(year=2025) == "Phường Hàm Rồng"
    assert name() == "Phường Hàm Rồng"
    # A day still chooses the version, whatever the year.
    assert name(on="2025-01-01", year=2025) == "Phường Đông Thọ"
    gone = client.get("/api/v1/public/units/14755", {"year": 2026})
    assert gone.status_code == 404 and gone.json()["code"] == "unit_not_in_period"


def _map_unit(unit, ident: str) -> None:
    from ntm.api.models import Dhis2Kind, Dhis2Mapping

    Dhis2Mapping.objects.create(kind=Dhis2Kind.UNIT, unit=unit, dhis2_id=ident)


def _map_element(code: str, ident: str) -> None:
    from ntm.api.models import Dhis2Kind, Dhis2Mapping
    from ntm.catalog.models import CriteriaSet

    family = CriteriaSet.objects.get(code=SMALL)
    Dhis2Mapping.objects.create(
        kind=Dhis2Kind.ELEMENT, criteria_set=family, code=code, dhis2_id=ident
    )


def test_dhis2_export_and_import_keep_a_reused_code_apart_by_period(stored, api, token_for):
    _map_unit(stored["old"], "OuDongTho01")
    _map_unit(stored["new"], "OuHamRong01")
    _map_element("3", "DeRadio0001")
    token = token_for("thanhhoa")
    old = api.get("/api/v1/dhis2/dataValueSets", token, unit="14758", period="2024Q4")
    assert [(v["orgUnit"], v["period"], v["value"]) for v in old.json()["dataValues"]] == [
        ("OuDongTho01", "2024Q4", "false")
    ]
    new = api.get("/api/v1/dhis2/dataValueSets", token, unit="14758", period="2025Q4")
    assert [(v["orgUnit"], v["value"]) for v in new.json()["dataValues"]] == [
        ("OuHamRong01", "true")
    ]

    # Each organisation unit writes its own unit in its own periods.
    ok = {
        "dataValues": [
            {
                "dataElement": "DeRadio0001",
                "period": "2024Q3",
                "orgUnit": "OuDongTho01",
                "value": "true",
            }
        ]
    }
    answer = api.post("/api/v1/dhis2/dataValueSets", token, ok).json()
    assert answer["response"]["status"] == "SUCCESS"
    written = api.get("/api/v1/values", token, unit="14758", period="2024Q3").json()["items"]
    assert [(v["code"], v["value"]) for v in written] == [("3", "đạt")]
    # Hàm Rồng's organisation unit with a 2024 period would land in Đông Thọ by code: refused,
    # and so is Đông Thọ's with a period after it ended.
    for org, period in [
        ("OuHamRong01", "2024Q4"),
        ("OuDongTho01", "2025Q4"),
        ("OuDongTho01", "2025"),
    ]:
        item = {"dataElement": "DeRadio0001", "period": period, "orgUnit": org, "value": "true"}
        refused = api.post("/api/v1/dhis2/dataValueSets", token, {"dataValues": [item]})
        assert refused.status_code == 409, (org, period)
        conflict = refused.json()["response"]["conflicts"][0]
        assert conflict["object"] == org and "14758" in conflict["value"]
        assert (conflict["errorCode"], conflict["property"]) == ("E7612", "orgUnit")
    stored_old = api.get("/api/v1/values", token, unit="14758", period="2024Q4").json()["items"]
    assert {v["code"]: v["value"] for v in stored_old}["3"] == "không đạt"
