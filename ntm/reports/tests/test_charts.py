"""Charts are drawn on the server, deterministic, with Vietnamese glyphs."""

import io
from decimal import Decimal

from django.utils import translation
from PIL import Image

from ntm.reports.charts import DPI, bar_chart, criteria_met_chart, vnd


def test_criteria_met_chart_png_and_svg():
    points = [("2024Q1", 12), ("2024Q2", 12), ("2024Q3", 12), ("2024Q4", 13)]
    with translation.override("vi"):
        chart = criteria_met_chart(points, 19, title="Số tiêu chí đạt — Dương Đức", target=13)
        again = criteria_met_chart(points, 19, title="Số tiêu chí đạt — Dương Đức", target=13)
    image = Image.open(io.BytesIO(chart.png))
    assert image.format == "PNG"
    assert image.size == (int(16 / 2.54 * DPI), int(8 / 2.54 * DPI))
    assert chart.svg.startswith("<svg")
    assert "<title>Số tiêu chí đạt — Dương Đức</title>" in chart.svg
    assert "<text" not in chart.svg  # glyphs are paths: no font needed to print them
    assert "Mục tiêu: 13/19" in chart.svg  # matplotlib keeps each text as a comment
    assert chart.png == again.png and chart.svg == again.svg


def test_bar_chart_groups_thousands_with_dots():
    assert vnd(Decimal("1234567")) == "1.234.567"
    chart = bar_chart(
        ["Ngân sách trung ương", "Nhân dân đóng góp"],
        [Decimal("1234567000"), 120000000],
        title="Nguồn vốn theo nguồn",
        unit_label="đồng",
    )
    assert "1.234.567.000" in chart.svg
    assert "<title>Nguồn vốn theo nguồn</title>" in chart.svg
    assert Image.open(io.BytesIO(chart.png)).width == int(16 / 2.54 * DPI)
    different = bar_chart(["A"], [5], title="Nguồn vốn theo nguồn")
    assert different.png != chart.png
