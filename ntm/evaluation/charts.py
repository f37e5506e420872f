"""The province's communes criterion by criterion, as a stacked bar chart drawn on the server by
matplotlib (Agg, no pyplot state) and served as inline SVG: no JavaScript, printable.

Same conventions as ``ntm.reports.charts`` (DejaVu Sans, bundled with matplotlib and complete for
Vietnamese; glyphs as paths; deterministic bytes), kept here because evaluation sits below
reports.
"""

import io
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

STYLE: Any = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "svg.fonttype": "path",
    "svg.hashsalt": "ntm-evaluation",
    "axes.unicode_minus": False,
}
# The status colours of the pages' pills: met green, not met red, no data grey, no threshold amber.
SEGMENTS = [
    ("met", "#2f6f4f"),
    ("not_met", "#b23a2e"),
    ("no_data", "#9ca3af"),
    ("no_threshold", "#d99a2b"),
]
_LOCK = threading.Lock()  # rcParams are process-wide


@contextmanager
def drawing() -> Iterator[None]:
    """The house style, one chart at a time (rcParams are process-wide): every chart of the
    pages, those of apps above this one included, is drawn inside this."""
    with _LOCK, matplotlib.rc_context(STYLE):
        yield


def criteria_bars_svg(
    rollup: dict[int, Counter[str]], names: dict[int, str], *, title: str
) -> SafeString:
    """One horizontal bar per criterion ("8. Môi trường"), split into the units at each status."""
    if not rollup:
        return SafeString("")
    labels = {
        "met": _("met"),
        "not_met": _("not met"),
        "no_data": _("no data"),
        "no_threshold": _("no threshold"),
    }
    numbers = sorted(rollup)
    rows = [f"{n}. {names.get(n, '')}"[:38] for n in numbers]
    with drawing():
        height = 0.9 + 0.32 * len(numbers)
        figure = Figure(figsize=(7.2, height), dpi=100)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        left = [0] * len(numbers)
        for status, colour in SEGMENTS:
            values = [rollup[n].get(status, 0) for n in numbers]
            bars = axes.barh(rows, values, left=left, color=colour, label=labels[status])
            axes.bar_label(
                bars,
                labels=[str(v) if v else "" for v in values],
                label_type="center",
                color="white",
                fontsize=8,
            )
            left = [a + b for a, b in zip(left, values, strict=True)]
        axes.invert_yaxis()
        axes.set_xlim(0, max(left) or 1)
        axes.xaxis.set_visible(False)
        for side in ("top", "right", "bottom"):
            axes.spines[side].set_visible(False)
        axes.legend(
            loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=4, frameon=False, fontsize=8
        )
        figure.tight_layout()
        return inline_svg(figure, title, "criteria-bars")


def inline_svg(figure: Figure, title: str, css_class: str) -> SafeString:
    """The figure as inline SVG with an accessible title (no metadata: same bytes each time)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    start = svg.index("<svg")
    end = svg.index(">", start) + 1
    body = svg[end:]
    if "<metadata>" in body:
        body = body[: body.index("<metadata>")] + body[body.index("</metadata>") + 11 :]
    opening = svg[start:end].replace("<svg ", f'<svg class="{css_class}" role="img" ', 1)
    return mark_safe(f"{opening}<title>{escape(title)}</title>{body}")


def _number(text: str | None) -> float | None:
    try:
        return float(Decimal(str(text))) if text not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None


def trend_svg(points: Sequence[Any], *, title: str) -> SafeString:
    """An indicator's values across periods (``HistoryPoint``s) with its threshold as a dashed
    step. Where the measuring standard changes (the poverty line), the line is broken and the
    change is marked and named: the two sides are not comparable. Empty below two numbers."""
    numeric = [(p, _number(p.value)) for p in points]
    if sum(1 for _p, v in numeric if v is not None) < 2:
        return SafeString("")
    periods = [p.period for p in points]
    with drawing():
        figure = Figure(figsize=(6.4, 2.3), dpi=100)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        segment: list[tuple[int, float]] = []
        segments = [segment]
        for x, (point, value) in enumerate(numeric):
            if point.standard_changed:
                axes.axvline(
                    x - 0.5, color="#d99a2b", linestyle=":", linewidth=1.2, gid="standard-change"
                )
                axes.annotate(
                    _("from here: %(name)s") % {"name": point.standard.name_vi},
                    xy=(x - 0.45, 1.0),
                    xycoords=("data", "axes fraction"),
                    va="top",
                    fontsize=7,
                    color="#8a5a00",
                )
                segment = []
                segments.append(segment)
            if value is not None:
                segment.append((x, value))
        # One line per stretch measured the same way (ids for tests and styling).
        for n, part in enumerate((p for p in segments if p), start=1):
            xs, ys = zip(*part, strict=True)
            axes.plot(
                xs, ys, marker="o", color="#1f4e79", linewidth=1.6, markersize=4, gid=f"values-{n}"
            )
        limits = [(x, _number(p.threshold)) for x, p in enumerate(points)]
        limits = [(x, v) for x, v in limits if v is not None]
        if limits:
            xs, ys = zip(*limits, strict=True)
            axes.step(
                xs,
                ys,
                where="mid",
                color="#b23a2e",
                linestyle="--",
                linewidth=1,
                label=_("threshold"),
            )
            axes.legend(loc="lower right", frameon=False, fontsize=7)
        axes.set_xticks(
            range(len(periods)), periods, fontsize=7, rotation=45 if len(periods) > 8 else 0
        )
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.margins(x=0.05, y=0.15)
        figure.tight_layout()
        return inline_svg(figure, title, "trend")
