"""Demo data: Dương Đức commune of the reference plan, its villages, the 2025 merger, one user per role.

Idempotent: running it again changes nothing. Every unit it creates is marked ``is_demo``.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from ntm.accounts.models import Membership, Role, User
from ntm.demo.decisions import load_allocation_demo, load_decisions_demo
from ntm.demo.today import load_today_demo
from ntm.demo.values import load_demo_values
from ntm.finance.demo import load_finance_demo
from ntm.geo.models import AdminUnit, Kind, Region, Succession
from ntm.geo.services import succession_record, unit_create, villages_transfer
from ntm.organisation.demo import load_organisation_demo
from ntm.planning.demo import load_plan_demo

DEMO_PASSWORD = "ntm-demo-2024"
REFORM = dt.date(2025, 7, 1)
BEFORE_REFORM = REFORM - dt.timedelta(days=1)
PROVINCE_MERGER_BASIS = "Nghị quyết số 202/2025/QH15 ngày 12/6/2025 của Quốc hội"
COMMUNE_MERGER_BASIS = "Nghị quyết số 1658/NQ-UBTVQH15 của Ủy ban Thường vụ Quốc hội"

# The villages named in the 2024 plan of Dương Đức.
VILLAGES = [
    "Thôn Thượng",
    "Thôn Cầu Đàm",
    "Thôn Cầu Ván",
    "Thôn Đồng Than",
    "Thôn Cống Phên",
    "Thôn Hồng Giang",
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    unit_code: str
    fields: tuple[str, ...] = ()


USERS = [
    DemoUser("admin", "Quản trị hệ thống (minh họa)", Role.SYSTEM_ADMIN, "24"),
    DemoUser("tinh", "Cán bộ Văn phòng điều phối tỉnh (minh họa)", Role.PROVINCE_ADMIN, "24"),
    DemoUser("xa", "Trưởng Ban quản lý xã (minh họa)", Role.COMMUNE_MANAGER, "07408"),
    DemoUser(
        "congchuc",
        "Công chức Văn hóa - Xã hội (minh họa)",
        Role.SPECIALIST,
        "07408",
        ("culture", "education", "health"),
    ),
    DemoUser("thon", "Trưởng thôn Cống Phên (minh họa)", Role.VILLAGE_HEAD, "07408.05"),
    DemoUser("mttq", "Chủ tịch UBMTTQ xã (minh họa)", Role.FATHERLAND_FRONT, "07408"),
    DemoUser("xem", "Người xem (minh họa)", Role.VIEWER, "07408"),
]


def _unit(code: str, valid_from: dt.date | None, **fields: object) -> AdminUnit:
    existing = AdminUnit.objects.filter(code=code, valid_from=valid_from).first()
    if existing is not None:
        return existing
    return unit_create(code=code, valid_from=valid_from, is_demo=True, **fields)  # type: ignore[arg-type]


@transaction.atomic
def load_demo(*, with_values: bool = False) -> dict[str, AdminUnit]:
    bac_giang = _unit(
        "24",
        None,
        name="Tỉnh Bắc Giang",
        kind=Kind.PROVINCE,
        region=Region.TDMNPB,
        valid_to=BEFORE_REFORM,
    )
    old_bac_ninh = _unit(
        "27",
        None,
        name="Tỉnh Bắc Ninh",
        kind=Kind.PROVINCE,
        region=Region.DBSH,
        valid_to=BEFORE_REFORM,
    )
    lang_giang = _unit(
        "217",
        None,
        name="Huyện Lạng Giang",
        kind=Kind.DISTRICT,
        parent=bac_giang,
        valid_to=BEFORE_REFORM,
    )
    old_communes = {
        code: _unit(
            code, None, name=name, kind=Kind.COMMUNE, parent=lang_giang, valid_to=BEFORE_REFORM
        )
        for code, name in [
            ("07408", "Xã Dương Đức"),
            ("07411", "Xã Tân Thanh"),
            ("07420", "Xã Mỹ Thái"),
            ("07429", "Xã Xuân Hương"),
        ]
    }
    duong_duc = old_communes["07408"]
    for number, name in enumerate(VILLAGES, start=1):
        _unit(
            f"07408.{number:02d}",
            None,
            name=name,
            kind=Kind.VILLAGE,
            parent=duong_duc,
            valid_to=BEFORE_REFORM,
        )

    bac_ninh = _unit("24", REFORM, name="Tỉnh Bắc Ninh", kind=Kind.PROVINCE)
    my_thai = _unit("07420", REFORM, name="Xã Mỹ Thái", kind=Kind.COMMUNE, parent=bac_ninh)
    for old in (bac_giang, old_bac_ninh):
        succession_record(
            predecessor=old,
            successor=bac_ninh,
            effective_date=REFORM,
            kind=Succession.Kind.MERGED,
            legal_basis=PROVINCE_MERGER_BASIS,
        )
    for old in old_communes.values():
        succession_record(
            predecessor=old,
            successor=my_thai,
            effective_date=REFORM,
            kind=Succession.Kind.MERGED,
            legal_basis=COMMUNE_MERGER_BASIS,
        )
    villages_transfer(
        predecessor=duong_duc,
        successor=my_thai,
        effective_date=REFORM,
        legal_basis=COMMUNE_MERGER_BASIS,
    )

    units = {
        "24": bac_giang,
        "07408": duong_duc,
        "07420": my_thai,
        "07408.05": AdminUnit.objects.get(code="07408.05", valid_from=None),
    }
    for spec in USERS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "full_name": spec.full_name,
                "is_demo": True,
                "is_staff": spec.role == Role.SYSTEM_ADMIN,
                "is_superuser": spec.role == Role.SYSTEM_ADMIN,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(
            user=user,
            unit=units[spec.unit_code],
            role=spec.role,
            defaults={"fields": list(spec.fields)},
        )
    if with_values:
        users = {u.username: User.objects.get(username=u.username) for u in USERS}
        load_demo_values(units, users)
        # The register first: the plan's OCOP target is judged from it.
        load_organisation_demo(units, users)
        load_plan_demo(units, users)
        load_finance_demo(units, users)
        # Before today's demo: the people of Dương Đức still act there in 2024.
        load_decisions_demo(units, users)
        load_today_demo(units, users)
        # After today's demo: the other communes' Q2/2025 reports are recorded there.
        load_allocation_demo(users)
    return units
