"""A code and a period name the unit that had the code during that period: the 2025 reform
gave code 24 (tỉnh Bắc Giang) to the new tỉnh Bắc Ninh, and 07420 (xã Mỹ Thái of Lạng Giang)
to the merged xã Mỹ Thái of Bắc Ninh."""

from ntm.api.tests.test_values_and_results import ADVANCED, COMMUNE_2024Q4, _csv


def test_a_reused_province_code_with_a_2024_period_names_the_old_province(catalog, api, token_for):
    api.post("/api/v1/values.csv", token_for("xa"), _csv(COMMUNE_2024Q4, "2024Q4"), "text/csv")
    province = token_for("tinh")
    rollup = api.get("/api/v1/results/rollup", province, unit="24", set=ADVANCED, period="2024Q4")
    assert rollup.status_code == 200, rollup.content
    # Dương Đức belonged to Bắc Giang; it never belonged to Bắc Ninh.
    assert "07408" in [u["unit"] for u in rollup.json()["units"] if u["met"] is not None]
    # Without a period the code names today's unit, tỉnh Bắc Ninh, outside tinh's scope.
    today = api.get("/api/v1/results/rollup", province, unit="24", set=ADVANCED)
    assert today.status_code == 404


def test_a_commune_code_resolves_per_period_and_a_code_absent_then_is_a_clear_404(
    catalog, api, token_for
):
    token = token_for("xa")
    api.post("/api/v1/values.csv", token, _csv(COMMUNE_2024Q4, "2024Q4"), "text/csv")
    found = api.get("/api/v1/results", token, unit="07408", set=ADVANCED, period="2024Q4")
    assert found.status_code == 200 and found.json()["unit_name"] == "Xã Dương Đức"
    # Dương Đức ended on 30/06/2025: no unit had its code in 2026.
    gone = api.get("/api/v1/results", token, unit="07408", set=ADVANCED, period="2026Q1")
    assert gone.status_code == 404 and gone.json()["code"] == "unit_not_in_period"
    values = api.get("/api/v1/values", token, unit="07420", period="2026Q1")
    assert values.status_code == 404  # today's Mỹ Thái (Bắc Ninh) is not xa's
