"""The reports ntm builds: which units each applies to, and one call to build any of them.

Each report module provides ``data_for(*, unit, period, family=None)`` (raising ``ReportError``
when the unit, period or data is missing), ``build(data, fmt) -> bytes`` and ``FORMATS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ntm.catalog.models import CriteriaSet
from ntm.engine.periods import Period
from ntm.evaluation.models import Basis
from ntm.geo.models import AdminUnit, Level
from ntm.reports.common import ReportError
from ntm.reports.document import CONTENT_TYPES


@dataclass(frozen=True)
class ReportKind:
    name: str  # the command line's NAME and the URL's part
    title: Promise
    module_path: str
    levels: frozenset[int]  # unit levels it is built for
    uses_set: bool  # whether --set chooses what it shows
    bulk: bool  # built for every commune under a district or province
    # Reads stored results: built on approved figures (the official ones) or working figures.
    uses_results: bool = False

    @property
    def module(self) -> ModuleType:
        return import_module(self.module_path)

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(self.module.FORMATS)


REPORTS: dict[str, ReportKind] = {
    kind.name: kind
    for kind in (
        ReportKind(
            "bieu1",
            _("Biểu 1: criteria table"),
            "ntm.reports.bieu1",
            frozenset({Level.COMMUNE}),
            uses_set=True,
            bulk=True,
            uses_results=True,
        ),
        ReportKind(
            "progress",
            _("Progress report"),
            "ntm.reports.progress",
            frozenset({Level.COMMUNE, Level.VILLAGE}),
            uses_set=False,
            bulk=True,
            uses_results=True,
        ),
        ReportKind(
            "plan",
            _("Plan document (KẾ HOẠCH)"),
            "ntm.reports.plan",
            frozenset({Level.COMMUNE, Level.VILLAGE}),
            uses_set=False,
            bulk=True,
        ),
        ReportKind(
            "mobilisation",
            _("Resource mobilisation table"),
            "ntm.reports.mobilisation",
            frozenset({Level.PROVINCE, Level.DISTRICT, Level.COMMUNE, Level.VILLAGE}),
            uses_set=False,
            bulk=True,
        ),
        ReportKind(
            "province-rollup",
            _("Roll-up of communes' criteria"),
            "ntm.reports.rollup",
            frozenset({Level.PROVINCE, Level.DISTRICT}),
            uses_set=True,
            bulk=False,
            uses_results=True,
        ),
    )
}


@dataclass(frozen=True)
class Built:
    content: bytes
    filename: str
    content_type: str


def kinds_for(unit: AdminUnit) -> list[ReportKind]:
    return [k for k in REPORTS.values() if unit.level in k.levels]


def bulk_kinds() -> list[ReportKind]:
    return [k for k in REPORTS.values() if k.bulk]


def kind_named(name: str) -> ReportKind:
    try:
        return REPORTS[name]
    except KeyError:
        raise ReportError(
            _("Unknown report %(name)s; one of: %(names)s.")
            % {"name": name, "names": ", ".join(REPORTS)}
        ) from None


def filename_for(kind: ReportKind, unit: AdminUnit, period: Period, fmt: str) -> str:
    return f"{kind.name}-{unit.code}-{period.code}.{fmt}"


def check_format(kind: ReportKind, fmt: str) -> None:
    if fmt not in kind.formats:
        raise ReportError(
            _("%(report)s comes as %(formats)s, not %(fmt)s.")
            % {"report": kind.title, "formats": ", ".join(kind.formats), "fmt": fmt}
        )


def build(
    kind: ReportKind,
    *,
    unit: AdminUnit,
    period: Period,
    family: CriteriaSet | None,
    fmt: str,
    basis: str = Basis.APPROVED,
) -> Built:
    """Build one report for one unit; ``ReportError`` says why it cannot be built. Reports that
    read results count approved values unless ``basis`` asks for the working figures."""
    if unit.level not in kind.levels:
        raise ReportError(
            _("%(report)s is not built for %(unit)s (a unit of this level).")
            % {"report": kind.title, "unit": unit.name}
        )
    check_format(kind, fmt)
    extra = {"basis": Basis(basis)} if kind.uses_results else {}
    data = kind.module.data_for(unit=unit, period=period, family=family, **extra)
    content = kind.module.build(data, fmt)
    return Built(content, filename_for(kind, unit, period, fmt), CONTENT_TYPES[fmt])
