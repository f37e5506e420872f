"""Illustrative indicator values for the demo commune (marked as such wherever they show).

Dương Đức's 2024 plan: 12/19 advanced-NTM criteria at the start of 2024, criterion 8
(information and communications) reached by Q4 for 13/19; four model villages keep the standard
and Cống Phên reaches it during 2024. The thresholds they are judged against are the illustrative
Bắc Giang sets in data/demo/, never law.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings

from ntm.catalog.management.commands.load_criteria import ordered_files
from ntm.catalog.models import CriteriaSet
from ntm.evaluation.actions import criteria_load, values_approve
from ntm.evaluation.services import refresh
from ntm.geo.models import AdminUnit
from ntm.observations.models import DataValue
from ntm.observations.services import value_set, values_submit

NOTE = "Số liệu minh họa (demo)"
ADVANCED = "xa-ntm-nang-cao-2021-2025"
MODEL_VILLAGE = "thon-ntm-kieu-mau-bac-giang-minh-hoa"

# Start of 2024: criteria 2, 8, 10, 13, 15, 17 and 18 are not met (12/19).
COMMUNE_2024Q1 = {
    "1.1": "đạt",
    "1.2": "đạt",
    "2.1": "92",
    "3.1": "93,5",
    "3.2": "đạt",
    "4.1": "đạt",
    "4.2": "99,8",
    "5.1": "3",
    "villages": "6",
    "cultural_villages": "5",
    "households": "2850",
    "cultural_families": "2736",
    "poor_households": "63",
    "7.1": "đạt",
    "8.1": "đạt",
    "8.2": "đạt",
    "8.3": "đạt",
    "8.4": "không đạt",
    "9.1": "0",
    "9.2": "94,2",
    "10": "56,8",
    "12.1": "76",
    "13.1": "đạt",
    "13.2": "0",
    "14.1": "đạt",
    "population": "10540",
    "insured_people": "10509",
    "15.1": "96,1",
    "16.1": "đạt",
    "17.2": "62",
    "17.3": "90",
    "18.1": "48",
    "18.2": "100",
    "19.1": "đạt",
    "19.2": "đạt",
}
# Q4/2024: e-government and online public services in place — criterion 8 is met (13/19).
COMMUNE_2024Q4 = {"8.4": "đạt"}

VILLAGE_MET = {
    "1.1": "78",
    "households": "240",
    "poor_households": "1",
    "2.1": "97",
    "2.2": "88",
    "3.1": "đạt",
    "3.2": "đạt",
    "4.1": "93",
    "4.2": "98",
    "5.1": "94",
    "5.2": "99,1",
    "6.1": "đạt",
    "7.1": "đạt",
    "7.2": "95",
}
COGN_PHEN_Q1 = {**VILLAGE_MET, "3.2": "không đạt", "4.1": "71", "1.1": "69,5"}
COGN_PHEN_Q4 = {"3.2": "đạt", "4.1": "91", "1.1": "72"}


def load_catalog() -> None:
    root = Path(settings.BASE_DIR) / "data"
    for file in ordered_files([str(root / "criteria"), str(root / "demo")]):
        criteria_load(file, filename=file.name, via=f"demo: {file.name}")


def record_values(
    user,
    unit: AdminUnit,
    family: CriteriaSet,
    period: str,
    values: dict[str, str],
    *,
    approver: Any = None,
    submit: bool = False,
) -> None:
    """Record the values not stored yet for the period, then refresh the unit once: running the
    demo again changes nothing. ``submit`` sends them for approval; an ``approver`` approves
    them too, so they count in public (the approved count) as well as in the working count."""
    existing = set(
        DataValue.objects.filter(unit=unit, criteria_set=family, period=period).values_list(
            "code", flat=True
        )
    )
    touched = False
    for code, value in values.items():
        if code not in existing:
            value_set(
                user=user,
                unit=unit,
                criteria_set=family,
                code=code,
                period=period,
                value=value,
                note=NOTE,
            )
            touched = True
    if touched:
        refresh(unit=unit, family=family)
    if submit or approver is not None:
        values_submit(user=user, unit=unit, criteria_set=family, period=period)
    if approver is not None:
        values_approve(user=approver, unit=unit, criteria_set=family, period=period)


def load_demo_values(units: dict[str, AdminUnit], users: Mapping[str, Any]) -> None:
    load_catalog()
    advanced = CriteriaSet.objects.get(code=ADVANCED)
    model_village = CriteriaSet.objects.get(code=MODEL_VILLAGE)
    xa, thon = users["xa"], users["thon"]
    duong_duc = units["07408"]
    # Every 2024 value approved by the commune's manager: the public story is the working one.
    record_values(xa, duong_duc, advanced, "2024Q1", COMMUNE_2024Q1, approver=xa)
    record_values(xa, duong_duc, advanced, "2024Q4", COMMUNE_2024Q4, approver=xa)
    for village in duong_duc.children.order_by("code"):
        if village.name == "Thôn Cống Phên":
            record_values(thon, village, model_village, "2024Q1", COGN_PHEN_Q1, approver=xa)
            record_values(thon, village, model_village, "2024Q4", COGN_PHEN_Q4, approver=xa)
        elif village.name in {"Thôn Thượng", "Thôn Cầu Đàm", "Thôn Cầu Ván", "Thôn Đồng Than"}:
            record_values(xa, village, model_village, "2024Q1", VILLAGE_MET, approver=xa)
