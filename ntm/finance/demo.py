"""Cống Phên's 2024 works, budgets, progress and contributions, and a land-auction allocation.

The works are those the reference plan names for Cống Phên (cultural house, sports ground, street
lighting, waste collection point); every amount, name, date and rate is illustrative and says so
("minh họa"). Idempotent: a second run changes nothing.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from ntm.finance import services
from ntm.finance.models import RateKind, Work
from ntm.geo.models import AdminUnit

YEAR = 2024
ILLUSTRATIVE = "minh họa"
M = Decimal(1_000_000)

# name, kind, criterion, budget {source: VND or quantity}, progress [(date, %, note)]
WORKS: list[tuple[str, str, int | None, dict[str, Decimal], list[tuple[dt.date, int, str]]]] = [
    (
        "Nhà văn hóa thôn Cống Phên (minh họa)",
        "cultural_house",
        6,
        {
            "province": 400 * M,
            "district": 300 * M,
            "commune": 200 * M,
            "land_auction": 150 * M,
            "people_cash": 120 * M,
            "people_labour": Decimal(400),
            "people_land": Decimal(150),
        },
        [
            (dt.date(2024, 4, 15), 10, "Khởi công, san nền (minh họa)."),
            (dt.date(2024, 7, 31), 60, "Xong phần thô (minh họa)."),
            (dt.date(2024, 11, 20), 100, "Hoàn thành, đưa vào sử dụng (minh họa)."),
        ],
    ),
    (
        "Sân thể thao thôn Cống Phên (minh họa)",
        "sports_ground",
        6,
        {
            "commune": 100 * M,
            "land_auction": 100 * M,
            "people_cash": 30 * M,
            "people_labour": Decimal(200),
            "people_land": Decimal(300),
        },
        [(dt.date(2024, 9, 30), 70, "Đã lu nền, đang làm mặt sân (minh họa).")],
    ),
    (
        "Điện chiếu sáng đường thôn Cống Phên (minh họa)",
        "lighting",
        None,
        {"commune": 50 * M, "enterprise": 20 * M, "people_cash": 40 * M},
        [(dt.date(2024, 8, 20), 100, "Đã lắp 40 cột đèn (minh họa).")],
    ),
    (
        "Điểm tập kết rác thải thôn Cống Phên (minh họa)",
        "waste_point",
        17,
        {"commune": 30 * M, "people_labour": Decimal(50)},
        [(dt.date(2024, 7, 10), 40, "Đã đổ móng (minh họa).")],
    ),
]

# work index, source, amount, date
DISBURSEMENTS = [
    (0, "province", 400 * M, dt.date(2024, 6, 15)),
    (0, "district", 300 * M, dt.date(2024, 8, 15)),
    (0, "commune", 150 * M, dt.date(2024, 11, 30)),
    (0, "land_auction", 150 * M, dt.date(2024, 9, 10)),
    # beyond the sports ground's plan and the village's auction allocation: the pages warn
    (1, "land_auction", 120 * M, dt.date(2024, 10, 5)),
    (2, "commune", 50 * M, dt.date(2024, 9, 1)),
    (2, "enterprise", 20 * M, dt.date(2024, 9, 1)),
]

# contributor kind, name, consent, kind, quantity, value, date, work index
CONTRIBUTIONS: list[
    tuple[str, str, bool, str, Decimal | None, Decimal | None, dt.date, int | None]
] = [
    (
        "organisation",
        "Ban phát triển thôn Cống Phên — thu theo nghị quyết hội nghị thôn (minh họa)",
        True,
        "cash",
        None,
        100 * M,
        dt.date(2024, 5, 20),
        0,
    ),
    (
        "household",
        "Hộ ông Nguyễn Văn An (minh họa)",
        True,
        "cash",
        None,
        5 * M,
        dt.date(2024, 5, 22),
        0,
    ),
    (
        "household",
        "Hộ bà Trần Thị Bình (minh họa)",
        False,
        "cash",
        None,
        3 * M,
        dt.date(2024, 5, 23),
        0,
    ),
    (
        "household",
        "Hộ ông Lê Văn Cường (minh họa)",
        True,
        "land",
        Decimal(150),
        None,
        dt.date(2024, 4, 10),
        0,
    ),
    (
        "household",
        "Hộ ông Phạm Văn Dũng (minh họa)",
        False,
        "land",
        Decimal(300),
        None,
        dt.date(2024, 8, 1),
        1,
    ),
    (
        "organisation",
        "Nhân dân thôn Cống Phên — tổng hợp ngày công (minh họa)",
        True,
        "labour",
        Decimal(400),
        None,
        dt.date(2024, 11, 20),
        0,
    ),
    (
        "organisation",
        "Đoàn thanh niên thôn Cống Phên (minh họa)",
        True,
        "labour",
        Decimal(120),
        None,
        dt.date(2024, 9, 30),
        1,
    ),
    (
        "household",
        "Hộ bà Hoàng Thị Cúc (minh họa)",
        False,
        "cash",
        None,
        2 * M,
        dt.date(2024, 8, 5),
        2,
    ),
    (
        "organisation",
        "Hội Phụ nữ thôn Cống Phên (minh họa)",
        True,
        "cash",
        None,
        10 * M,
        dt.date(2024, 8, 6),
        2,
    ),
    (
        "household",
        "Các hộ thôn Cống Phên — ngày công (minh họa)",
        False,
        "labour",
        Decimal(30),
        None,
        dt.date(2024, 7, 10),
        3,
    ),
]


@transaction.atomic
def load_finance_demo(units: dict[str, AdminUnit], users: dict[str, Any]) -> list[Work]:
    duong_duc, cong_phen = units["07408"], units["07408.05"]
    existing = list(Work.objects.filter(unit=cong_phen, year=YEAR, is_demo=True))
    if existing:
        return existing
    xa, thon = users["xa"], users["thon"]
    basis = f"Mức {ILLUSTRATIVE}, không phải mức do xã quyết định"
    services.rate_set(
        user=xa,
        unit=duong_duc,
        year=YEAR,
        kind=RateKind.LABOUR_DAY,
        vnd_per_unit=Decimal(200_000),
        basis=basis,
        is_demo=True,
    )
    services.rate_set(
        user=xa,
        unit=duong_duc,
        year=YEAR,
        kind=RateKind.LAND_M2,
        vnd_per_unit=Decimal(300_000),
        basis=basis,
        is_demo=True,
    )
    services.allocation_add(
        user=xa,
        commune=duong_duc,
        village=cong_phen,
        year=YEAR,
        source="land_auction",
        amount=250 * M,
        decided_on=dt.date(2024, 3, 20),
        decision_number="Số .../QĐ-UBND (minh họa)",
        note="Tiền đấu giá quyền sử dụng đất để lại thôn (minh họa)",
        is_demo=True,
    )
    services.allocation_add(
        user=xa,
        commune=duong_duc,
        village=cong_phen,
        year=YEAR,
        source="commune",
        amount=380 * M,
        decided_on=dt.date(2024, 3, 20),
        decision_number="Số .../QĐ-UBND (minh họa)",
        note="Mức hỗ trợ thôn xây dựng thôn NTM kiểu mẫu (minh họa)",
        is_demo=True,
    )
    works = []
    for name, kind, criterion, budget, progress in WORKS:
        work = services.work_create(
            user=xa,
            unit=cong_phen,
            year=YEAR,
            kind=kind,
            name=name,
            is_demo=True,
            criterion_number=criterion,
            start=progress[0][0],
            decision_number="Số .../QĐ-UBND (minh họa)" if budget.get("province") else "",
        )
        services.work_budget_set(user=xa, work=work, lines=budget)
        for date, percent, note in progress:
            services.work_progress_add(user=thon, work=work, date=date, percent=percent, note=note)
        works.append(work)
    for at, source, amount, date in DISBURSEMENTS:
        services.disbursement_add(
            user=xa,
            work=works[at],
            source=source,
            amount=amount,
            date=date,
            document="Chứng từ minh họa",
        )
    for contributor, name, consent, kind, quantity, value, date, on_work in CONTRIBUTIONS:
        services.contribution_add(
            user=thon,
            unit=cong_phen,
            contributor_kind=contributor,
            contributor_name=name,
            consent_to_publish=consent,
            kind=kind,
            quantity=quantity,
            value=value,
            date=date,
            work=works[on_work] if on_work is not None else None,
            is_demo=True,
        )
    return works
