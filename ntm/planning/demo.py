"""Dương Đức's 2024 NTM plan (../shared/domain reference plan) entered as demo data.

Targets, solution areas, tasks and responsible bodies follow the plan's text; the people named
as responsible officials, the progress updates and the obstacle are illustrative. Idempotent.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from ntm.catalog.models import CriteriaSet
from ntm.geo.models import AdminUnit
from ntm.planning import services
from ntm.planning.models import Plan, Snapshot, TargetKind, TargetStatus

END = dt.date(2024, 12, 31)
ADVANCED = "xa-ntm-nang-cao-2021-2025"
MODEL_VILLAGE = "thon-ntm-kieu-mau-bac-giang-minh-hoa"

LEGAL_BASIS = """Căn cứ Kế hoạch số 22/KH-UBND ngày 07/02/2024 của UBND huyện Lạng Giang về việc triển khai thực hiện Chương trình mục tiêu Quốc gia xây dựng nông thôn mới năm 2024 trên địa bàn huyện Lạng Giang;
Căn cứ Nghị quyết số 120-NQ/ĐU ngày 09/02/2023 của Đảng ủy xã Dương Đức; Kế hoạch số 16/KH-UBND ngày 13/02/2023 của UBND xã Dương Đức về việc nâng cao các tiêu chí xã nông thôn mới, xây dựng xã nông thôn mới nâng cao, thôn nông thôn mới kiểu mẫu giai đoạn 2023-2025;"""
PURPOSES = """Triển khai kịp thời, có hiệu quả các mục tiêu, nhiệm vụ, giải pháp mà Nghị quyết Đại hội đại biểu Đảng bộ xã lần thứ XXV (nhiệm kỳ 2020-2025) về xây dựng nông thôn mới xã Dương Đức đến năm 2025 đề ra.
Nâng cao chất lượng các tiêu chí xã nông thôn mới; triển khai xây dựng xã nông thôn mới nâng cao, thôn nông thôn mới kiểu mẫu.
Tuyên truyền, phổ biến sâu rộng về mục đích, ý nghĩa, nội dung Chương trình mục tiêu quốc gia xây dựng nông thôn mới giai đoạn 2021-2025 đến toàn thể cán bộ, đảng viên và nhân dân."""
REQUIREMENTS = """Xác định xây dựng nông thôn mới là chương trình phát triển kinh tế-xã hội tổng thể, toàn diện, lâu dài, thường xuyên và liên tục trong khu vực nông thôn.
Làm tốt công tác tuyên truyền, vận động nhân dân nâng cao tinh thần cộng đồng nhằm huy động các nguồn lực, lồng ghép các chương trình.
Công tác lãnh, chỉ đạo của các cấp ủy đảng, chính quyền phải thật sự quyết liệt, sâu sát, có kế hoạch, lộ trình cụ thể.
Phát huy nội lực của cộng đồng dân cư; các nội dung xây dựng nông thôn mới phải được người dân bàn bạc dân chủ, công khai để quyết định và tổ chức thực hiện."""
RECIPIENTS = """Ban Chỉ đạo xây dựng nông thôn mới huyện;
Phòng Nông nghiệp và PTNT;
TT Đảng uỷ, TT HĐND xã;
Chủ tịch, PCT UBND xã;
Các thành viên Ban quản lý xây dựng NTM xã;
Các ông Trưởng thôn;
Lưu: VP UBND."""

# (area, description, organisations, criteria, deadline, responsible user, progress [(date, %, note)])
TASKS: list[tuple[str, str, list[str], list[int], dt.date, str, list[tuple[dt.date, int, str]]]] = [
    (
        "leadership",
        "Kiện toàn Ban Chỉ đạo, Ban quản lý xây dựng nông thôn mới xã, Ban phát triển thôn; phân công thành viên phụ trách từng tiêu chí, từng thôn.",
        ["ubnd"],
        [],
        dt.date(2024, 3, 31),
        "xa",
        [(dt.date(2024, 3, 28), 100, "Đã ban hành quyết định kiện toàn và phân công (minh họa).")],
    ),
    (
        "leadership",
        "Ban quản lý xây dựng nông thôn mới xã báo cáo tiến độ hằng quý, 6 tháng; tổ chức hội nghị giao ban, sơ kết theo quy định.",
        ["ubnd", "officials"],
        [],
        END,
        "xa",
        [(dt.date(2024, 7, 5), 50, "Đã báo cáo quý I, quý II và sơ kết 6 tháng (minh họa).")],
    ),
    (
        "propaganda",
        "Tuyên truyền, vận động cả hệ thống chính trị và nhân dân tham gia xây dựng nông thôn mới nâng cao, thôn kiểu mẫu; vận động xã hội hóa.",
        ["mttq", "women", "youth", "farmers", "veterans"],
        [],
        END,
        "",
        [],
    ),
    (
        "infrastructure",
        "Hoàn thiện hệ thống đài truyền thanh đến các thôn, ứng dụng công nghệ thông tin trong quản lý, điều hành và dịch vụ công trực tuyến (tiêu chí 8).",
        ["officials"],
        [8],
        dt.date(2024, 11, 30),
        "congchuc",
        [
            (dt.date(2024, 6, 15), 40, "Lắp đặt cụm loa tại 4/6 thôn (minh họa)."),
            (
                dt.date(2024, 11, 20),
                100,
                "Hoàn thành; hồ sơ dịch vụ công trực tuyến đạt yêu cầu (minh họa).",
            ),
        ],
    ),
    (
        "infrastructure",
        "Tiếp tục đầu tư, duy tu, bảo dưỡng đường giao thông, thủy lợi, cơ sở vật chất văn hóa, hạ tầng thương mại (tiêu chí 2, 3, 6, 7).",
        ["ubnd", "village_boards"],
        [2, 3, 6, 7],
        END,
        "",
        [(dt.date(2024, 9, 30), 60, "Duy tu 3,2 km đường xã (minh họa).")],
    ),
    (
        "production",
        "Phát triển vùng sản xuất tập trung gắn với liên kết chuỗi giá trị; phấn đấu xây dựng 01 sản phẩm OCOP 4 sao (tiêu chí 13).",
        ["farmers", "officials"],
        [13],
        dt.date(2024, 10, 31),
        "",
        [(dt.date(2024, 8, 10), 30, "Chọn sản phẩm, đang hoàn thiện hồ sơ (minh họa).")],
    ),
    (
        "production",
        "Củng cố, nâng cao hiệu quả hoạt động của HTX nông nghiệp theo Luật Hợp tác xã năm 2012.",
        ["farmers"],
        [13],
        END,
        "",
        [],
    ),
    (
        "environment",
        "Thu gom, xử lý rác thải, vệ sinh định kỳ hằng tháng; nhân rộng mô hình phân loại rác tại hộ gia đình, tuyến đường hoa - cây xanh (tiêu chí 17, 18).",
        ["women", "youth", "village_boards"],
        [17, 18],
        END,
        "",
        [(dt.date(2024, 9, 30), 55, "Phân loại rác tại 62% số hộ (minh họa).")],
    ),
    (
        "social",
        "Giữ vững 03 trường học đạt chuẩn quốc gia mức độ 1; nâng cao chất lượng giáo dục; duy trì Bộ tiêu chí quốc gia về y tế xã.",
        ["officials"],
        [5, 14],
        END,
        "congchuc",
        [(dt.date(2024, 9, 30), 75, "Cả 3 trường duy trì chuẩn (minh họa).")],
    ),
    (
        "social",
        "Vận động nhân dân tham gia bảo hiểm y tế, đạt tỷ lệ 99,7%.",
        ["officials", "mttq"],
        [14],
        END,
        "congchuc",
        [],
    ),
    (
        "security",
        "Giữ vững an ninh chính trị, trật tự an toàn xã hội; thực hiện tốt hòa giải ở cơ sở; xây dựng lực lượng dân quân vững mạnh (tiêu chí 19).",
        ["officials"],
        [19],
        END,
        "",
        [],
    ),
    (
        "resources",
        "UBND xã phân bổ mức hỗ trợ cho các thôn xây dựng nông thôn mới giai đoạn 2023-2025; lồng ghép các nguồn vốn; vận động nhân dân đóng góp, hiến đất, ngày công.",
        ["ubnd", "village_boards"],
        [],
        END,
        "xa",
        [],
    ),
    (
        "resources",
        "Xây dựng thôn Cống Phên đạt chuẩn thôn nông thôn mới kiểu mẫu: nhà văn hóa, sân thể thao, điện chiếu sáng, điểm tập kết rác, mô hình sản xuất.",
        ["village_boards"],
        [],
        END,
        "thon",
        [(dt.date(2024, 10, 15), 80, "Hoàn thành nhà văn hóa và điện chiếu sáng (minh họa).")],
    ),
]


def load_plan_demo(units: dict[str, AdminUnit], users: dict[str, Any]) -> Plan:
    duong_duc = units["07408"]
    existing = Plan.objects.filter(unit=duong_duc, year=2024).first()
    if existing is not None:
        return existing
    xa = users["xa"]
    plan = services.plan_create(
        user=xa,
        unit=duong_duc,
        year=2024,
        is_demo=True,
        title="Kế hoạch triển khai thực hiện Chương trình mục tiêu Quốc gia xây dựng nông thôn mới năm 2024 trên địa bàn xã Dương Đức",
        issuer="UBND xã Dương Đức",
        signer="KT. Chủ tịch — Phó Chủ tịch Nguyễn Đức Khiêm",
        legal_basis=LEGAL_BASIS,
        purposes=PURPOSES,
        requirements=REQUIREMENTS,
        recipients=RECIPIENTS,
        status=Plan.Status.ISSUED,
    )
    advanced = CriteriaSet.objects.get(code=ADVANCED)
    village_set = CriteriaSet.objects.get(code=MODEL_VILLAGE)

    def target(**kwargs: Any) -> None:
        services.target_add(user=xa, plan=plan, deadline=kwargs.pop("deadline", END), **kwargs)

    target(
        kind=TargetKind.CRITERIA_COUNT,
        criteria_set=advanced,
        count=13,
        title="Hoàn thành 13/19 tiêu chí xã nông thôn mới nâng cao theo bộ tiêu chí giai đoạn 2021-2025",
    )
    target(
        kind=TargetKind.CRITERION,
        criteria_set=advanced,
        criterion_number=8,
        title="Đến quý IV/2024 hoàn thành thêm tiêu chí 08 về thông tin và truyền thông",
    )
    for village in duong_duc.children.order_by("code"):
        if village.name in {"Thôn Thượng", "Thôn Cầu Đàm", "Thôn Cầu Ván", "Thôn Đồng Than"}:
            target(
                kind=TargetKind.VILLAGE_SET,
                criteria_set=village_set,
                village=village,
                title=f"{village.name}: duy trì, nâng cao chất lượng tiêu chí thôn nông thôn mới kiểu mẫu",
            )
        elif village.name == "Thôn Cống Phên":
            target(
                kind=TargetKind.VILLAGE_SET,
                criteria_set=village_set,
                village=village,
                title="Hoàn thành xây dựng thôn Cống Phên đạt chuẩn thôn nông thôn mới kiểu mẫu",
            )
    for code, value, title in [
        ("11", "2.21", "Tỷ lệ hộ nghèo 2,21% (chuẩn nghèo theo Nghị định số 07/2021/NĐ-CP)"),
        ("12.1", "76", "Tỷ lệ lao động qua đào tạo đạt 76%"),
        ("18.2", "100", "Tỷ lệ dân số nông thôn sử dụng nước hợp vệ sinh đạt 100%"),
        ("5.1", "3", "Duy trì và giữ vững 3 trường học đạt chuẩn quốc gia"),
        ("6.2", "96", "Tỷ lệ gia đình đạt tiêu chuẩn gia đình văn hóa đạt 96%"),
        ("6.1", "80", "Tỷ lệ làng đạt danh hiệu làng văn hóa đạt 80%"),
        ("14.2", "99.7", "Tỷ lệ người dân có bảo hiểm y tế đạt 99,7%"),
    ]:
        target(
            kind=TargetKind.INDICATOR,
            criteria_set=advanced,
            indicator_code=code,
            value=Decimal(value),
            title=title,
        )
    target(
        kind=TargetKind.QUALITATIVE,
        title="Tổ chức hội nghị sơ kết 6 tháng, tổng kết năm về xây dựng nông thôn mới",
        manual_status=TargetStatus.ACHIEVED,
        manual_reason="Đã tổ chức sơ kết tháng 7 và tổng kết tháng 12/2024 (minh họa).",
    )
    # Computed from the OCOP register: only certified products count.
    target(kind=TargetKind.OCOP, count=1, stars=4, title="Phấn đấu xây dựng 01 sản phẩm OCOP 4 sao")

    areas = {a.code: a for a in plan.areas.all()}
    created = {}
    for area, description, organisations, criteria, deadline, who, updates in TASKS:
        task = services.task_add(
            user=xa,
            plan=plan,
            area=areas[area],
            description=description,
            deadline=deadline,
            start=dt.date(2024, 3, 15),
            responsible_user=users.get(who) if who else None,
            organisations=organisations,
            criteria=criteria,
        )
        created[description[:20]] = task
        for date, percent, note in updates:
            services.progress_add(
                user=users.get(who) or xa, task=task, date=date, percent=percent, note=note
            )
    ocop = next(t for t in plan.tasks.all() if "OCOP" in t.description)
    obstacle = services.obstacle_raise(
        user=xa,
        plan=plan,
        task=ocop,
        criterion_number=13,
        raised_on=dt.date(2024, 9, 12),
        description="Chủ thể sản xuất chưa đủ điều kiện về bao bì, nhãn mác và truy xuất nguồn gốc để đánh giá 4 sao; cần hỗ trợ kinh phí và hướng dẫn của cấp trên (minh họa).",
    )
    services.obstacle_escalate(user=xa, obstacle=obstacle, level="province")
    for period in ("2024Q1", "2024Q4"):
        if not Snapshot.objects.filter(plan=plan, period=period).exists():
            services.snapshot_take(user=xa, plan=plan, period=period)
    return plan
