"""Indicator and data-element values of a unit for a period, with evidence, comments and history."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ntm.catalog.models import CriteriaSet
from ntm.engine.model import Value
from ntm.geo.models import AdminUnit


class ValueStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved (locked)")


class ValueSource(models.TextChoices):
    ENTERED = "entered", _("entered")
    DERIVED = "derived", _("derived from the communes before the merger")


class DataValue(models.Model):
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="data_values"
    )
    # Always the national set (a province's localisation records under the set it localises).
    criteria_set = models.ForeignKey(
        CriteriaSet,
        verbose_name=_("criteria set"),
        on_delete=models.PROTECT,
        related_name="data_values",
    )
    code = models.CharField(_("indicator or data element"), max_length=60)
    period = models.CharField(_("period"), max_length=7)
    period_end = models.DateField(editable=False)
    text = models.CharField(_("value"), max_length=100)
    number = models.DecimalField(
        max_digits=20, decimal_places=4, null=True, blank=True, editable=False
    )
    flag = models.BooleanField(null=True, blank=True, editable=False)
    note = models.TextField(_("note"), blank=True)
    # A baseline computed from the predecessors of a merged commune (``baseline``) until a
    # person enters the value.
    source = models.CharField(
        _("source"), max_length=10, choices=ValueSource.choices, default=ValueSource.ENTERED
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ValueStatus.choices, default=ValueStatus.DRAFT
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("data value")
        verbose_name_plural = _("data values")
        ordering = ["unit", "criteria_set", "period_end", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "criteria_set", "code", "period"], name="observations_value_uniq"
            )
        ]
        indexes = [models.Index(fields=["criteria_set", "unit", "period_end"])]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.criteria_set.code} {self.code} {self.period} = {self.text}"

    @property
    def value(self) -> Value:
        if self.flag is not None:
            return self.flag
        if self.number is not None:
            return Decimal(self.number)
        return self.text

    @property
    def is_locked(self) -> bool:
        return self.status == ValueStatus.APPROVED


class PeriodLock(models.Model):
    """No value of the unit's subtree may change for the period (after it was reported)."""

    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="period_locks"
    )
    period = models.CharField(_("period"), max_length=7)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    locked_at = models.DateTimeField(_("locked at"), auto_now_add=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("locked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("period lock")
        verbose_name_plural = _("period locks")
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="observations_lock_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period}"


def evidence_path(instance: "Evidence", filename: str) -> str:
    # Stored under the content hash: no user-chosen names on disk.
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}"


class Evidence(models.Model):
    value = models.ForeignKey(
        DataValue, verbose_name=_("value"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class ValueComment(models.Model):
    value = models.ForeignKey(
        DataValue, verbose_name=_("value"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class InputStamp(models.Model):
    """A counter per (unit, set), bumped by every write of the unit's values for the set in the
    write's own transaction (``services.stamp_bump``).

    The unit's stored results remember the stamp they were computed from (in their basis,
    ``evaluation.UnitBasis``): when the stamp and the rest of the basis (definition, profile,
    prerequisite) are unchanged, the pipeline knows the results are current without reading a
    single value. A unit with values and no stamp is always read.
    """

    unit = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="+")
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="+")
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("input stamp")
        verbose_name_plural = _("input stamps")
        constraints = [
            models.UniqueConstraint(
                fields=["criteria_set", "unit"], name="observations_input_stamp_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"stamp {self.unit_id} {self.criteria_set_id} v{self.version}"
