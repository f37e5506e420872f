from ntm.portal.charts import HistoryPoint, history_svg


def test_history_chart_is_an_inline_svg_with_one_bar_per_period():
    svg = history_svg(
        [HistoryPoint("2024Q1", 12, 19), HistoryPoint("2024Q4", 13, 19)], title="Tiêu chí đạt"
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('class="met"') == 2
    assert "12/19" in svg and "13/19" in svg and "2024Q4" in svg


def test_history_chart_escapes_its_labels_and_is_empty_without_points():
    assert history_svg([], title="x") == ""
    svg = history_svg([HistoryPoint("<b>", 0, 0)], title="<script>")
    assert "<script>" not in svg and "<b>" not in svg
