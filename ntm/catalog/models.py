"""Criteria sets as data: sets, criteria, indicators, data elements and versioned thresholds.

Thresholds are never edited in place: a change ends the current version (``superseded_at``) and
adds a new one, so a result computed last year still names the threshold it was judged against.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ntm.accounts.models import Field
from ntm.engine.model import Axis, Direction, Kind
from ntm.geo.models import AdminUnit, Region


def _pick(vi: str, en: str) -> str:
    return en if (get_language() or "vi").startswith("en") and en else vi


class SetLevel(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    VILLAGE = "village", _("Village")


class CriteriaSet(models.Model):
    code = models.SlugField(_("code"), max_length=80, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=SetLevel.choices)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    threshold_axis = models.CharField(
        _("threshold axis"),
        max_length=20,
        choices=[
            (Axis.REGION, _("National level and 7 regions")),
            (Axis.COMMUNE_GROUP, _("Commune groups 1/2/3")),
            (Axis.NONE, _("None")),
        ],
        default=Axis.NONE,
    )
    prerequisite = models.ForeignKey(
        "self",
        verbose_name=_("prerequisite set"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dependants",
    )
    localises = models.ForeignKey(
        "self",
        verbose_name=_("localises the national set"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="localisations",
    )
    province = models.ForeignKey(
        AdminUnit,
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="criteria_sets",
    )
    illustrative = models.BooleanField(_("illustrative (demo) thresholds"), default=False)
    verified = models.BooleanField(_("structure verified"), default=False)
    source = models.TextField(_("source"), blank=True)
    note = models.TextField(_("note"), blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    # Bumped by every change of criteria, indicators or thresholds: cached engine definitions
    # are keyed by (pk, version), so a change is seen at once by every process.
    version = models.PositiveIntegerField(default=1, editable=False)
    # Distinguishes rows when ids are reused (SQLite after a rollback), for the same cache.
    instance_token = models.UUIDField(default=uuid.uuid4, editable=False)
    loaded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")
        ordering = ["level", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _pick(self.name_vi, self.name_en)

    def bump_version(self) -> None:
        CriteriaSet.objects.filter(pk=self.pk).update(version=models.F("version") + 1)
        self.refresh_from_db(fields=["version"])

    @property
    def family(self) -> "CriteriaSet":
        """The national set values are recorded against (a localisation records under it)."""
        return self.localises or self


class Criterion(models.Model):
    criteria_set = models.ForeignKey(
        CriteriaSet,
        verbose_name=_("criteria set"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    group_code = models.CharField(_("group"), max_length=20, blank=True)
    group_name_vi = models.CharField(max_length=300, blank=True)
    group_name_en = models.CharField(max_length=300, blank=True)
    field = models.CharField(
        _("responsible field"), max_length=20, choices=Field.choices, blank=True
    )
    key = models.BooleanField(_("key criterion (revocation rule)"), default=False)
    verified = models.BooleanField(_("verified"), default=False)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["criteria_set", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["criteria_set", "number"], name="catalog_criterion_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number:02d}. {self.name}"

    @property
    def name(self) -> str:
        return _pick(self.name_vi, self.name_en)

    @property
    def group_name(self) -> str:
        return _pick(self.group_name_vi, self.group_name_en)


class Indicator(models.Model):
    criteria_set = models.ForeignKey(
        CriteriaSet, on_delete=models.CASCADE, related_name="indicators", editable=False
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=20)
    content_vi = models.TextField(_("content (Vietnamese)"))
    content_en = models.TextField(_("content (English)"), blank=True)
    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=[
            (Kind.PERCENT, _("Percentage")),
            (Kind.NUMBER, _("Number")),
            (Kind.AMOUNT, _("Amount")),
            (Kind.COUNT, _("Count")),
            (Kind.PASS_FAIL, _("Pass/fail")),
            (Kind.LEVEL, _("Ordered level")),
        ],
    )
    unit = models.CharField(_("unit of measure"), max_length=60, blank=True)
    direction = models.CharField(
        _("better when"),
        max_length=10,
        choices=[(Direction.HIGHER, _("higher")), (Direction.LOWER, _("lower"))],
        default=Direction.HIGHER,
    )
    formula = models.CharField(_("formula"), max_length=300, blank=True)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=2)
    levels = models.JSONField(_("levels (worst first)"), default=list, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    position = models.PositiveSmallIntegerField(default=0, editable=False)
    # No longer judged for periods ending on or after this day; its values and the results of
    # earlier periods keep it (an indicator with values is retired, never deleted).
    retired_from = models.DateField(_("retired from"), null=True, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["criteria_set", "criterion__number", "position"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "code"], name="catalog_indicator_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.content}"

    @property
    def content(self) -> str:
        return _pick(self.content_vi, self.content_en)


class DataElement(models.Model):
    criteria_set = models.ForeignKey(
        CriteriaSet,
        verbose_name=_("criteria set"),
        on_delete=models.CASCADE,
        related_name="data_elements",
    )
    code = models.CharField(_("code"), max_length=60)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    unit = models.CharField(_("unit of measure"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=12, default=Kind.NUMBER)

    class Meta:
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")
        ordering = ["criteria_set", "code"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "code"], name="catalog_element_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"

    @property
    def name(self) -> str:
        return _pick(self.name_vi, self.name_en)


class Threshold(models.Model):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="thresholds"
    )
    region = models.CharField(_("region"), max_length=8, choices=Region.choices, blank=True)
    commune_group = models.CharField(_("commune group"), max_length=1, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    value = models.CharField(_("value"), max_length=100, blank=True)
    reference_set = models.CharField(max_length=80, blank=True)
    reference_indicator = models.CharField(max_length=20, blank=True)
    reference_factor = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    source = models.TextField(_("source"), blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    change_reason = models.CharField(_("reason for the change"), max_length=500, blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("superseded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")
        ordering = ["indicator", "region", "commune_group", "year", "-created_at"]
        indexes = [models.Index(fields=["indicator", "superseded_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "commune_group", "year"],
                condition=Q(superseded_at__isnull=True) & Q(year__isnull=False),
                name="catalog_threshold_current_dated_uniq",
            ),
            models.UniqueConstraint(
                fields=["indicator", "region", "commune_group"],
                condition=Q(superseded_at__isnull=True) & Q(year__isnull=True),
                name="catalog_threshold_current_uniq",
            ),
        ]

    def __str__(self) -> str:
        scope = self.region or (f"nhóm {self.commune_group}" if self.commune_group else "chung")
        return (
            f"{self.indicator.code} [{scope}{f' {self.year}' if self.year else ''}] {self.display}"
        )

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def display(self) -> str:
        if self.reference_set:
            return f"× {self.reference_factor} ({self.reference_set}/{self.reference_indicator})"
        if self.value == "true":
            return "đạt"
        if self.value == "false":
            return "không đạt"
        return self.value


class SetChange(models.Model):
    """One change of a criteria set, for its page's history: who, when, how, and what changed
    (each line says before → after, as the load preview does)."""

    class Action(models.TextChoices):
        LOAD = "load", _("file loaded")
        THRESHOLD = "threshold", _("threshold set")
        THRESHOLD_REMOVED = "threshold_removed", _("threshold removed")
        LOCALISED = "localised", _("localised for a province")
        RETIRED = "retired", _("indicator retired")

    criteria_set = models.ForeignKey(
        CriteriaSet, on_delete=models.CASCADE, related_name="changes", verbose_name=_("set")
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    via = models.CharField(_("how"), max_length=200, blank=True)  # "web", a file name…
    action = models.CharField(_("change"), max_length=20, choices=Action.choices)
    lines = models.JSONField(_("what changed"), default=list)

    class Meta:
        verbose_name = _("change of a set")
        verbose_name_plural = _("changes of sets")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.criteria_set.code} · {self.get_action_display()} · {self.at:%d/%m/%Y}"


class Standard(models.Model):
    """A dated parameter that figures are measured against — the multidimensional poverty line
    of 2022–2025 (extended through 2026), a new one from 2027: poverty rates measured against
    different standards are not comparable, so pages say which one a value was measured against
    and mark the change."""

    class Kind(models.TextChoices):
        POVERTY = "poverty", _("poverty standard")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["kind", "valid_from"]

    def __str__(self) -> str:
        return self.name_vi
