"""Seed the two recognition workflows: 2021–2025 (18/2022/QĐ-TTg) and the two-tier variant."""

import datetime as dt

from django.db import migrations

COMMUNE = "commune_manager"
FRONT = "fatherland_front"
APPRAISER = "province_appraiser"
PROVINCE = "province_admin"

# (code, name, role, deadline in days, rule)
STEPS_2021 = [
    ("report", "Chuẩn bị báo cáo kết quả xây dựng NTM", COMMUNE, 30, "none"),
    ("comments", "Lấy ý kiến tham gia của MTTQ và các tổ chức chính trị - xã hội", COMMUNE, 15, "comments"),
    ("posting", "Công bố công khai (ít nhất 5 lần trong 15 ngày)", COMMUNE, 15, "posting"),
    ("survey", "Khảo sát sự hài lòng của người dân (MTTQ)", FRONT, 30, "survey"),
    ("vote", "Họp đề nghị xét công nhận (biểu quyết)", COMMUNE, 10, "vote"),
    ("district", "Thẩm định cấp huyện", APPRAISER, 20, "appraisal"),
    ("province", "Thẩm định cấp tỉnh", APPRAISER, 20, "appraisal"),
    ("decision", "Quyết định công nhận của Chủ tịch UBND tỉnh", PROVINCE, 10, "decision"),
]
WORKFLOWS = [
    (
        "18-2022-qd-ttg",
        "2021–2025 (18/2022/QĐ-TTg)",
        "Quyết định số 18/2022/QĐ-TTg, sửa đổi bởi 03/2024/QĐ-TTg",
        dt.date(2022, 8, 2),
        dt.date(2025, 6, 30),
        STEPS_2021,
    ),
    (
        "hai-cap-2025",
        "Chính quyền hai cấp từ 1/7/2025",
        "18/2022/QĐ-TTg; chính quyền địa phương hai cấp từ 1/7/2025 (không còn cấp huyện)",
        dt.date(2025, 7, 1),
        None,
        [s for s in STEPS_2021 if s[0] != "district"],
    ),
]


def seed(apps, schema_editor):
    Workflow = apps.get_model("recognition", "Workflow")
    Step = apps.get_model("recognition", "Step")
    for code, name, basis, valid_from, valid_to, steps in WORKFLOWS:
        workflow, created = Workflow.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "legal_basis": basis,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "posting_min_count": 5,
                "posting_within_days": 15,
            },
        )
        if created:
            Step.objects.bulk_create(
                Step(
                    workflow=workflow,
                    position=i,
                    code=s_code,
                    name=s_name,
                    role=role,
                    deadline_days=days,
                    rule=rule,
                )
                for i, (s_code, s_name, role, days, rule) in enumerate(steps, 1)
            )


def unseed(apps, schema_editor):
    apps.get_model("recognition", "Workflow").objects.filter(
        code__in=[w[0] for w in WORKFLOWS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("recognition", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
