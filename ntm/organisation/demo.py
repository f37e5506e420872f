"""Illustrative committees, emulation campaign and OCOP register of Dương Đức (demo data).

The 2024 plan names the bodies — Ban Chỉ đạo, Ban quản lý, Ban phát triển thôn Cống Phên —, the
movement "Dương Đức chung sức xây dựng nông thôn mới nâng cao giai đoạn 2023-2025" launched by
the commune's emulation council, and OCOP products "tại thôn Hồng Giang", but no members, no
awards and no product names: every person, award and product below is invented and says so
("minh họa"). The plan's target of one 4-star product is a target, not a certified product, so
it is not in the register.

Idempotent: records are looked up by unit and name before anything is created, and everything
is written through the services, as the admin demo user.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from ntm.accounts.models import Field, User
from ntm.geo.models import AdminUnit
from ntm.organisation.models import (
    Committee,
    CommitteeKind,
    EmulationCampaign,
    MemberRole,
    OcopProduct,
    RecipientKind,
)
from ntm.organisation.services import (
    award_create,
    campaign_create,
    committee_create,
    committee_member_create,
    ocop_product_create,
)

NOTE = (
    "Dữ liệu minh họa (demo): Kế hoạch năm 2024 của UBND xã Dương Đức nêu tên ban này "
    "nhưng không nêu thành viên; họ tên dưới đây là giả định."
)
CAMPAIGN_NAME = "Dương Đức chung sức xây dựng nông thôn mới nâng cao giai đoạn 2023-2025"
CAMPAIGN_NOTE = (
    "Hội đồng Thi đua - Khen thưởng xã phát động theo Kế hoạch năm 2024 của UBND xã Dương Đức "
    "(mục IV.2): làm tốt công tác sơ kết, tổng kết, kịp thời khen thưởng các tập thể, cá nhân "
    "tiêu biểu trong xây dựng nông thôn mới. Ngày bắt đầu và kết thúc lấy theo giai đoạn "
    "2023-2025 ghi trong tên phong trào; các khen thưởng là dữ liệu minh họa (demo)."
)
OCOP_NOTE = (
    "Dữ liệu minh họa (demo): kế hoạch năm 2024 nêu các sản phẩm OCOP tại thôn Hồng Giang nhưng "
    "không nêu tên; tên, chủ thể và ngày chứng nhận là giả định. Mục tiêu 01 sản phẩm OCOP 4 sao "
    "chưa được chứng nhận nên không có trong sổ."
)


@dataclass(frozen=True)
class DemoMember:
    full_name: str
    position: str
    role: str
    fields: tuple[str, ...] = ()
    username: str = ""


STEERING = [
    DemoMember("Nguyễn Văn Thành (minh họa)", "Bí thư Đảng ủy xã – Trưởng ban", MemberRole.HEAD),
    DemoMember(
        "Trần Văn Hải (minh họa)",
        "Chủ tịch UBND xã – Phó Trưởng ban thường trực",
        MemberRole.DEPUTY,
    ),
    DemoMember(
        "Lê Thị Hương (minh họa)",
        "Chủ tịch Ủy ban MTTQ xã – Thành viên",
        MemberRole.MEMBER,
        (Field.CULTURE,),
        "mttq",
    ),
    DemoMember(
        "Phạm Văn Long (minh họa)",
        "Trưởng Công an xã – Thành viên",
        MemberRole.MEMBER,
        (Field.SECURITY,),
    ),
]
MANAGEMENT = [
    DemoMember(
        "Trần Văn Hải (minh họa)",
        "Chủ tịch UBND xã – Trưởng ban",
        MemberRole.HEAD,
        (),
        "xa",
    ),
    DemoMember(
        "Hoàng Văn Bình (minh họa)",
        "Phó Chủ tịch UBND xã – Phó Trưởng ban",
        MemberRole.DEPUTY,
        (Field.ECONOMY, Field.AGRICULTURE),
    ),
    DemoMember(
        "Đỗ Văn Nam (minh họa)",
        "Công chức Địa chính - Xây dựng - Nông nghiệp - Môi trường – Thành viên",
        MemberRole.MEMBER,
        (Field.PLANNING, Field.TRANSPORT, Field.ENVIRONMENT),
    ),
    DemoMember(
        "Vũ Thị Mai (minh họa)",
        "Công chức Văn hóa - Xã hội – Thành viên",
        MemberRole.MEMBER,
        (Field.CULTURE, Field.EDUCATION, Field.HEALTH),
        "congchuc",
    ),
    DemoMember(
        "Đinh Thị Ngọc (minh họa)",
        "Công chức Lao động - Thương binh và Xã hội – Thành viên",
        MemberRole.MEMBER,
        (Field.LABOUR,),
    ),
    DemoMember(
        "Ngô Thị Lan (minh họa)",
        "Công chức Tài chính - Kế toán – Thành viên",
        MemberRole.MEMBER,
        (Field.FINANCE,),
    ),
    DemoMember(
        "Bùi Văn Tùng (minh họa)",
        "Công chức Văn phòng - Thống kê – Thư ký",
        MemberRole.SECRETARY,
        (Field.JUSTICE,),
    ),
]
CONG_PHEN_BOARD = [
    DemoMember(
        "Nguyễn Văn Đức (minh họa)", "Bí thư Chi bộ thôn Cống Phên – Trưởng ban", MemberRole.HEAD
    ),
    DemoMember(
        "Trần Văn Quang (minh họa)",
        "Trưởng thôn Cống Phên – Phó Trưởng ban",
        MemberRole.DEPUTY,
        (Field.TRANSPORT, Field.ENVIRONMENT),
        "thon",
    ),
    DemoMember(
        "Lê Thị Thu (minh họa)",
        "Chi hội trưởng Phụ nữ thôn – Thành viên",
        MemberRole.MEMBER,
        (Field.ENVIRONMENT,),
    ),
    DemoMember(
        "Phạm Văn Hùng (minh họa)",
        "Trưởng ban Công tác Mặt trận thôn – Thành viên",
        MemberRole.MEMBER,
        (Field.CULTURE,),
    ),
]


def _committee(
    admin: User,
    users: dict[str, User],
    unit: AdminUnit,
    kind: str,
    name: str,
    members: list[DemoMember],
) -> Committee:
    committee = Committee.objects.filter(unit=unit, name=name).first()
    if committee is None:
        committee = committee_create(user=admin, unit=unit, kind=kind, name=name, note=NOTE)
    present = set(committee.members.values_list("full_name", flat=True))
    for spec in members:
        if spec.full_name in present:
            continue
        committee_member_create(
            user=admin,
            committee=committee,
            full_name=spec.full_name,
            position=spec.position,
            role=spec.role,
            fields=spec.fields,
            account=users.get(spec.username) if spec.username else None,
        )
    return committee


@transaction.atomic
def load_organisation_demo(units: dict[str, AdminUnit], users: dict[str, User]) -> None:
    """Committees, the emulation movement and OCOP register of Dương Đức (illustrative)."""
    admin = users["admin"]
    duong_duc = units["07408"]
    cong_phen = units.get("07408.05") or duong_duc.children.get(name="Thôn Cống Phên")
    hong_giang = duong_duc.children.get(name="Thôn Hồng Giang")

    _committee(
        admin,
        users,
        duong_duc,
        CommitteeKind.STEERING,
        "Ban Chỉ đạo xây dựng nông thôn mới xã Dương Đức",
        STEERING,
    )
    _committee(
        admin,
        users,
        duong_duc,
        CommitteeKind.MANAGEMENT,
        "Ban quản lý xây dựng nông thôn mới xã Dương Đức",
        MANAGEMENT,
    )
    _committee(
        admin,
        users,
        cong_phen,
        CommitteeKind.VILLAGE_DEVELOPMENT,
        "Ban phát triển thôn Cống Phên",
        CONG_PHEN_BOARD,
    )

    campaign = EmulationCampaign.objects.filter(unit=duong_duc, name=CAMPAIGN_NAME).first()
    if campaign is None:
        campaign = campaign_create(
            user=admin,
            unit=duong_duc,
            name=CAMPAIGN_NAME,
            start_date=dt.date(2023, 1, 1),
            end_date=dt.date(2025, 12, 31),
            description=CAMPAIGN_NOTE,
        )
    if not campaign.awards.exists():
        award_create(
            user=admin,
            campaign=campaign,
            recipient_kind=RecipientKind.COLLECTIVE,
            recipient_name="Ban phát triển thôn Cống Phên",
            village=cong_phen,
            form="Giấy khen",
            awarded_by="Chủ tịch UBND xã Dương Đức",
            decision_date=dt.date(2024, 12, 20),
            reason=(
                "Tập thể tiêu biểu trong xây dựng thôn nông thôn mới kiểu mẫu năm 2024 "
                "(khen thưởng minh họa, demo)."
            ),
        )
        award_create(
            user=admin,
            campaign=campaign,
            recipient_kind=RecipientKind.INDIVIDUAL,
            recipient_name="Nguyễn Thị Hòa (minh họa)",
            village=hong_giang,
            form="Giấy khen",
            awarded_by="Chủ tịch UBND xã Dương Đức",
            decision_date=dt.date(2024, 12, 20),
            reason=(
                "Hiến đất, góp ngày công mở rộng đường thôn Hồng Giang "
                "(khen thưởng minh họa, demo)."
            ),
        )

    for name, producer, certified, expires in [
        (
            "Gạo nếp cái hoa vàng Hồng Giang (minh họa)",
            "HTX Nông nghiệp Hồng Giang (minh họa)",
            dt.date(2023, 9, 15),
            dt.date(2026, 9, 14),
        ),
        (
            "Mật ong Hồng Giang (minh họa)",
            "Hộ kinh doanh Nguyễn Văn Tâm (minh họa)",
            dt.date(2024, 5, 20),
            dt.date(2027, 5, 19),
        ),
    ]:
        if OcopProduct.objects.filter(unit=duong_duc, name=name).exists():
            continue
        ocop_product_create(
            user=admin,
            unit=duong_duc,
            village=hong_giang,
            name=name,
            producer=producer,
            stars=3,
            certification_date=certified,
            expiry_date=expires,
            notes=OCOP_NOTE,
        )
