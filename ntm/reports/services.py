"""Building reports: one at once (streamed), or one per commune under a unit as a zipped job."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.accounts.permissions import Action, require
from ntm.catalog.models import CriteriaSet
from ntm.engine.periods import Period, parse_period
from ntm.evaluation.models import Basis
from ntm.geo.models import AdminUnit, Level
from ntm.reports import registry
from ntm.reports.common import ReportError
from ntm.reports.models import ReportJob

# Progress is saved every N communes: often enough for the bar, rarely enough to stay cheap.
PROGRESS_EVERY = 10


def family_named(code: str) -> CriteriaSet | None:
    """The national set with this code (a province's localisation names its national set)."""
    code = (code or "").strip()
    if not code:
        return None
    found = CriteriaSet.objects.filter(code=code).select_related("localises").first()
    if found is None:
        raise ReportError(_("No criteria set has the code %(code)s.") % {"code": code})
    return found.localises if found.localises is not None else found


def period_named(text: str) -> Period:
    try:
        return parse_period(text or "")
    except ValueError:
        raise ReportError(
            _("%(text)s is not a period (2024, 2024H1 or 2024Q4).") % {"text": text or "—"}
        ) from None


def build_one(
    *,
    user: Any,
    unit: AdminUnit,
    name: str,
    period: Period,
    family: CriteriaSet | None,
    fmt: str,
    basis: str = Basis.APPROVED,
) -> registry.Built:
    """One report for a unit the user may see (on approved figures unless asked otherwise)."""
    require(user, Action.VIEW, unit)
    return registry.build(
        registry.kind_named(name), unit=unit, period=period, family=family, fmt=fmt, basis=basis
    )


def communes_under(unit: AdminUnit, period: Period) -> list[AdminUnit]:
    """The communes under a unit that existed at the end of the period (else at its start)."""
    found: dict[str, AdminUnit] = {}
    for day in (period.end, period.start):
        for commune in (
            AdminUnit.objects.subtree_of(unit)
            .filter(level=Level.COMMUNE)
            .valid_on(day)
            .select_related("parent")
            .order_by("code")
        ):
            found.setdefault(commune.code, commune)
    return [found[code] for code in sorted(found)]


def fail_if_abandoned(job: ReportJob) -> bool:
    """Mark a running job whose worker stopped giving signs of life as failed, with the reason
    (the page then stops polling and offers to start it again). True when it was."""
    lease = dt.timedelta(seconds=settings.NTM_JOB_LEASE_SECONDS)
    if job.status != ReportJob.Status.RUNNING:
        return False
    seen = job.heartbeat_at or job.created_at
    if timezone.now() - seen <= lease:
        return False
    # Only if nobody else marked or finished it meanwhile.
    updated = ReportJob.objects.filter(
        pk=job.pk, status=ReportJob.Status.RUNNING, heartbeat_at=job.heartbeat_at
    ).update(
        status=ReportJob.Status.FAILED,
        finished_at=timezone.now(),
        error=_(
            "The background worker stopped at %(done)s of %(total)s communes (last sign of life "
            "at %(time)s): the machine or the worker was restarted. Start the job again."
        )
        % {
            "done": job.done,
            "total": job.total,
            "time": timezone.localtime(seen).strftime("%H:%M %d/%m/%Y"),
        },
    )
    if updated:
        job.refresh_from_db()
    return bool(updated)


def run_bulk(job_id: int) -> ReportJob:
    """Build every commune's report into one zip, saving progress as it goes. A commune whose
    report cannot be built is listed in the job (and in the zip's LÝ DO file), not fatal."""
    job = ReportJob.objects.select_related("unit").get(pk=job_id)
    if job.finished:
        return job
    kind = registry.kind_named(job.report)
    period = parse_period(job.period)
    family = family_named(job.set_code)
    communes = communes_under(job.unit, period)
    job.status, job.total, job.done, job.skipped = ReportJob.Status.RUNNING, len(communes), 0, []
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["status", "total", "done", "skipped", "heartbeat_at"])
    buffer = io.BytesIO()
    try:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for index, commune in enumerate(communes, start=1):
                try:
                    built = registry.build(
                        kind, unit=commune, period=period, family=family, fmt=job.fmt
                    )
                except ReportError as exc:
                    job.skipped.append([commune.code, commune.name, str(exc)])
                else:
                    archive.writestr(built.filename, built.content)
                job.done = index
                if index % PROGRESS_EVERY == 0:
                    job.heartbeat_at = timezone.now()
                    job.save(update_fields=["done", "skipped", "heartbeat_at"])
            if job.skipped:
                lines = [f"{code}\t{name}\t{reason}" for code, name, reason in job.skipped]
                archive.writestr("LY-DO-KHONG-LAP.txt", "\n".join(lines) + "\n")
    except Exception as exc:
        job.status, job.error, job.finished_at = ReportJob.Status.FAILED, str(exc), timezone.now()
        job.save(update_fields=["status", "error", "done", "skipped", "finished_at"])
        raise
    job.file.save(
        f"{kind.name}-{job.unit.code}-{period.code}-{job.fmt}.zip",
        ContentFile(buffer.getvalue()),
        save=False,
    )
    job.status, job.finished_at = ReportJob.Status.DONE, timezone.now()
    job.save(update_fields=["status", "done", "skipped", "file", "finished_at"])
    return job
