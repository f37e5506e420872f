"""The criteria count across periods as a small inline SVG bar chart: drawn on the server, no
JavaScript, readable on a phone and printable."""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 320
HEIGHT = 150
TOP = 22  # room for the count above the bars
BOTTOM = 22  # room for the period below
BAR_MAX = 46


@dataclass(frozen=True)
class HistoryPoint:
    period: str
    met: int
    total: int


def history_svg(points: list[HistoryPoint], *, title: str) -> SafeString:
    """Bars of met / total per period, the total drawn as a faint bar behind."""
    if not points:
        return SafeString("")
    slot = WIDTH / len(points)
    bar = min(BAR_MAX, slot * 0.6)
    plot = HEIGHT - TOP - BOTTOM
    parts = []
    for i, p in enumerate(points):
        x = i * slot + (slot - bar) / 2
        h = plot * p.met / p.total if p.total else 0
        y = TOP + plot - h
        cx = x + bar / 2
        parts.append(
            (
                f"{x:.1f}",
                TOP,
                f"{bar:.1f}",
                plot,
                f"{y:.1f}",
                f"{h:.1f}",
                f"{cx:.1f}",
                f"{y - 5:.1f}",
                p.met,
                p.total,
                HEIGHT - 6,
                p.period,
            )
        )
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" class="total"/>'
        '<rect x="{}" y="{}" width="{}" height="{}" class="met"/>'
        '<text x="{}" y="{}" text-anchor="middle" class="count">{}/{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" class="period">{}</text>',
        (
            (x, top, w, plot, x, y, w, h, cx, ty, met, total, cx, py, period)
            for (x, top, w, plot, y, h, cx, ty, met, total, py, period) in parts
        ),
    )
    return format_html(
        '<svg class="history-chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        WIDTH,
        HEIGHT,
        title,
        title,
        bars,
    )
