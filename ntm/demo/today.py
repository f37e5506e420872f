"""The demo of today (December 2026): Mỹ Thái, the commune Dương Đức merged into on 1/7/2025,
working on the 2026–2030 criteria of the new Bắc Ninh province.

Everything here is illustrative (Bắc Ninh's localisation in data/demo is MINH HỌA, never law):
Mỹ Thái is a group-2 commune; its 2026 values give 4/10 at Q2 and 6/10 at Q3 against Bắc Ninh's
illustrative set; its Q3/2025 baseline on the 2021–2025 advanced set is derived from the four
communes it was formed from (Tân Thanh, old Mỹ Thái and Xuân Hương get illustrative Q2/2025
figures for that); the people of Dương Đức and Bắc Giang are carried over to Mỹ Thái and Bắc Ninh
by the same action a province administrator runs; Mỹ Thái has a 2026 plan and has taken over an
unfinished work of Cống Phên. Dương Đức's 2024 story is untouched. Idempotent.
"""

import datetime as dt
from typing import Any

from ntm.accounts.services import memberships_carry_over
from ntm.catalog.models import CriteriaSet
from ntm.demo.values import record_values
from ntm.evaluation.actions import classification_change, values_derive
from ntm.finance.models import Work
from ntm.finance.services import work_transfer
from ntm.geo.models import AdminUnit, Classification
from ntm.geo.selectors import successor_in_force
from ntm.observations.models import DataValue
from ntm.planning import services as planning
from ntm.planning.models import Plan, TargetKind

SET_2026 = "xa-ntm-2026-2030"
GROUP_FROM = dt.date(2026, 2, 15)
WORK = "Điểm tập kết rác thải thôn Cống Phên"
GROUP_BASIS = "Nhóm xã minh họa (demo) — chưa có quyết định phân nhóm của UBND tỉnh Bắc Ninh"

# Q3/2026 (group 2 thresholds of the illustrative set): criteria 1, 3, 5, 6, 9 and 10 met; 2
# (irrigation, schools), 4 (trained labour), 7 (broadband) and 8 (waste sorted at source, 52%
# against 60%) not met — 6/10.
MY_THAI_2026Q3 = {
    "1.1": "đạt",
    "1.2": "đạt",
    "1.3": "92",
    "2.1": "100",
    "2.2": "96",
    "2.3": "82",
    "2.4": "99,5",
    "2.5": "75",
    "2.6": "đạt",
    "3.1": "78",
    "3.2": "2",
    "3.3": "đạt",
    "3.4": "đạt",
    "4.1": "72",
    "4.2": "36",
    "4.3": "27",
    "villages": "24",
    "cultural_villages": "21",
    "5.2": "đạt",
    "population": "36400",
    "insured_people": "35200",
    "5.4": "đạt",
    "5.5": "91",
    "households": "9820",
    "poor_households": "157",
    "6.2": "100",
    "6.3": "đạt",
    "7.1": "84",
    "7.2": "80",
    "7.3": "77",
    "7.4": "đạt",
    "8.1": "83",
    "8.2": "96",
    "8.3": "52",
    "8.4": "48",
    "8.5": "100",
    "9.1": "đạt",
    "9.2": "đạt",
    "9.3": "88",
    "9.4": "đạt",
    "10.1": "đạt",
    "10.2": "87",
    "10.3": "đạt",
    "10.4": "đạt",
}
# Q2/2026: poverty still 2.3% (criterion 6 not met), e-records 86% (criterion 5 not met) — 4/10.
MY_THAI_2026Q2 = {**MY_THAI_2026Q3, "poor_households": "226", "7.1": "70", "5.5": "86"}


# The other communes merged into Mỹ Thái, their last report before the merger, Q2/2025
# (illustrative): enough for the baseline rules
# to add, recompute and require "đạt" everywhere (docs/baseline.md).
PREDECESSORS_2025Q2 = {
    "07411": {  # Tân Thanh
        "households": "2410",
        "poor_households": "41",
        "population": "8920",
        "insured_people": "8790",
        "villages": "7",
        "cultural_villages": "6",
        "cultural_families": "2290",
        "1.1": "đạt",
        "4.1": "đạt",
        "8.4": "đạt",
        "10": "64",
    },
    "07420": {  # Mỹ Thái before the merger (its code continues)
        "households": "2605",
        "poor_households": "38",
        "population": "9580",
        "insured_people": "9490",
        "villages": "6",
        "cultural_villages": "6",
        "cultural_families": "2510",
        "1.1": "đạt",
        "4.1": "không đạt",
        "8.4": "đạt",
        "10": "66",
    },
    "07429": {  # Xuân Hương
        "households": "1955",
        "poor_households": "44",
        "population": "7340",
        "insured_people": "7190",
        "villages": "5",
        "cultural_villages": "4",
        "cultural_families": "1840",
        "1.1": "đạt",
        "4.1": "đạt",
        "8.4": "đạt",
        "10": "58",
    },
}
ADVANCED = "xa-ntm-nang-cao-2021-2025"
BASELINE_PERIOD = "2025Q3"


def _baseline(admin: Any, xa: Any, my_thai: AdminUnit) -> None:
    """Mỹ Thái's first quarter, Q3/2025, from the four communes it was formed from."""
    family = CriteriaSet.objects.get(code=ADVANCED)
    for succession in my_thai.successions_in.select_related("predecessor"):
        values = PREDECESSORS_2025Q2.get(succession.predecessor.code)
        if values and succession.predecessor.valid_to is not None:
            record_values(admin, succession.predecessor, family, "2025Q2", values, approver=admin)
    if not DataValue.objects.filter(unit=my_thai, criteria_set=family).exists():
        values_derive(user=xa, unit=my_thai, criteria_set=family, period=BASELINE_PERIOD)


def _group(unit: AdminUnit) -> None:
    if Classification.objects.filter(
        unit=unit, kind=Classification.Kind.COMMUNE_GROUP, valid_from=GROUP_FROM
    ).exists():
        return
    classification_change(
        unit=unit,
        kind=Classification.Kind.COMMUNE_GROUP,
        value="2",
        valid_from=GROUP_FROM,
        legal_basis=GROUP_BASIS,
    )


def _plan(xa: Any, my_thai: AdminUnit, family: CriteriaSet) -> Plan:
    existing = Plan.objects.filter(unit=my_thai, year=2026).first()
    if existing is not None:
        return existing
    plan = planning.plan_create(
        user=xa,
        unit=my_thai,
        year=2026,
        is_demo=True,
        title="Kế hoạch xây dựng nông thôn mới năm 2026 của xã Mỹ Thái (minh họa)",
        issuer="UBND xã Mỹ Thái",
        status=Plan.Status.ISSUED,
    )
    end = dt.date(2026, 12, 31)
    planning.target_add(
        user=xa,
        plan=plan,
        kind=TargetKind.CRITERIA_COUNT,
        criteria_set=family,
        count=8,
        deadline=end,
        title="Đạt 8/10 tiêu chí xã nông thôn mới giai đoạn 2026-2030 (bộ minh họa của tỉnh)",
    )
    planning.target_add(
        user=xa,
        plan=plan,
        kind=TargetKind.CRITERION,
        criteria_set=family,
        criterion_number=8,
        deadline=end,
        title="Đến quý IV/2026 đạt tiêu chí 8 về môi trường và cảnh quan nông thôn",
    )
    area = plan.areas.order_by("position").first()
    if area is not None:
        planning.task_add(
            user=xa,
            plan=plan,
            area=area,
            description="Vận động 24 thôn phân loại rác thải tại nguồn; mỗi thôn một tổ tự quản.",
            deadline=dt.date(2026, 11, 30),
            responsible_user=xa,
            organisations=["women", "mttq"],
            criteria=[8],
            indicators=["8.3"],
        )
        planning.task_add(
            user=xa,
            plan=plan,
            area=area,
            description="Hoàn thiện tuyến kênh tưới nội đồng các thôn phía bắc (kế thừa kế hoạch xã Dương Đức).",
            deadline=dt.date(2026, 12, 31),
            responsible_user=xa,
            organisations=["ubnd"],
            criteria=[2],
            indicators=["2.3"],
        )
    return plan


def _take_over_a_work(xa: Any, my_thai: AdminUnit) -> None:
    if Work.objects.filter(transferred_from__isnull=False, is_demo=True).exists():
        return
    # The waste collection point: criterion 8 of the 2026 plan needs it.
    work = (
        Work.objects.filter(is_demo=True, unit__valid_to__isnull=False, name__startswith=WORK)
        .exclude(status=Work.Status.DONE)
        .select_related("unit")
        .first()
    )
    if work is None:
        return
    today = dt.date.today()
    to = successor_in_force(work.unit, today) or my_thai
    work_transfer(user=xa, work=work, to=to)


def load_today_demo(units: dict[str, AdminUnit], users: dict[str, Any]) -> None:
    my_thai = units["07420"]
    bac_ninh = my_thai.parent
    assert bac_ninh is not None
    # The province's own action: everyone of Bắc Giang, Dương Đức and Cống Phên serves the
    # successors too (their 2024 units stay, as history).
    memberships_carry_over(unit=bac_ninh, actor=users["admin"])
    xa = users["xa"]
    xa._ntm_memberships = None  # the carry-over gave xa Mỹ Thái: read the memberships again
    family = CriteriaSet.objects.get(code=SET_2026)
    _baseline(users["admin"], xa, my_thai)
    _group(my_thai)
    record_values(xa, my_thai, family, "2026Q2", MY_THAI_2026Q2, approver=xa)
    # Q3 is submitted, not approved yet: the commune's pages count it (6/10), the public page
    # and the province's tables still show Q2's approved 4/10.
    record_values(xa, my_thai, family, "2026Q3", MY_THAI_2026Q3, submit=True)
    _plan(xa, my_thai, family)
    _take_over_a_work(xa, my_thai)
