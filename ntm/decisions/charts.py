"""The province allocation as a chart, drawn on the server by matplotlib (Agg, no pyplot
state): each commune with a path to the target, the cost of its cheapest path as a bar, the
funded ones highlighted, labelled with the criteria the money gains. Inline SVG for the page
(no JavaScript, printable) and PNG for the XLSX export.

Drawn in the style of the pages' other charts (``ntm.evaluation.charts``: DejaVu Sans, glyphs as
paths, the same bytes for the same data).
"""

import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ntm.decisions.selectors import ProvinceAllocation, money
from ntm.evaluation.charts import drawing, inline_svg

FUNDED = "#2f6f4f"
NOT_FUNDED = "#b8c4bd"


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
    with drawing():
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
        svg = inline_svg(figure, title, "allocation-chart")
        png = io.BytesIO()
        figure.savefig(png, format="png", dpi=120, metadata={"Software": None})
    return AllocationChart(svg, png.getvalue(), title)
