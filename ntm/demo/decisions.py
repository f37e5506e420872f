"""Decision support in the demo: Dương Đức's 2024 scenario "criterion 8 before Q4" and
illustrative costs of its open gaps, for the cheapest path to 15/19.

Everything here is illustrative (the scenario and every cost are marked ``is_demo`` and say so
in their notes): the costs are round figures of the right order for a commune's works, never
estimates. The scenario is the one the 2024 plan makes: on the figures of Q1/2024 (12/19),
e-government and online public services (8.4) in place give 13/19, which the real Q4/2024
result confirms. Idempotent.
"""

from typing import Any

from ntm.catalog.models import CriteriaSet
from ntm.decisions.models import GapCost, Scenario
from ntm.decisions.services import gap_cost_set, scenario_create
from ntm.geo.models import AdminUnit

ADVANCED = "xa-ntm-nang-cao-2021-2025"
SCENARIO = "Tiêu chí 8 trước quý IV/2024"
NOTE = (
    "Minh họa: lập đầu năm 2024 trên số liệu quý I (12/19); chính quyền điện tử và dịch vụ "
    "công trực tuyến (8.4) hoàn thành thì xã đạt 13/19. Kết quả thực tế quý IV/2024 xác nhận."
)
COST_NOTE = "Chi phí minh họa (demo), không phải dự toán"
# Criterion 10 (income) has no cost: money for works does not buy it.
COSTS = {
    "8.4": 350_000_000,
    "2.1": 4_500_000_000,
    "13.2": 800_000_000,
    "15.1": 500_000_000,
    "17.2": 200_000_000,
    "17.3": 2_000_000_000,
    "18.1": 1_100_000_000,
}


def load_decisions_demo(units: dict[str, AdminUnit], users: dict[str, Any]) -> Scenario:
    duong_duc = units["07408"]
    advanced = CriteriaSet.objects.get(code=ADVANCED)
    existing = Scenario.objects.filter(unit=duong_duc, criteria_set=advanced, name=SCENARIO)
    if existing.exists():
        return existing.get()
    xa = users["xa"]
    for code, cost in COSTS.items():
        if not GapCost.objects.filter(
            unit=duong_duc, criteria_set=advanced, indicator_code=code
        ).exists():
            gap_cost_set(
                user=xa,
                unit=duong_duc,
                criteria_set=advanced,
                indicator_code=code,
                cost=cost,
                note=COST_NOTE,
                is_demo=True,
            )
    return scenario_create(
        user=xa,
        unit=duong_duc,
        criteria_set=advanced,
        base_period="2024Q1",
        name=SCENARIO,
        values={"8.4": "đạt"},
        note=NOTE,
        is_demo=True,
    )
