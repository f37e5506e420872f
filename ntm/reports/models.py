from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ntm.geo.models import AdminUnit


class ReportJob(models.Model):
    """One report built for every commune under a unit, zipped by a background task."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="report_jobs"
    )
    report = models.CharField(_("report"), max_length=40)
    period = models.CharField(_("period"), max_length=7)
    set_code = models.CharField(_("criteria set"), max_length=100, blank=True)
    fmt = models.CharField(_("format"), max_length=4)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("communes"), default=0)
    done = models.PositiveIntegerField(_("built"), default=0)
    # [[code, name, reason], …] — communes whose report could not be built, and why.
    skipped = models.JSONField(default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker's sign of life, saved with the progress: a running job whose heartbeat is
    # older than settings.NTM_JOB_LEASE_SECONDS lost its worker (killed, machine restarted).
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bulk report job")
        verbose_name_plural = _("bulk report jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.report} {self.period} · {self.unit}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
