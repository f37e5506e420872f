"""The issue's scenario and the data paths: tokens, values in and out, results, ETag, DHIS2."""

import json

import pytest

from ntm.demo.values import ADVANCED, COMMUNE_2024Q1, COMMUNE_2024Q4

pytestmark = pytest.mark.django_db


def _csv(values: dict[str, str], period: str, unit: str = "07408") -> bytes:
    lines = ["unit,set,code,period,value,note"]
    lines += [f'{unit},{ADVANCED},{code},{period},"{value}",' for code, value in values.items()]
    return ("\n".join(lines) + "\n").encode()


def test_a_script_with_a_token_uploads_a_quarter_and_reads_back_13_of_19(catalog, api, token_for):
    token = token_for("xa")
    first = api.post("/api/v1/values.csv", token, _csv(COMMUNE_2024Q1, "2024Q1"), "text/csv")
    assert first.status_code == 200, first.content
    assert first.json()["created"] == len(COMMUNE_2024Q1)
    q1 = api.get("/api/v1/results", token, unit="07408", set=ADVANCED, period="2024Q1").json()
    assert (q1["met"], q1["total"]) == (12, 19)

    rows = [
        {"unit": "07408", "set": ADVANCED, "code": c, "period": "2024Q4", "value": v}
        for c, v in COMMUNE_2024Q4.items()
    ]
    second = api.post("/api/v1/values", token, {"values": rows})
    assert second.status_code == 200, second.content
    q4 = api.get("/api/v1/results", token, unit="07408", set=ADVANCED, period="2024Q4").json()
    assert (q4["met"], q4["total"], q4["as_of_period"]) == (13, 19, "2024Q4")
    criterion_8 = next(c for c in q4["criteria"] if c["number"] == 8)
    assert criterion_8["status"] == "met"


def test_a_read_only_token_cannot_write(catalog, api, token_for):
    from ntm.observations.models import DataValue

    token = token_for("xa", read_only=True)
    response = api.post("/api/v1/values.csv", token, _csv({"8.4": "đạt"}, "2024Q1"), "text/csv")
    assert response.status_code == 403
    assert response.json()["code"] == "read_only_token"
    assert not DataValue.objects.exists()
    assert api.get("/api/v1/units/07408", token).status_code == 200


def test_a_revoked_or_wrong_token_is_refused_and_only_the_hash_is_stored(catalog, api):
    from ntm.accounts.models import User
    from ntm.api.models import ApiToken
    from ntm.api.services import token_create, token_revoke

    created = token_create(user=User.objects.get(username="xa"), name="script")
    stored = ApiToken.objects.get()
    secret = created.key.rsplit("_", 1)[1]
    assert secret not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert stored.key_hash != created.key and len(stored.key_hash) == 64
    header = f"Bearer {created.key}"
    assert api.get("/api/v1/units", header).status_code == 200
    assert api.get("/api/v1/units", header[:-2] + "xx").json()["code"] == "invalid_token"
    token_revoke(user=stored.user, token=stored)
    response = api.get("/api/v1/units", header)
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"
    assert api.get("/api/v1/units").status_code == 401


def test_csv_round_trip_is_lossless(catalog, api, token_for):
    token = token_for("xa")
    upload = _csv(COMMUNE_2024Q1, "2024Q1")
    assert api.post("/api/v1/values.csv", token, upload, "text/csv").status_code == 200
    exported = api.get("/api/v1/values.csv", token, unit="07408", set=ADVANCED).content
    assert exported.startswith(b"\xef\xbb\xbfunit,set,code,period,value,note")
    # The export imported again changes nothing, and exports the same bytes.
    again = api.post("/api/v1/values.csv", token, exported, "text/csv").json()
    assert again["unchanged"] == len(COMMUNE_2024Q1) and again["created"] == again["updated"] == 0
    assert api.get("/api/v1/values.csv", token, unit="07408", set=ADVANCED).content == exported
    listed = api.get("/api/v1/values", token, unit="07408", period="2024Q1", limit=1000).json()
    assert listed["count"] == len(COMMUNE_2024Q1)
    assert {i["code"]: i["value"] for i in listed["items"]}["3.1"] == "93.5"


def test_writes_are_all_or_nothing_with_row_errors(catalog, api, token_for):
    from ntm.observations.models import DataValue

    token = token_for("xa")
    rows = [
        {"unit": "07408", "set": ADVANCED, "code": "2.1", "period": "2024Q1", "value": "92"},
        {"unit": "07408", "set": ADVANCED, "code": "2.1", "period": "2024Q2", "value": "9" * 30},
        {"unit": "07408", "set": ADVANCED, "code": "nope", "period": "2024Q1", "value": "1"},
    ]
    response = api.post("/api/v1/values", token, {"values": rows})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "import_refused"
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "value"), (4, "code")]
    assert not DataValue.objects.exists()
    dry = api.post("/api/v1/values", token, {"values": rows[:1], "dry_run": True}).json()
    assert dry["dry_run"] and dry["created"] == 1 and not DataValue.objects.exists()


def test_results_carry_an_etag_and_answer_304(catalog, api, token_for):
    token = token_for("xa")
    api.post("/api/v1/values.csv", token, _csv(COMMUNE_2024Q1, "2024Q1"), "text/csv")
    params = {"unit": "07408", "set": ADVANCED, "period": "2024Q4"}
    first = api.get("/api/v1/results", token, **params)
    etag = first["ETag"]
    same = api.get("/api/v1/results", token, headers={"If-None-Match": etag}, **params)
    assert same.status_code == 304 and same.content == b""
    api.post("/api/v1/values.csv", token, _csv(COMMUNE_2024Q4, "2024Q4"), "text/csv")
    changed = api.get("/api/v1/results", token, headers={"If-None-Match": etag}, **params)
    assert changed.status_code == 200 and changed.json()["met"] == 13
    province = token_for("tinh")
    rollup = api.get(
        "/api/v1/results/rollup",
        province,
        unit="217",
        set=ADVANCED,
        period="2024Q4",
        basis="working",
    )
    assert rollup.status_code == 200, rollup.content
    body = rollup.json()
    assert body["basis"] == "working"
    assert [(u["unit"], u["met"]) for u in body["units"] if u["met"] is not None] == [("07408", 13)]
    assert next(c for c in body["criteria"] if c["number"] == 8)["met"] == 1
    cached = api.get(
        "/api/v1/results/rollup",
        province,
        headers={"If-None-Match": rollup["ETag"]},
        unit="217",
        set=ADVANCED,
        period="2024Q4",
        basis="working",
    )
    assert cached.status_code == 304
    # The approved figures are another answer (none yet: the values are drafts).
    approved = api.get(
        "/api/v1/results/rollup",
        province,
        headers={"If-None-Match": rollup["ETag"]},
        unit="217",
        set=ADVANCED,
        period="2024Q4",
    )
    assert approved.status_code == 200 and approved.json()["basis"] == "approved"
    assert approved.json()["reported"] == 0
    assert (body["count"], body["reported"], body["met_all"]) == (len(body["units"]), 1, 0)
    # A page of one unit: the counts still cover every commune of the district.
    first = api.get(
        "/api/v1/results/rollup",
        province,
        unit="217",
        set=ADVANCED,
        period="2024Q4",
        basis="working",
        limit=1,
        offset=body["units"].index(next(u for u in body["units"] if u["unit"] == "07408")),
    ).json()
    assert [u["unit"] for u in first["units"]] == ["07408"]
    assert first["criteria"] == body["criteria"] and first["count"] == body["count"]


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        (
            "/api/v1/results",
            {"unit": "07408", "set": ADVANCED, "period": "2024Q9"},
            "invalid_period",
        ),
        ("/api/v1/results", {"unit": "07408", "set": "no-such-set"}, "unknown_set"),
        ("/api/v1/units", {"limit": 10**30}, "invalid_input"),
        ("/api/v1/units", {"as_of": "2024-02-30"}, "invalid_input"),
        ("/api/v1/units/99999", {}, "not_found"),
        ("/api/v1/values", {}, "invalid_input"),
        ("/api/v1/units/07408/works", {"year": 99999999999}, "invalid_input"),
    ],
)
def test_bad_input_gets_a_4xx_with_a_reason(catalog, api, token_for, path, params, code):
    response = api.get(path, token_for("xa"), **params)
    assert 400 <= response.status_code < 500
    assert response.json()["code"] == code


def test_bad_bodies_get_a_4xx(catalog, api, token_for):
    token = token_for("xa")
    assert api.post("/api/v1/values", token, b"{not json").status_code == 400
    nul = {
        "values": [
            {"unit": "07408", "set": ADVANCED, "code": "1.1", "period": "2024Q1", "value": "a\x00"}
        ]
    }
    assert api.post("/api/v1/values", token, nul).json()["code"] == "invalid_input"
    wrong_type = api.post("/api/v1/values.csv", token, b"unit\n", content_type="application/json")
    assert wrong_type.json()["code"] == "bad_content_type"
    missing = api.post("/api/v1/values.csv", token, b"a,b\n1,2\n", "text/csv")
    assert missing.status_code == 422 and missing.json()["code"] == "import_refused"


def test_listings_are_stable_and_paginated(catalog, api, token_for):
    token = token_for("tinh")
    everything = api.get("/api/v1/units", token, limit=1000).json()
    pages = [
        api.get("/api/v1/units", token, limit=3, offset=offset).json()["items"]
        for offset in range(0, everything["count"], 3)
    ]
    assert [u["id"] for page in pages for u in page] == [u["id"] for u in everything["items"]]
    codes = [(u["code"], u["valid_from"] or "") for u in everything["items"]]
    assert codes == sorted(codes)


def test_main_listings_take_a_fixed_number_of_queries(
    catalog, api, token_for, django_assert_max_num_queries
):
    token = token_for("xa")
    api.post("/api/v1/values.csv", token, _csv(COMMUNE_2024Q1, "2024Q1"), "text/csv")
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/values", token, unit="07408", subtree=True).status_code == 200
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/units", token).status_code == 200
    with django_assert_max_num_queries(10):
        assert (
            api.get("/api/v1/results/rollup", token, unit="07408", set=ADVANCED).status_code == 200
        )


def _redis_or_skip() -> dict:
    import redis

    url = "redis://127.0.0.1:6379/15"  # a database of its own: the test clears it
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379 (.ci/run starts one)")
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_rate_limit_answers_429_with_retry_after(catalog, api, token_for, settings, backend):
    """The limit holds in a process's memory and in Redis (REDIS_URL: shared by processes)."""
    from django.core.cache import cache

    if backend == "redis":
        settings.CACHES = _redis_or_skip()
    cache.clear()
    settings.NTM_API_RATE = "3/m"
    token = token_for("xem")
    assert [api.get("/api/v1/units", token).status_code for _ in range(3)] == [200] * 3
    limited = api.get("/api/v1/units", token)
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert api.get("/api/v1/units", token_for("xem")).status_code == 200  # per token
    cache.clear()


def test_the_browser_session_works_and_writes_need_csrf(catalog, client, persona):
    from django.test import Client

    persona("xa")
    assert client.get("/api/v1/units/07408").status_code == 200
    strict = Client(enforce_csrf_checks=True)
    from ntm.accounts.models import User

    strict.force_login(User.objects.get(username="xa"))
    response = strict.post("/api/v1/values", {"values": []}, content_type="application/json")
    assert response.status_code == 403


def test_docs_and_openapi_are_served_locally(client, db):
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.1")
    html = client.get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html


DHIS2_SET = {
    "dataValues": [
        {
            "dataElement": "DeAdvInf84a",
            "period": "2024Q1",
            "orgUnit": "OuDuongDuc1",
            "value": "true",
            "comment": "cổng dịch vụ công",
        },
        {
            "dataElement": "DeAdvRoad21",
            "period": "2024S1",
            "orgUnit": "OuDuongDuc1",
            "value": "92.5",
        },
    ]
}


@pytest.fixture
def mapping(catalog):
    from ntm.accounts.models import User
    from ntm.api.services import mapping_import

    table = (
        "kind,unit,set,code,dhis2_id,dhis2_code,category_option_combo\n"
        "unit,07408,,,OuDuongDuc1,VN_07408,\n"
        f"element,,{ADVANCED},8.4,DeAdvInf84a,,\n"
        f"element,,{ADVANCED},2.1,DeAdvRoad21,,\n"
    )
    return mapping_import(user=User.objects.get(username="admin"), data=table.encode())


def test_dhis2_json_round_trip(mapping, api, token_for):
    token = token_for("xa")
    imported = api.post("/api/v1/dhis2/dataValueSets", token, DHIS2_SET)
    assert imported.status_code == 200, imported.content
    summary = imported.json()["response"]
    assert summary["status"] == "SUCCESS" and summary["importCount"]["imported"] == 2
    values = api.get("/api/v1/values", token, unit="07408").json()["items"]
    assert {(v["code"], v["period"], v["value"]) for v in values} == {
        ("8.4", "2024Q1", "đạt"),
        ("2.1", "2024H1", "92.5"),
    }
    exported = api.get("/api/v1/dhis2/dataValueSets", token, unit="07408", set=ADVANCED)
    keys = ("dataElement", "period", "orgUnit", "value", "comment")
    got = [{k: v[k] for k in keys if v.get(k) is not None} for v in exported.json()["dataValues"]]
    assert sorted(got, key=str) == sorted(DHIS2_SET["dataValues"], key=str)
    again = api.post("/api/v1/dhis2/dataValueSets", token, exported.json()).json()["response"]
    assert again["importCount"] == {"imported": 0, "updated": 0, "ignored": 2, "deleted": 0}


def test_dhis2_csv_round_trip_and_conflicts(mapping, api, token_for):
    token = token_for("xa")
    api.post("/api/v1/dhis2/dataValueSets", token, DHIS2_SET)
    exported = api.get("/api/v1/dhis2/dataValueSets.csv", token, unit="07408").content
    assert exported.splitlines()[0] == (
        b"dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,"
        b"lastupdated,comment,followup,deleted"
    )
    again = api.post("/api/v1/dhis2/dataValueSets.csv", token, exported, "text/csv").json()
    assert again["response"]["status"] == "SUCCESS"
    assert again["response"]["importCount"]["ignored"] == 2
    bad = "DeAdvRoad21,202401,OuDuongDuc1,,,5\nDeUnknown00,2024Q1,OuDuongDuc1,,,5\nDeAdvRoad21,2024Q2,OuDuongDuc1,,,500\n"
    refused = api.post("/api/v1/dhis2/dataValueSets.csv", token, bad.encode(), "text/csv")
    assert refused.status_code == 409
    body = refused.json()["response"]
    # Every conflict is reported (the value 500 % too), and nothing is written.
    assert body["status"] == "ERROR"
    assert {(c["object"], c["errorCode"], tuple(c["indexes"])) for c in body["conflicts"]} == {
        ("202401", "E7632", (0,)),
        ("DeUnknown00", "E7610", (1,)),
        ("DeAdvRoad21", "E7619", (2,)),
    }
    # The other province's DHIS2 ids or our out-of-scope units cannot be written through a mapping.
    one_ok = "DeAdvRoad21,2024Q2,OuDuongDuc1,,,500\n"
    out_of_range = api.post("/api/v1/dhis2/dataValueSets.csv", token, one_ok.encode(), "text/csv")
    assert (
        out_of_range.status_code == 409
        and out_of_range.json()["response"]["conflicts"][0]["object"] == "DeAdvRoad21"
    )


def test_dhis2_import_obeys_the_callers_scope(mapping, api, token_for):
    from ntm.observations.models import DataValue

    refused = api.post("/api/v1/dhis2/dataValueSets", token_for("thon"), DHIS2_SET)
    assert refused.status_code == 409
    assert not DataValue.objects.exists()
    assert (
        api.post(
            "/api/v1/dhis2/mappings.csv", token_for("xa"), b"kind,dhis2_id\n", "text/csv"
        ).status_code
        == 403
    )


def test_anonymous_rate_limit_counts_the_client_behind_the_trusted_proxy(db, client, settings):
    """Behind nginx every request comes from one REMOTE_ADDR: each forwarded client counts alone."""
    from django.core.cache import cache

    cache.clear()
    settings.NTM_API_RATE = "2/m"
    settings.NTM_PROXY_COUNT = 1

    def get(forwarded):
        return client.get(
            "/api/v1/public/units/99999", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    assert [get("203.0.113.7") for _ in range(2)] == [404, 404]
    assert get("9.9.9.9, 203.0.113.7") == 429  # a spoofed entry on the left changes nothing
    assert get("203.0.113.8") == 404
    cache.clear()


def test_a_write_based_on_an_old_read_is_refused_not_overwritten(catalog, api, token_for):
    from ntm.observations.models import DataValue

    xa, admin = token_for("xa"), token_for("admin")
    row = {"unit": "07408", "set": ADVANCED, "code": "2.1", "period": "2024Q1"}
    # Nothing read yet: "based_on": "" says so.
    first = api.post("/api/v1/values", xa, {"values": [{**row, "value": "90", "based_on": ""}]})
    assert first.status_code == 200, first.content
    listed = api.get("/api/v1/values", xa, unit="07408", set=ADVANCED, period="2024Q1").json()
    read = next(v["updated_at"] for v in listed["items"] if v["code"] == "2.1")
    # Someone else changes it from the same read; the first writer's next save is refused.
    other = api.post(
        "/api/v1/values", admin, {"values": [{**row, "value": "91", "based_on": read}]}
    )
    assert other.status_code == 200, other.content
    stale = api.post("/api/v1/values", xa, {"values": [{**row, "value": "95", "based_on": read}]})
    assert stale.status_code == 422
    error = stale.json()["errors"][0]
    assert error["row"] == 2 and "91" in error["message"]
    assert DataValue.objects.get(unit__code="07408", code="2.1", period="2024Q1").text == "91"
    # "" when a value exists, and a malformed date, are refused too; no based_on: no check.
    again = api.post("/api/v1/values", xa, {"values": [{**row, "value": "96", "based_on": ""}]})
    assert again.status_code == 422
    bad = api.post(
        "/api/v1/values", xa, {"values": [{**row, "value": "96", "based_on": "hôm qua"}]}
    )
    assert bad.status_code == 422
    plain = api.post("/api/v1/values", xa, {"values": [{**row, "value": "97"}]})
    assert plain.status_code == 200
