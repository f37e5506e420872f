"""Charts for documents, drawn on the server by matplotlib (Agg, no pyplot state).

Each chart is one figure saved twice: SVG for PDF/HTML (glyphs as paths, so Vietnamese diacritics
print whatever fonts the PDF engine has) and PNG at 150 dpi for Word and Excel. The font is DejaVu
Sans, which matplotlib bundles with every Vietnamese glyph (the Debian Liberation fonts that
matplotlib could otherwise pick lack some). Output is deterministic: the same data gives the same
bytes (fixed SVG id salt, no dates in the metadata).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from django.utils.translation import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
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
        axes.bar_label(
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
        figure.tight_layout()
        return _save(figure, title, width_cm)


def bar_chart(
    labels: list[str],
    values: list[Decimal | int],
    *,
    title: str,
    unit_label: str = "",
    width_cm: float = 16.0,
) -> Chart:
    """Horizontal bars, largest value readable at the bar's end in Vietnamese style
    ("1.234.567"), e.g. funds by source."""
    with _style():
        height_cm = max(HEIGHT_CM * 0.6, 1.2 + 0.75 * len(labels))
        figure = _figure(width_cm, height_cm)
        axes = figure.add_subplot()
        positions = list(range(len(labels)))
        numbers = [float(v) for v in values]
        bars = axes.barh(positions, numbers, color=COLOURS["bar"], height=0.6, zorder=2)
        axes.bar_label(bars, labels=[vnd(v) for v in values], padding=3, fontsize=8)
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()  # the first label on top, as in the table it illustrates
        top = max(numbers, default=0)
        axes.set_xlim(0, top * 1.25 if top > 0 else 1)
        axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: vnd(Decimal(str(x)))))
        axes.xaxis.set_major_locator(MaxNLocator(nbins=5))
        if unit_label:
            axes.set_xlabel(unit_label)
        axes.grid(axis="x", color=COLOURS["grid"], zorder=0)
        axes.spines[["top", "right"]].set_visible(False)
        axes.set_title(title, fontsize=10, fontweight="bold")
        figure.tight_layout()
        return _save(figure, title, width_cm)
