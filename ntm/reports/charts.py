"""Charts for documents, drawn on the server by matplotlib (Agg, no pyplot state).

Each chart is one figure saved twice: SVG for PDF/HTML (glyphs as paths, so Vietnamese diacritics
print whatever fonts the PDF engine has) and PNG at 150 dpi for Word and Excel. The font is DejaVu
Sans, which matplotlib bundles with every Vietnamese glyph (the Debian Liberation fonts that
matplotlib could otherwise pick lack some). Output is deterministic: the same data gives the same
bytes (fixed SVG id salt, no dates in the metadata).

Tick labels never run into each other, whatever the data: amounts are abbreviated ("1,2 tỷ",
"500 tr"), a value axis takes fewer ticks and a category axis turns its labels, then shows every
second, third … label, until no two labels' boxes meet (``declutter``, measured on the drawn
figure); a bar's value label always fits inside the plot.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from django.utils.translation import gettext as _
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ntm.reports.document import Chart
from ntm.reports.render.text import vn_number

DPI = 150
HEIGHT_CM = 8.0
FONT = "DejaVu Sans"
COLOURS = {"bar": "#2f6f4f", "muted": "#9bb8a7", "target": "#b23a2e", "grid": "#d9d9d9"}
STYLE: Any = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 9,
    "svg.fonttype": "path",
    "svg.hashsalt": "ntm-reports",
    "axes.unicode_minus": False,
}
# rcParams are process-wide: one chart at a time reads them, under this lock.
_LOCK = threading.Lock()


@contextmanager
def _style() -> Iterator[None]:
    with _LOCK, matplotlib.rc_context(STYLE):
        yield


def _figure(width_cm: float, height_cm: float) -> Figure:
    figure = Figure(figsize=(width_cm / 2.54, height_cm / 2.54), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Figure, title: str, width_cm: float) -> Chart:
    svg_buffer = io.StringIO()
    figure.savefig(svg_buffer, format="svg", metadata={"Date": None, "Creator": None})
    png_buffer = io.BytesIO()
    figure.savefig(png_buffer, format="png", dpi=DPI, metadata={"Software": None})
    return Chart(
        title=title,
        svg=_with_title(svg_buffer.getvalue(), title),
        png=png_buffer.getvalue(),
        width_cm=width_cm,
    )


def _with_title(svg: str, title: str) -> str:
    """The bare <svg> element (no XML prolog, so it can sit inside HTML) with a <title>: the
    drawn text is paths, the title keeps it findable and accessible."""
    start = svg.index("<svg")
    end = svg.index(">", start) + 1
    body = svg[end:]
    if "<metadata>" in body:  # RDF boilerplate only (creator, format): not needed in a document
        body = body[: body.index("<metadata>")] + body[body.index("</metadata>") + 11 :]
    return f"{svg[start:end]}\n <title>{escape(title)}</title>{body}"


def vnd(value: Decimal | int | float) -> str:
    """1234567 → "1.234.567"."""
    return vn_number(Decimal(str(value)), 0)


def short_amount(value: Decimal | int | float) -> str:
    """An amount as a chart prints it: 1200000000 → "1,2 tỷ", 500000000 → "500 tr", 2500 →
    "2,5 nghìn" (two decimals at most, half-up); below a thousand the number itself."""
    number = Decimal(str(value))
    scales = (
        (Decimal(10) ** 9, _("%(amount)s bn")),
        (Decimal(10) ** 6, _("%(amount)s M")),
        (Decimal(10) ** 3, _("%(amount)s k")),
    )
    for scale, pattern in scales:
        if abs(number) >= scale:
            return pattern % {"amount": _trimmed(number / scale)}
    return _trimmed(number)


def _trimmed(number: Decimal) -> str:
    rounded = number.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP").normalize()
    return vn_number(rounded.quantize(Decimal(1)) if rounded == rounded.to_integral() else rounded)


def tick_labels(axis: Axis) -> list[Text]:
    """The tick labels an axis draws: inside its view and not blanked (after a draw)."""
    low, high = sorted(axis.get_view_interval())
    margin = (high - low) * 1e-9
    labels = []
    for tick in axis.get_major_ticks():
        location = tick.get_loc()
        if location is None or not low - margin <= location <= high + margin:
            continue
        label = tick.label1
        if label.get_visible() and label.get_text():
            labels.append(label)
    return labels


def _overlap(figure: Figure, axis: Axis) -> bool:
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [label.get_window_extent(renderer) for label in tick_labels(axis)]
    return any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def declutter(figure: Figure, axes: Axes, *, categories: Sequence[str] = ()) -> None:
    """Lays the figure out until no two x tick labels meet. A value axis (no ``categories``)
    takes fewer ticks; a category axis turns its labels to 45° then 90°, then labels only every
    n-th category."""
    figure.tight_layout()
    axis = axes.xaxis
    if not categories:
        for bins in (4, 3, 2, 1):
            if not _overlap(figure, axis):
                return
            axis.set_major_locator(MaxNLocator(nbins=bins))
            figure.tight_layout()
        return
    for rotation in (45, 90):
        if not _overlap(figure, axis):
            return
        axes.tick_params(axis="x", labelrotation=rotation)
        for label in axis.get_ticklabels():
            label.set_horizontalalignment("right" if rotation == 45 else "center")
            label.set_rotation_mode("anchor" if rotation == 45 else "default")
        figure.tight_layout()
    step = 1
    while _overlap(figure, axis) and step < len(categories):
        step += 1
        axes.set_xticks(range(0, len(categories), step), list(categories)[::step])
        figure.tight_layout()


def _spread_bar_labels(figure: Figure, labels: Sequence[Text], bars: Sequence[Any]) -> None:
    """Labels inside narrow bars: turned upright when they would meet, hidden when even then they
    meet or leave their bar (the axis still tells the value)."""

    def clash() -> bool:
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        boxes = [t.get_window_extent(renderer) for t in labels if t.get_text()]
        return any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])

    if not clash():
        return
    for label in labels:
        label.set_rotation(90)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    outside = any(
        t.get_text()
        and t.get_window_extent(renderer).height > bar.get_window_extent(renderer).height
        for t, bar in zip(labels, bars, strict=True)
    )
    if outside or clash():
        for label in labels:
            label.set_visible(False)


def _fit_bar_labels(figure: Figure, axes: Axes, labels: Sequence[Text]) -> None:
    """Widens the value axis until every bar's value label ends inside the plot."""
    for _attempt in range(5):
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        right = axes.get_window_extent(renderer).x1
        overflow = max((t.get_window_extent(renderer).x1 - right for t in labels), default=0)
        if overflow <= 0:
            return
        low, high = axes.get_xlim()
        width = axes.get_window_extent(renderer).width
        axes.set_xlim(low, high + (high - low) * (overflow + 4) / max(width, 1))
        figure.tight_layout()


def criteria_met_chart(
    points: list[tuple[str, int]],
    total: int,
    *,
    title: str,
    target: int | None = None,
    width_cm: float = 16.0,
) -> Chart:
    """Criteria met per period ("2024Q1" …) out of ``total``, as bars labelled "12/19", with the
    plan's target as a dashed line when given."""
    with _style():
        figure = _figure(width_cm, HEIGHT_CM)
        axes = figure.add_subplot()
        labels = [label for label, _met in points]
        values = [met for _label, met in points]
        positions = list(range(len(points)))
        colours = [
            COLOURS["bar"] if target is None or met >= target else COLOURS["muted"]
            for met in values
        ]
        bars = axes.bar(positions, values, color=colours, width=0.6, zorder=2)
        texts = axes.bar_label(
            bars,
            labels=[f"{met}/{total}" for met in values],
            label_type="center",
            color="white",
            fontweight="bold",
            fontsize=9,
        )
        axes.set_xticks(positions, labels)
        axes.set_ylim(0, max(total, *values, 1) * 1.25)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel(_("Criteria met"))
        axes.grid(axis="y", color=COLOURS["grid"], zorder=0)
        axes.spines[["top", "right"]].set_visible(False)
        if target is not None:
            axes.axhline(
                target,
                color=COLOURS["target"],
                linestyle="--",
                linewidth=1.2,
                zorder=3,
                label=_("Target: %(count)s/%(total)s") % {"count": target, "total": total},
            )
            axes.legend(loc="upper left", frameon=False, fontsize=8)
        axes.set_title(title, fontsize=10, fontweight="bold")
        declutter(figure, axes, categories=labels)
        _spread_bar_labels(figure, texts, bars.patches)
        return _save(figure, title, width_cm)


def bar_chart(
    labels: list[str],
    values: list[Decimal | int],
    *,
    title: str,
    unit_label: str = "",
    width_cm: float = 16.0,
) -> Chart:
    """Horizontal bars with each value at the bar's end, amounts abbreviated in Vietnamese style
    ("1,72 tỷ", "245 tr"), e.g. funds by source."""
    with _style():
        height_cm = max(HEIGHT_CM * 0.6, 1.2 + 0.75 * len(labels))
        figure = _figure(width_cm, height_cm)
        axes = figure.add_subplot()
        positions = list(range(len(labels)))
        numbers = [float(v) for v in values]
        bars = axes.barh(positions, numbers, color=COLOURS["bar"], height=0.6, zorder=2)
        texts = axes.bar_label(
            bars, labels=[short_amount(v) for v in values], padding=3, fontsize=8
        )
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()  # the first label on top, as in the table it illustrates
        top = max(numbers, default=0)
        axes.set_xlim(0, top * 1.25 if top > 0 else 1)
        axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: short_amount(round(x, 6))))
        axes.xaxis.set_major_locator(MaxNLocator(nbins=5))
        if unit_label:
            axes.set_xlabel(unit_label)
        axes.grid(axis="x", color=COLOURS["grid"], zorder=0)
        axes.spines[["top", "right"]].set_visible(False)
        axes.set_title(title, fontsize=10, fontweight="bold")
        declutter(figure, axes)
        _fit_bar_labels(figure, axes, texts)
        declutter(figure, axes)  # the wider axis has ticks of its own
        return _save(figure, title, width_cm)
