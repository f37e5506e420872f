"""Stored results: pages read these instead of evaluating many units while rendering."""

from functools import cached_property
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from ntm.catalog.models import CriteriaSet
from ntm.core.fields import JSONTextField
from ntm.engine.model import Status
from ntm.evaluation.detail import expand
from ntm.geo.models import AdminUnit

STATUS_CHOICES = [
    (Status.MET, _("met")),
    (Status.NOT_MET, _("not met")),
    (Status.NO_DATA, _("no data")),
    (Status.NO_THRESHOLD, _("no threshold")),
]


class Basis(models.TextChoices):
    """Which values a result counts. The working count reads every value, drafts included; the
    approved count reads approved (locked) values only, and is what the public and the province
    see. A result identical under both is stored once, as ``BOTH``."""

    WORKING = "working", _("working figures (all values)")
    APPROVED = "approved", _("approved figures")


BOTH = "both"
_SERVES = {Basis.WORKING: (BOTH, Basis.WORKING.value), Basis.APPROVED: (BOTH, Basis.APPROVED.value)}


def basis_of(text: object, default: str = Basis.WORKING) -> Basis:
    """A basis from a query parameter or option; anything else is the default."""
    return Basis(text) if text in Basis.values else Basis(default)


class StoredResults(models.Manager["SetResult"]):
    """Every stored row, whichever basis it serves (for the pipeline)."""


class WorkingResults(models.Manager["SetResult"]):
    basis = Basis.WORKING

    def get_queryset(self) -> models.QuerySet["SetResult"]:
        return super().get_queryset().filter(basis__in=_SERVES[self.basis])


class ApprovedResults(WorkingResults):
    basis = Basis.APPROVED


class SetResult(models.Model):
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="set_results"
    )
    criteria_set = models.ForeignKey(
        CriteriaSet,
        verbose_name=_("criteria set"),
        on_delete=models.CASCADE,
        related_name="results",
    )
    applied_set = models.ForeignKey(
        CriteriaSet, verbose_name=_("set applied"), on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(_("period"), max_length=7)
    period_end = models.DateField()
    met = models.PositiveSmallIntegerField(_("criteria met"))
    total = models.PositiveSmallIntegerField(_("criteria"))
    status = models.CharField(_("status"), max_length=12, choices=STATUS_CHOICES)
    prerequisite_met = models.BooleanField(_("prerequisite met"), null=True)
    unverified = models.BooleanField(_("uses unverified thresholds"), default=False)
    revocation_risk = models.CharField(max_length=12, blank=True)
    # criteria → indicators: value, threshold, rule, status, gap, value period, compact (see
    # evaluation.detail); read it through ``explanation``. Text, not jsonb: stored and read
    # whole, never queried inside.
    detail = JSONTextField(default=dict)
    # "1m 2n 3d": criterion statuses, so roll-ups read one short column per unit
    criteria_status = models.CharField(max_length=600, blank=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)
    # Digest of everything the result was computed from (values and their periods, profile,
    # prerequisite, the definition applied): a refresh rewrites the row only when it changes.
    input_hash = models.CharField(max_length=32, blank=True, default="")
    # The basis this row serves: "working", "approved" or "both" (see ``Basis``).
    basis = models.CharField(max_length=8, default=Basis.WORKING)

    # The default manager reads the working count, as every page did before bases existed;
    # public pages, the province's tables and official reports read ``approved``.
    objects = WorkingResults()
    approved = ApprovedResults()
    stored = StoredResults()

    class Meta:
        verbose_name = _("set result")
        verbose_name_plural = _("set results")
        ordering = ["unit", "criteria_set", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "criteria_set", "period", "basis"],
                name="evaluation_set_result_uniq",
            )
        ]
        indexes = [models.Index(fields=["criteria_set", "period", "unit"])]
        default_manager_name = "objects"
        base_manager_name = "stored"

    def __str__(self) -> str:
        return f"{self.unit.code} {self.criteria_set.code} {self.period}: {self.met}/{self.total}"

    @classmethod
    def on(cls, basis: str) -> models.QuerySet["SetResult"]:
        """The results of a basis."""
        return (cls.approved if basis == Basis.APPROVED else cls.objects).all()

    @cached_property
    def explanation(self) -> dict[str, Any]:
        """The full explanation (criteria → indicators) of the compact stored ``detail``."""
        return expand(self.detail)


class StaleResult(models.Model):
    """A mark that a unit's results for a set may no longer match their inputs.

    Actions insert marks in the transaction of the write that made results stale; the pipeline
    deletes them once it has refreshed the unit. Marks are plain rows (no uniqueness), so
    concurrent writers never conflict on them, and a refresh deletes only the marks it saw.
    """

    unit = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="+")
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=40, blank=True)
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stale result")
        verbose_name_plural = _("stale results")
        indexes = [models.Index(fields=["criteria_set", "unit"])]

    def __str__(self) -> str:
        return f"stale {self.unit_id} {self.criteria_set_id} ({self.reason})"


class AreaSummary(models.Model):
    """Counts over the units of one level under an area (a province, a district, a commune for
    its villages) for a set, as of a period end: each unit counted with its latest result up to
    that day, if the unit was in force then. Maintained by the pipeline in the transaction that
    writes results (``evaluation.summaries``), so the province overview and the API roll-up read
    one row instead of every commune's result.

    A row exists for every period end at which some unit under the area has a result; a period
    between two such ends reads the earlier row."""

    area = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="+")
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()
    period_end = models.DateField()
    basis = models.CharField(max_length=8, choices=Basis.choices, default=Basis.WORKING)
    reported = models.PositiveIntegerField(default=0)
    met_all = models.PositiveIntegerField(default=0)
    revocation = models.PositiveIntegerField(default=0)
    # {"8": [met, not met, no data, no threshold]} per criterion number
    criteria = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("area summary")
        verbose_name_plural = _("area summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "criteria_set", "level", "basis", "period_end"],
                name="evaluation_area_summary_uniq",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.criteria_set_id} L{self.level} {self.period_end}"


class UnitBasis(models.Model):
    """What a unit's stored results for a set were computed from, all periods at once.

    ``basis`` digests everything the results depend on but the values, which the unit's
    ``InputStamp`` stands for: the stamp, the set applied (definition and the sets it refers
    to), the unit's profile inputs (classifications, province region) and its prerequisite
    results. The pipeline writes it with the results, in their transaction: while the digest of
    the current inputs equals it, the unit's results are current and neither they nor the
    values are read. No row, or an empty ``basis`` (values without a stamp), means "read".
    ``results`` counts the unit's stored results: a check compares it with a count of the rows,
    so results deleted around the pipeline are written again, and reports it.

    Results changed around the pipeline are not seen by this check (as values written around
    the services are not): ``evaluate --full`` or a stale mark reads everything.
    """

    unit = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="+")
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="+")
    basis = models.CharField(max_length=32, blank=True, default="")
    results = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("unit basis")
        verbose_name_plural = _("unit bases")
        constraints = [
            models.UniqueConstraint(
                fields=["criteria_set", "unit"], name="evaluation_unit_basis_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"basis {self.unit_id} {self.criteria_set_id} ({self.results} results)"
