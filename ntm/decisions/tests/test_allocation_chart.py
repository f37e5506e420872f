"""The allocation's chart: every commune with a path as a bar of its cost, the funded ones
highlighted; on the page as inline SVG and in the XLSX export as a picture."""

import re
from decimal import Decimal
from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from ntm.decisions.charts import FUNDED, NOT_FUNDED, allocation_chart
from ntm.decisions.selectors import allocation_for


def _found(province, family, budget):
    return allocation_for(province=province, family=family, period="2024Q2", budget=budget)


def test_the_chart_highlights_the_funded_commune(province, two_communes):
    found = _found(province, two_communes, Decimal(1_300_000_000))
    chart = allocation_chart(found, Decimal(1_300_000_000))
    assert chart is not None
    svg = str(chart.svg)
    assert svg.startswith('<svg class="allocation-chart" role="img"')
    assert "<title>Chi phí con đường rẻ nhất của từng xã" in svg
    # Tân Thanh (500 triệu) is funded, Dương Đức (1,2 tỷ) is not: cheapest first.
    assert re.search(r'id="funded-0"', svg) and re.search(r'id="not-funded-1"', svg)
    assert FUNDED.lower() in svg.lower() and NOT_FUNDED.lower() in svg.lower()
    assert "+1 tiêu chí" in svg and "+2 tiêu chí" in svg  # matplotlib keeps texts as comments
    assert chart.png.startswith(b"\x89PNG")
    # A larger budget funds both: no bar is left grey.
    both = allocation_chart(_found(province, two_communes, Decimal(2 * 10**9)), Decimal(2 * 10**9))
    assert both is not None and "not-funded" not in str(both.svg)


def test_no_chart_without_a_commune_that_needs_money(province, recorded):
    found = _found(province, recorded, Decimal(10**9))
    assert allocation_chart(found, Decimal(10**9)) is None


def test_the_page_and_the_export_carry_the_chart(persona, client, province, two_communes):
    persona("tinh")
    url = reverse("decisions:allocation", args=[province.pk, two_communes.code])
    text = client.get(url, {"budget": "1300000000"}).content.decode()
    assert '<figure class="chart"><svg class="allocation-chart"' in text
    response = client.get(url, {"budget": "1300000000", "export": "xlsx"})
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["allocation", "chart"]
    assert workbook["chart"]["A1"].value.startswith("Chi phí con đường rẻ nhất")
    assert len(workbook["chart"]._images) == 1
