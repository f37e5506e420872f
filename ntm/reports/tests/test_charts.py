"""Charts are drawn on the server, deterministic, with Vietnamese glyphs."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import translation
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ntm.engine.periods import parse_period
from ntm.geo.models import AdminUnit
from ntm.reports import charts, mobilisation, progress, rollup
from ntm.reports.charts import DPI, bar_chart, criteria_met_chart, short_amount, vnd
from ntm.reports.document import Header, Signature
from ntm.reports.tests.demo_module import demo_db  # noqa: F401  (module-scoped fixture)


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


def test_bar_chart_abbreviates_amounts_the_vietnamese_way():
    assert vnd(Decimal("1234567")) == "1.234.567"
    with translation.override("vi"):
        chart = bar_chart(
            ["Ngân sách trung ương", "Nhân dân đóng góp"],
            [Decimal("1234567000"), 120000000],
            title="Nguồn vốn theo nguồn",
            unit_label="đồng",
        )
    assert "1,23 tỷ" in chart.svg and "120 tr" in chart.svg  # the bars' values
    assert "<title>Nguồn vốn theo nguồn</title>" in chart.svg
    assert Image.open(io.BytesIO(chart.png)).width == int(16 / 2.54 * DPI)
    different = bar_chart(["A"], [5], title="Nguồn vốn theo nguồn")
    assert different.png != chart.png


def test_short_amounts():
    with translation.override("vi"):
        assert short_amount(Decimal("1200000000")) == "1,2 tỷ"
        assert short_amount(500_000_000) == "500 tr"
        assert short_amount(Decimal("1715000000")) == "1,72 tỷ"  # half-up, two decimals
        assert short_amount(Decimal("3456789012345")) == "3.456,79 tỷ"
        assert short_amount(2500.0) == "2,5 nghìn"
        assert short_amount(Decimal("33.3")) == "33,3" and short_amount(0) == "0"


# No two tick labels (nor two bar labels) meet, and none leaves the figure: measured on the
# figures the reports draw, from the boxes matplotlib's renderer gives each drawn text.


def text_clashes(figure) -> list[str]:
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    whole = figure.bbox
    clashes = []
    for axes in figure.axes:
        groups = {"bar labels": [t for t in axes.texts if t.get_visible() and t.get_text()]}
        for name, axis in (("x", axes.xaxis), ("y", axes.yaxis)):
            low, high = sorted(axis.get_view_interval())
            groups[f"{name} ticks"] = [
                tick.label1
                for tick in axis.get_major_ticks()
                if tick.get_loc() is not None
                and low <= tick.get_loc() <= high
                and tick.label1.get_visible()
                and tick.label1.get_text()
            ]
        for group, texts in groups.items():
            boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
            for index, (text, box) in enumerate(boxes):
                if box.x0 < whole.x0 - 1 or box.x1 > whole.x1 + 1 or box.y0 < whole.y0 - 1:
                    clashes.append(f"{group}: {text!r} leaves the figure")
                for other, other_box in boxes[index + 1 :]:
                    if box.overlaps(other_box):
                        clashes.append(f"{group}: {text!r} meets {other!r}")
    return clashes


@pytest.fixture
def figures(monkeypatch):
    """Every figure a chart function saves, as drawn."""
    drawn = []
    save = charts._save

    def keep(figure, title, width_cm):
        drawn.append(figure)
        return save(figure, title, width_cm)

    monkeypatch.setattr(charts, "_save", keep)
    return drawn


def test_the_clash_check_sees_overlapping_labels():
    figure = Figure(figsize=(3, 2))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_xticks(range(8), [f"{n}00.000.000" for n in range(8)])  # as the issue found them
    assert any("meets" in clash for clash in text_clashes(figure))


def test_the_demos_charts_read(db, demo_db, figures):  # noqa: F811
    def unit(code):
        return AdminUnit.objects.get(code=code, valid_from=None)

    with translation.override("vi"):
        progress.document_for(progress.data_for(unit=unit("07408"), period=parse_period("2024Q4")))
        for code in ("07408", "24"):
            data = mobilisation.data_for(unit=unit(code), period=parse_period("2024"))
            mobilisation.document_for(data)
        rollup.document_for(rollup.data_for(unit=unit("24"), period=parse_period("2024Q4")))
    assert len(figures) == 5
    for figure in figures:
        assert text_clashes(figure) == []
    funds = figures[1]
    assert "400 tr" in [t.get_text() for t in funds.axes[0].texts]


def _source(label: str, total: Decimal) -> mobilisation.SourceRow:
    return mobilisation.SourceRow("other", label, total, None, "", Decimal(0), total, Decimal(10))


def test_a_large_provinces_charts_read(figures):
    """A synthetic province: 900 communes, trillions of dong, a criteria history of ten years."""
    amounts = [Decimal(3456789012345), Decimal(987654321098), Decimal(45678901234), Decimal(9000)]
    sources = [_source(f"Nguồn vốn số {n}", amount) for n, amount in enumerate(amounts, 1)]
    communes = [
        mobilisation.CommuneRow(f"{n:05d}", f"Xã {n}", Decimal(n) * 10**9, Decimal(0), 0, 0)
        for n in range(900)
    ]
    data = mobilisation.MobilisationData(
        unit_name="Tỉnh Thử",
        unit_code="99",
        level=1,
        year=2024,
        header=Header(issuer="UBND TỈNH THỬ"),
        rows=sources,
        cash=sum(amounts),
        non_cash_value=Decimal(0),
        total=sum(amounts),
        people_total=Decimal(0),
        signature=Signature(),
        read_at=dt.datetime(2025, 1, 5, tzinfo=dt.UTC),
        data_version="",
        filename="x",
        communes=communes,
        communes_total=communes[0],
    )
    quarters = [f"Quý {q}/{y}" for y in range(2015, 2025) for q in ("I", "II", "III", "IV")]
    with translation.override("vi"):
        mobilisation.document_for(data)
        criteria_met_chart([(q, 5 + n // 4) for n, q in enumerate(quarters)], 19, title="Kỳ")
        criteria_met_chart([(q, 7) for q in quarters * 3], 19, title="120 kỳ", width_cm=8)
        bar_chart(["A", "B"], amounts[:2], title="Hẹp", width_cm=6)
    assert len(figures) == 4
    for figure in figures:
        assert text_clashes(figure) == []
    ticks = [t.get_text() for t in figures[0].axes[0].get_xticklabels()]
    assert any(text.endswith(" tỷ") for text in ticks)
