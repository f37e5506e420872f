"""Money in Vietnamese format: 1.250.000 (whole dong), quantities with a decimal comma."""

from collections.abc import Sequence
from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join

from ntm.finance.models import Work
from ntm.finance.selectors import predecessor_works, works_in_progress
from ntm.geo.models import AdminUnit, Succession

register = template.Library()


@register.filter
def vnd(amount: Decimal | int | None) -> str:
    if amount is None:
        return "—"
    return number_format(Decimal(amount), decimal_pos=0, use_l10n=True, force_grouping=True)


@register.filter
def qty(amount: Decimal | None) -> str:
    if amount is None:
        return "—"
    normal = Decimal(amount).normalize()
    exponent = normal.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return number_format(normal, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def pct(amount: Decimal | None) -> str:
    if amount is None:
        return "—"
    return number_format(Decimal(amount), decimal_pos=1, use_l10n=True) + "%"


@register.simple_tag
def mobilisation_chart(table: object) -> str:
    """Horizontal bars of the mobilisation table's totals by source, as inline SVG (no script)."""
    bars = table.chart  # type: ignore[attr-defined]
    if not bars:
        return ""
    label_width, bar_width, row_height = 230, 360, 22
    height = row_height * len(bars) + 4
    rows = format_html_join(
        "",
        '<g transform="translate(0,{})"><text x="0" y="15">{}</text>'
        '<rect class="bar{}" x="{}" y="3" width="{}" height="15" rx="2"></rect>'
        '<text x="{}" y="15">{}</text></g>',
        (
            (
                i * row_height,
                row.label,
                " people" if row.is_people else "",
                label_width,
                (length * bar_width / 100).quantize(Decimal("0.1")),
                label_width + (length * bar_width / 100).quantize(Decimal("0.1")) + 4,
                pct(row.share),
            )
            for i, (row, length) in enumerate(bars)
        ),
    )
    return format_html(
        # The table beside it carries the same figures for screen readers.
        '<svg class="chart" viewBox="0 0 {} {}" aria-hidden="true">{}</svg>',
        label_width + bar_width + 60,
        height,
        rows,
    )


@register.simple_tag
def commune_chart(breakdown: object) -> str:
    """One bar per commune (its total), as inline SVG, for a province's or district's overview."""
    bars = breakdown.chart  # type: ignore[attr-defined]
    if not bars:
        return ""
    label_width, bar_width, row_height = 230, 360, 22
    height = row_height * len(bars) + 4
    rows = format_html_join(
        "",
        '<g transform="translate(0,{})"><text x="0" y="15">{}</text>'
        '<rect class="bar" x="{}" y="3" width="{}" height="15" rx="2"></rect>'
        '<text x="{}" y="15">{}</text></g>',
        (
            (
                i * row_height,
                row.commune.name,
                label_width,
                (length * bar_width / 100).quantize(Decimal("0.1")),
                label_width + (length * bar_width / 100).quantize(Decimal("0.1")) + 4,
                vnd(row.total),
            )
            for i, (row, length) in enumerate(bars)
        ),
    )
    return format_html(
        # The table beside it carries the same figures for screen readers.
        '<svg class="chart" viewBox="0 0 {} {}" aria-hidden="true">{}</svg>',
        label_width + bar_width + 110,
        height,
        rows,
    )


@register.simple_tag
def inherited_works(successions: Sequence[Succession]) -> list[Work]:
    """Unfinished works of the predecessors, which the successor may take over."""
    return predecessor_works([s.predecessor for s in successions])


@register.simple_tag
def works_in_progress_of(unit: AdminUnit) -> list[Work]:
    return works_in_progress(unit)
