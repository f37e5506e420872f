"""The year's NTM work of a commune or village: the plan document, typed targets whose status is
computed from stored results, tasks under solution areas with dated progress, obstacles, and
frozen progress snapshots."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ntm.catalog.models import CriteriaSet
from ntm.geo.models import AdminUnit

# The solution areas of the reference plan (Dương Đức 2024), the default for a new plan.
DEFAULT_AREAS = [
    ("leadership", _("Leadership and direction")),
    ("propaganda", _("Propaganda and mobilisation")),
    ("infrastructure", _("Infrastructure")),
    ("production", _("Production development")),
    ("environment", _("Environment")),
    ("social", _("Education, culture and health")),
    ("security", _("Security and order")),
    ("resources", _("Resource mobilisation")),
]


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")

    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=500)
    number = models.CharField(_("document number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issuer = models.CharField(_("issuing body"), max_length=200, blank=True)
    signer = models.CharField(_("signed by"), max_length=200, blank=True)
    legal_basis = models.TextField(_("legal basis (one “Căn cứ…” per line)"), blank=True)
    purposes = models.TextField(_("purposes"), blank=True)
    requirements = models.TextField(_("requirements"), blank=True)
    recipients = models.TextField(_("recipients (one per line)"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-year", "unit"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="planning_plan_uniq")]

    def __str__(self) -> str:
        return self.title


class SolutionArea(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="areas")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("solution area")
        verbose_name_plural = _("solution areas")
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="planning_area_uniq")]

    def __str__(self) -> str:
        return self.name


class TargetKind(models.TextChoices):
    CRITERIA_COUNT = "criteria_count", _("N criteria of a set met")
    CRITERION = "criterion", _("A criterion met")
    INDICATOR = "indicator", _("An indicator value")
    VILLAGE_SET = "village_set", _("A village reaches or keeps a set")
    OCOP = "ocop", _("OCOP products of a star rating")
    QUALITATIVE = "qualitative", _("Qualitative target")


class TargetStatus(models.TextChoices):
    ACHIEVED = "achieved", _("achieved")
    ON_TRACK = "on_track", _("on track")
    AT_RISK = "at_risk", _("at risk")
    MISSED = "missed", _("missed")
    NO_DATA = "no_data", _("no data")


class Target(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(_("kind"), max_length=20, choices=TargetKind.choices)
    title = models.CharField(_("target"), max_length=500)
    criteria_set = models.ForeignKey(
        CriteriaSet,
        verbose_name=_("criteria set"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    count = models.PositiveSmallIntegerField(_("number of criteria"), null=True, blank=True)
    criterion_number = models.PositiveSmallIntegerField(_("criterion"), null=True, blank=True)
    indicator_code = models.CharField(_("indicator"), max_length=20, blank=True)
    value = models.DecimalField(
        _("target value"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    stars = models.PositiveSmallIntegerField(_("stars (OCOP targets)"), null=True, blank=True)
    village = models.ForeignKey(
        AdminUnit,
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"))
    # Only qualitative targets carry a typed status; the others are computed from results.
    manual_status = models.CharField(
        _("status (qualitative targets)"), max_length=10, choices=TargetStatus.choices, blank=True
    )
    manual_reason = models.CharField(_("reason for the status"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    class Organisation(models.TextChoices):
        PEOPLES_COMMITTEE = "ubnd", _("People's Committee")
        SPECIALISTS = "officials", _("Specialist officials")
        FATHERLAND_FRONT = "mttq", _("Fatherland Front")
        WOMEN = "women", _("Women's Union")
        YOUTH = "youth", _("Youth Union")
        FARMERS = "farmers", _("Farmers' Association")
        VETERANS = "veterans", _("Veterans' Association")
        VILLAGE_BOARDS = "village_boards", _("Village development boards")
        OTHER = "other", _("Other")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    area = models.ForeignKey(
        SolutionArea,
        verbose_name=_("solution area"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    description = models.TextField(_("task"))
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible official"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ntm_tasks",
    )
    responsible_person = models.CharField(_("responsible person"), max_length=200, blank=True)
    organisations = models.JSONField(_("responsible organisations"), default=list, blank=True)
    criteria = models.JSONField(_("linked criteria (numbers)"), default=list, blank=True)
    indicators = models.JSONField(_("linked indicators (codes)"), default=list, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan", "area__position", "deadline", "pk"]

    def __str__(self) -> str:
        return self.description[:80]

    def organisation_labels(self) -> str:
        """The responsible organisations by name, for pages."""
        labels = dict(Task.Organisation.choices)
        return ", ".join(str(labels.get(c, c)) for c in self.organisations or [])


def progress_path(instance: "ProgressUpdate", filename: str) -> str:
    return f"progress/{instance.task_id}/{filename}"


class ProgressUpdate(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("date"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    note = models.TextField(_("note"))
    attachment = models.FileField(_("attachment"), upload_to=progress_path, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["task", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.date}: {self.percent}%"


class Obstacle(models.Model):
    class Level(models.TextChoices):
        VILLAGE = "village", _("village")
        COMMUNE = "commune", _("commune")
        PROVINCE = "province", _("province")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="obstacles")
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="obstacles",
    )
    criterion_number = models.PositiveSmallIntegerField(_("criterion"), null=True, blank=True)
    description = models.TextField(_("obstacle"))
    level = models.CharField(
        _("to be resolved at"), max_length=10, choices=Level.choices, default=Level.COMMUNE
    )
    raised_on = models.DateField(_("raised on"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("obstacle")
        verbose_name_plural = _("obstacles")
        ordering = ["plan", "resolved_on", "raised_on"]

    def __str__(self) -> str:
        return self.description[:80]


class Snapshot(models.Model):
    """The plan's state frozen at a date as reported; never recomputed."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="snapshots")
    period = models.CharField(_("period"), max_length=7)
    taken_on = models.DateField(_("as of"))
    taken_at = models.DateTimeField(auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("progress snapshot")
        verbose_name_plural = _("progress snapshots")
        ordering = ["plan", "taken_on"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "period"], name="planning_snapshot_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.period}"
