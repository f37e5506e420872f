"""A province's allocation on stored results and costs: the selector and ``manage.py allocate``."""

import json
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from ntm.decisions.selectors import allocation_for, plan_cheapest
from ntm.decisions.services import gap_cost_set
from ntm.evaluation.actions import value_record
from ntm.geo.models import AdminUnit


def test_the_budget_goes_to_the_communes_it_brings_to_the_standard(province, two_communes):
    found = allocation_for(
        province=province,
        family=two_communes,
        period="2024Q2",
        budget=Decimal(1_300_000_000),
    )
    assert [c.id for c in found.allocation.chosen] == ["07411"]
    assert found.allocation.cost == Decimal(500_000_000)
    assert dict((c.id, r) for c, r in found.allocation.not_chosen) == {"07408": "budget"}
    assert sorted(u.code for u in found.no_result) == ["07420", "07429"]
    assert found.communes["07408"].path.cost == Decimal(1_200_000_000)
    both = allocation_for(
        province=province, family=two_communes, period="2024Q2", budget=Decimal(1_700_000_000)
    )
    assert [c.id for c in both.allocation.chosen] == ["07408", "07411"]
    assert both.allocation.reached == 2
    # To 2 criteria Dương Đức needs only 2 (300 triệu) and Tân Thanh is there already.
    two = allocation_for(
        province=province,
        family=two_communes,
        period="2024Q2",
        budget=Decimal(400_000_000),
        target=2,
    )
    assert [c.id for c in two.allocation.chosen] == ["07408"]
    assert two.allocation.cost == Decimal(300_000_000)
    assert dict((c.id, r) for c, r in two.allocation.not_chosen) == {"07411": "already"}


def test_a_floor_on_a_district_without_a_path_is_explained(province, two_communes):
    found = allocation_for(
        province=province,
        family=two_communes,
        period="2024Q2",
        budget=Decimal(10**10),
        floors={"217": 3},
    )
    assert not found.allocation.feasible
    assert found.allocation.short == (("217", 3, 2, Decimal(1_700_000_000)),)


def test_the_allocation_costs_five_queries_whatever_the_communes(
    province, two_communes, users, django_assert_num_queries
):
    with django_assert_num_queries(5):
        before = allocation_for(
            province=province, family=two_communes, period="2024Q2", budget=Decimal(10**9)
        )
    # Two more communes with results, costs and works: still five.
    for code in ("07420", "07429"):
        unit = AdminUnit.objects.get(code=code, valid_from=None)
        value_record(
            user=users["admin"],
            unit=unit,
            criteria_set=two_communes,
            code="3",
            period="2024Q2",
            value="không đạt",
        )
        gap_cost_set(
            user=users["admin"], unit=unit, criteria_set=two_communes, indicator_code="3", cost=5
        )
    with django_assert_num_queries(5):
        after = allocation_for(
            province=province, family=two_communes, period="2024Q2", budget=Decimal(10**9)
        )
    assert len(before.no_result) == 2 and after.no_result == []


def _run(*args):
    out = StringIO()
    call_command("allocate", *args, stdout=out)
    return out.getvalue()


def test_allocate_prints_the_choice_as_json(two_communes):
    found = json.loads(
        _run(
            "--province",
            "24",
            "--set",
            two_communes.code,
            "--budget",
            "1.300.000.000",
            "--period",
            "2024Q2",
            "--format",
            "json",
        )
    )
    assert (found["feasible"], found["cost"], found["reached"]) == (True, "500000000", 1)
    assert [(c["code"], c["cost"], c["path"]) for c in found["chosen"]] == [
        ("07411", "500000000", ["3"])
    ]
    assert [(c["code"], c["reason"]) for c in found["not_chosen"]] == [
        ("07408", "budget"),
        ("07420", "no_result"),
        ("07429", "no_result"),
    ]
    assert found["not_chosen"][0]["path"] == ["2", "3"]


def test_allocate_as_text_and_with_floors(two_communes):
    text = _run(
        "--province",
        "24",
        "--set",
        two_communes.code,
        "--budget",
        "2000000000",
        "--period",
        "2024Q2",
    )
    assert "2 xã được chọn" in text and "07408 Xã Dương Đức" in text
    text = _run(
        "--province",
        "24",
        "--set",
        two_communes.code,
        "--budget",
        "2000000000",
        "--period",
        "2024Q2",
        "--floor",
        "217=3",
    )
    assert "217" in text and "1,7 tỷ đồng" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--province", "99", "--budget", "1"], "No province"),
        (["--province", "24", "--budget", "lots"], "--budget"),
        (["--province", "24", "--budget", "1", "--floor", "217"], "--floor"),
        (["--province", "24", "--budget", "1", "--target", "0"], None),
        (["--province", "24", "--budget", "1", "--period", "2024Q9"], None),
    ],
)
def test_allocate_refuses_bad_input_clearly(two_communes, args, message):
    with pytest.raises(CommandError, match=message):
        _run("--set", two_communes.code, *args)


def test_the_province_sees_the_allocation_page(persona, client, province, two_communes):
    persona("tinh")
    url = reverse("decisions:allocation", args=[province.pk, two_communes.code])
    page = client.get(url, {"budget": "1.300.000.000"})
    assert page.status_code == 200
    rows = {r["candidate"].id: r for r in page.context["rows"]}
    assert rows["07411"]["chosen"] and not rows["07408"]["chosen"]
    assert rows["07408"]["reason"] == "đắt hơn số tiền còn lại"
    assert "Xã Xuân Hương" in page.content.decode()
    assert "<td>Huyện Lạng Giang</td>" in page.content.decode()
    bad = client.get(url, {"budget": "nhiều"})
    assert bad.status_code == 200 and bad.context["form"].errors["budget"]
    assert bad.context["found"] is None


def test_the_allocation_page_is_the_province_level_only(persona, client, province, two_communes):
    persona("tinh")
    commune = AdminUnit.objects.get(code="07411")
    url = reverse("decisions:allocation", args=[commune.pk, two_communes.code])
    assert client.get(url).status_code == 404
    persona("xa")
    url = reverse("decisions:allocation", args=[province.pk, two_communes.code])
    assert client.get(url, {"budget": "1"}).status_code in (403, 404)


def test_the_allocation_page_speaks_vietnamese(persona, client, province, two_communes):
    persona("tinh")
    url = reverse("decisions:allocation", args=[province.pk, two_communes.code])
    text = client.get(url, {"budget": "1300000000"}).content.decode()
    assert "Phân bổ ngân sách của tỉnh" in text and "Số xã được cấp vốn: 1" in text


def test_the_allocation_exports_as_xlsx(persona, client, province, two_communes):
    persona("tinh")
    url = reverse("decisions:allocation", args=[province.pk, two_communes.code])
    page = client.get(url, {"budget": "1300000000"})
    assert "export=xlsx" in page.content.decode()
    response = client.get(url, {"budget": "1300000000", "export": "xlsx"})
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:2] == ["Mã", "Xã"]
    by_code = {r[0]: r for r in rows[1:]}
    # Numbers stay numbers; the district is named, not coded.
    assert by_code["07411"][5] == 500000000 and by_code["07411"][6] == "có"
    assert isinstance(by_code["07411"][3], int) and by_code["07411"][2] == "Huyện Lạng Giang"
    assert by_code["07408"][7] == "đắt hơn số tiền còn lại"
    assert by_code["07429"][7] == "chưa có kết quả cho bộ tiêu chí"


@pytest.mark.parametrize("period, target", [("2024Q2", None), ("2024Q1", 2), (None, 3)])
def test_each_commune_path_is_what_plan_cheapest_finds(province, two_communes, period, target):
    """The batched reads give every commune the result and costs plan_cheapest reads alone."""
    found = allocation_for(
        province=province, family=two_communes, period=period, budget=Decimal(10**9), target=target
    )
    for code in ("07408", "07411"):
        row = found.communes[code]
        alone = plan_cheapest(unit=row.unit, family=two_communes, target=target or 3, period=period)
        assert row.result == alone.result
        assert row.path == alone.path
