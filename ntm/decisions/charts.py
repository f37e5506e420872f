"""The province allocation as a chart, drawn on the server by matplotlib (Agg, no pyplot
state): each commune with a path to the target, the cost of its cheapest path as a bar, the
funded ones highlighted, labelled with the criteria the money gains. Inline SVG for the page
(no JavaScript, printable) and PNG for the XLSX export.

Same conventions as ``ntm.evaluation.charts`` and ``ntm.reports.charts`` (DejaVu Sans,
bundled with matplotlib and complete for Vietnamese; glyphs as paths; no metadata, so the
same data gives the same bytes).
"""

import io
import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ntm.decisions.selectors import ProvinceAllocation, money

STYLE: Any = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "svg.fonttype": "path",
    "svg.hashsalt": "ntm-decisions",
    "axes.unicode_minus": False,
}
FUNDED = "#2f6f4f"
NOT_FUNDED = "#b8c4bd"
_LOCK = threading.Lock()  # rcParams are process-wide


@dataclass(frozen=True)
class AllocationChart:
    svg: SafeString
    png: bytes
    title: str


def _bars(found: ProvinceAllocation) -> list[tuple[str, Decimal, int, bool]]:
    """(label, cost, criteria gained, funded) of every commune with a path that needs money,
    cheapest first."""
    chosen = {c.id for c in found.allocation.chosen}
    candidates = [*found.allocation.chosen, *(c for c, _r in found.allocation.not_chosen)]
    bars = []
    for c in candidates:
        if c.cost is None or c.cost <= 0:
            continue  # no path, or at the target already: nothing to weigh
        name = found.communes[c.id].unit.name
        bars.append((f"{c.id} {name}"[:32], c.cost, max(c.target - c.met, 0), c.id in chosen))
    return sorted(bars, key=lambda b: (b[1], b[0]))


def allocation_chart(found: ProvinceAllocation, budget: Decimal) -> AllocationChart | None:
    """None when no commune has a path that costs money (nothing to compare)."""
    bars = _bars(found)
    if not bars:
        return None
    title = _("Cost of each commune's cheapest path; funded within %(budget)s highlighted") % {
        "budget": money(budget)
    }
    # deferred: matplotlib takes ~0.8 s to import; only the page with an allocation needs it
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    with _LOCK, matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(7.2, 1.1 + 0.34 * len(bars)), dpi=100)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        labels = [b[0] for b in bars]
        costs = [float(b[1]) for b in bars]
        colours = [FUNDED if b[3] else NOT_FUNDED for b in bars]
        drawn = axes.barh(labels, costs, color=colours)
        for n, patch in enumerate(drawn):
            patch.set_gid(f"{'funded' if bars[n][3] else 'not-funded'}-{n}")
        axes.bar_label(
            drawn,
            labels=[
                _("%(cost)s · +%(n)s criteria") % {"cost": money(b[1]), "n": b[2]} for b in bars
            ],
            padding=3,
            fontsize=8,
        )
        axes.invert_yaxis()
        axes.set_xlim(0, max(costs) * 1.6)
        axes.xaxis.set_visible(False)
        for side in ("top", "right", "bottom"):
            axes.spines[side].set_visible(False)
        axes.legend(
            handles=[
                Patch(color=FUNDED, label=_("funded")),
                Patch(color=NOT_FUNDED, label=_("not funded")),
            ],
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            ncols=2,
            frameon=False,
            fontsize=8,
        )
        figure.tight_layout()
        svg_buffer = io.StringIO()
        figure.savefig(svg_buffer, format="svg", metadata={"Date": None, "Creator": None})
        png_buffer = io.BytesIO()
        figure.savefig(png_buffer, format="png", dpi=120, metadata={"Software": None})
    return AllocationChart(_inline(svg_buffer.getvalue(), title), png_buffer.getvalue(), title)


def _inline(svg: str, title: str) -> SafeString:
    """The bare <svg> element with an accessible title (drawn text is paths)."""
    start = svg.index("<svg")
    end = svg.index(">", start) + 1
    body = svg[end:]
    if "<metadata>" in body:
        body = body[: body.index("<metadata>")] + body[body.index("</metadata>") + 11 :]
    opening = svg[start:end].replace("<svg ", '<svg class="allocation-chart" role="img" ', 1)
    return mark_safe(f"{opening}<title>{escape(title)}</title>{body}")
