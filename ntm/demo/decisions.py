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
from ntm.engine.model import Status
from ntm.evaluation.models import Basis
from ntm.evaluation.selectors import result_as_of
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


# --- Bắc Giang's budget across its communes (illustrative) ------------------------------------

ALLOCATION_NOTE = (
    "Chi phí minh họa (demo) để minh họa phân bổ ngân sách tỉnh Bắc Giang, không phải dự toán"
)
# What closing each indicator's gap costs a commune, illustrative round figures (VND); Dương
# Đức's own costs above are the same. Criteria 10 (income) and 11 (poverty) have none: money for
# works does not buy them.
INDICATOR_COSTS = {
    **COSTS,
    "1.1": 300_000_000,
    "1.2": 200_000_000,
    "3.1": 1_500_000_000,
    "3.2": 400_000_000,
    "4.1": 600_000_000,
    "4.2": 800_000_000,
    "5.1": 3_000_000_000,
    "6.1": 400_000_000,
    "6.2": 300_000_000,
    "7.1": 1_200_000_000,
    "8.1": 150_000_000,
    "8.2": 150_000_000,
    "8.3": 100_000_000,
    "9.1": 500_000_000,
    "9.2": 700_000_000,
    "12.1": 250_000_000,
    "13.1": 100_000_000,
    "14.1": 150_000_000,
    "14.2": 300_000_000,
    "16.1": 200_000_000,
    "18.2": 150_000_000,
    "19.1": 100_000_000,
    "19.2": 100_000_000,
}
# The other communes of Lạng Giang before the 2025 merger, each dearer or cheaper to build in
# (percent of the figures above): with Dương Đức, a province budget has a real choice to make.
COMMUNE_PERCENT = {"07411": 90, "07420": 100, "07429": 110}


def load_allocation_demo(users: dict[str, Any]) -> int:
    """Illustrative costs of every open indicator with a known cost in the latest working result
    of Tân Thanh, old Mỹ Thái and Xuân Hương (their Q2/2025 reports), so that Bắc Giang's
    allocation (``manage.py allocate --province 24 --set xa-ntm-nang-cao-2021-2025 --period
    2025Q2 --target 15 --budget 10000000000``, or the province's allocation page) weighs four
    communes. Entered by the province's coordinator; idempotent. Returns how many costs were
    added."""
    advanced = CriteriaSet.objects.get(code=ADVANCED)
    added = 0
    for code, percent in COMMUNE_PERCENT.items():
        commune = AdminUnit.objects.get(code=code, valid_from=None)
        result = result_as_of(unit=commune, family=advanced, period=None, basis=Basis.WORKING)
        if result is None:
            continue
        have = set(
            GapCost.objects.filter(unit=commune, criteria_set=advanced).values_list(
                "indicator_code", flat=True
            )
        )
        for criterion in result.explanation["criteria"]:
            for indicator in criterion["indicators"]:
                code_ = indicator["code"]
                if indicator["status"] == Status.MET or code_ not in INDICATOR_COSTS:
                    continue
                if code_ in have:
                    continue
                gap_cost_set(
                    user=users["tinh"],
                    unit=commune,
                    criteria_set=advanced,
                    indicator_code=code_,
                    cost=INDICATOR_COSTS[code_] * percent // 100,
                    note=ALLOCATION_NOTE,
                    is_demo=True,
                )
                added += 1
    return added
