"""Writes with consequences: a bulk job's row, then the background task that builds it.

Apart from services so that the task (which calls ``services.run_bulk``) and the code that queues
it do not import each other — the same shape as ``evaluation.actions``.
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ntm.accounts.permissions import Action, require
from ntm.catalog.models import CriteriaSet
from ntm.engine.periods import Period
from ntm.geo.models import AdminUnit, Level
from ntm.reports import registry, services
from ntm.reports.common import ReportError
from ntm.reports.models import ReportJob
from ntm.reports.tasks import build_bulk


def start_bulk(
    *, user: Any, unit: AdminUnit, name: str, period: Period, family: CriteriaSet | None, fmt: str
) -> ReportJob:
    """Queue one report per commune under a district or province; the job zips them."""
    require(user, Action.VIEW, unit)
    kind = registry.kind_named(name)
    if not kind.bulk or unit.level not in (Level.PROVINCE, Level.DISTRICT):
        raise ReportError(
            _("%(report)s cannot be built for every commune of %(unit)s.")
            % {"report": kind.title, "unit": unit.name}
        )
    registry.check_format(kind, fmt)
    job = ReportJob.objects.create(
        unit=unit,
        report=kind.name,
        period=period.code,
        set_code=family.code if family else "",
        fmt=fmt,
        total=len(services.communes_under(unit, period)),
        created_by=user,
    )
    transaction.on_commit(lambda: build_bulk.enqueue(job.pk))
    return job
