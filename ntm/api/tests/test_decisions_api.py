"""Scenarios and projections in the API: labelled as what they are, permissioned like results."""

from ntm.demo.loader import load_demo


def test_the_demo_scenario_and_projections_through_the_api(db, api, token_for):
    load_demo(with_values=True)
    token = token_for("xa")
    listed = api.get("/api/v1/scenarios", token, unit="07408")
    assert listed.status_code == 200, listed.content
    [scenario] = [s for s in listed.json() if "tiêu chí 8" in s["name"].lower()]
    assert scenario["kind"] == "scenario" and scenario["illustrative"] is True
    detail = api.get(f"/api/v1/scenarios/{scenario['id']}", token).json()
    # Q1/2024 values with 8.4 = đạt: 13/19, what the real Q4 result confirms.
    assert (detail["real_met"], detail["projected_met"], detail["total"]) == (12, 13, 19)
    changed = [c["number"] for c in detail["criteria"] if c["changed"]]
    assert changed == [8]
    assert api.get("/api/v1/scenarios/999999", token).status_code == 404
    assert api.get("/api/v1/scenarios/99999999999999999999", token).status_code in (404, 422)

    projections = api.get(
        "/api/v1/projections", token, unit="07408", set="xa-ntm-nang-cao-2021-2025", year=2025
    )
    assert projections.status_code == 200, projections.content
    assert all(p["kind"] == "projection" for p in projections.json())
    assert api.get("/api/v1/projections", token, unit="07408", set="nope").status_code == 404
