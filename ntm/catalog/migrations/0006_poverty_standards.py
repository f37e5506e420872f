"""The two multidimensional poverty standards a commune's figures of 2022–2030 are measured
against (../shared/domain/criteria-reference.yaml, poverty_standards)."""

import datetime as dt

from django.db import migrations

STANDARDS = [
    {
        "kind": "poverty",
        "code": "ngheo-da-chieu-2022-2025",
        "name_vi": "Chuẩn nghèo đa chiều giai đoạn 2022–2025",
        "legal_basis": "Nghị định 07/2021/NĐ-CP ngày 27/01/2021, Điều 3; sửa đổi bởi Nghị định "
        "30/2025/NĐ-CP; áp dụng đến hết 31/12/2026",
        "valid_from": dt.date(2022, 1, 1),
        "valid_to": dt.date(2026, 12, 31),
        "verified": True,
        "note": "Nông thôn: thu nhập bình quân đầu người từ 1.500.000 đồng/tháng trở xuống; "
        "thành thị: 2.000.000 đồng/tháng.",
    },
    {
        "kind": "poverty",
        "code": "ngheo-da-chieu-2027-2030",
        "name_vi": "Chuẩn nghèo đa chiều giai đoạn 2027–2030",
        "legal_basis": "Nghị định về chuẩn nghèo đa chiều quốc gia giai đoạn 2026–2030 (số hiệu "
        "chưa thu thập được)",
        "valid_from": dt.date(2027, 1, 1),
        "valid_to": dt.date(2030, 12, 31),
        "verified": False,
        "note": "Theo báo chí: nông thôn 2.200.000 đồng/người/tháng, thành thị 2.800.000 — chưa "
        "đối chiếu văn bản.",
    },
]


def seed(apps, schema_editor):
    Standard = apps.get_model("catalog", "Standard")
    for row in STANDARDS:
        Standard.objects.update_or_create(code=row["code"], defaults=row)


def unseed(apps, schema_editor):
    apps.get_model("catalog", "Standard").objects.filter(
        code__in=[row["code"] for row in STANDARDS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_standards")]
    operations = [migrations.RunPython(seed, unseed)]
