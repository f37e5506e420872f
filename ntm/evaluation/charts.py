"""The province's communes criterion by criterion, as a stacked bar chart drawn on the server by
matplotlib (Agg, no pyplot state) and served as inline SVG: no JavaScript, printable.

Same conventions as ``ntm.reports.charts`` (DejaVu Sans, bundled with matplotlib and complete for
Vietnamese; glyphs as paths; deterministic bytes), kept here because evaluation sits below
reports.
"""

import io
import threading
from collections import Counter
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
    with _LOCK, matplotlib.rc_context(STYLE):
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
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    start = svg.index("<svg")
    end = svg.index(">", start) + 1
    body = svg[end:]
    if "<metadata>" in body:
        body = body[: body.index("<metadata>")] + body[body.index("</metadata>") + 11 :]
    opening = svg[start:end].replace("<svg ", '<svg class="criteria-bars" role="img" ', 1)
    return mark_safe(f"{opening}<title>{escape(title)}</title>{body}")
