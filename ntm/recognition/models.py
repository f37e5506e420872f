"""Satisfaction surveys run by the Fatherland Front, and recognition dossiers that follow a
configurable workflow (18/2022/QĐ-TTg; since 1/7/2025 without the district step)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ntm.accounts.models import Role
from ntm.geo.models import AdminUnit


class Purpose(models.TextChoices):
    NTM = "ntm", _("Recognition as a new rural commune")
    ADVANCED = "advanced", _("Recognition as an advanced new rural commune")
    MODEL = "model", _("Recognition as a model new rural commune")


class Survey(models.Model):
    """One satisfaction survey of a commune for one purpose and national criteria set."""

    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="surveys"
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    set_code = models.SlugField(_("national criteria set (code)"), max_length=80)
    title = models.CharField(_("title"), max_length=300)
    # Empty means "no threshold": the survey never passes until the province enters the share
    # required. The commune shares are not confirmed in law (criteria-reference.yaml).
    required_share = models.DecimalField(
        _("required satisfied share (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    threshold_source = models.CharField(_("source of the threshold"), max_length=300, blank=True)
    threshold_verified = models.BooleanField(_("threshold verified in law"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["unit", "-created_at"]

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=500)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["survey", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class SurveyVillage(models.Model):
    """The number of households of a village, the base of the survey's coverage."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="villages")
    village = models.ForeignKey(
        AdminUnit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    households = models.PositiveIntegerField(_("households"))

    class Meta:
        verbose_name = _("village of a survey")
        verbose_name_plural = _("villages of a survey")
        ordering = ["survey", "village__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "village"], name="recognition_survey_village_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.village_id}: {self.households}"


class Ballot(models.Model):
    """A household's paper questionnaire, entered by the village Front committee. Personal data."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="ballots")
    village = models.ForeignKey(
        AdminUnit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    household_code = models.CharField(_("household code"), max_length=40)
    # {question id: true/false}; a ballot is satisfied when every answer is yes.
    answers = models.JSONField(default=dict)
    satisfied = models.BooleanField(_("satisfied"))
    entered_at = models.DateTimeField(auto_now_add=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["survey", "village__code", "household_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "household_code"], name="recognition_ballot_household_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.household_code


class Rule(models.TextChoices):
    """What must hold before a step may be left."""

    NONE = "none", _("No check")
    COMMENTS = "comments", _("All comments answered")
    POSTING = "posting", _("Public posting rule")
    SURVEY = "survey", _("Survey meets the threshold")
    VOTE = "vote", _("Meeting voted in favour")
    APPRAISAL = "appraisal", _("Appraisal notes recorded")
    DECISION = "decision", _("Decision number and date recorded")


class Workflow(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    posting_min_count = models.PositiveSmallIntegerField(_("minimum postings"), default=5)
    posting_within_days = models.PositiveSmallIntegerField(_("within days"), default=15)

    class Meta:
        verbose_name = _("recognition workflow")
        verbose_name_plural = _("recognition workflows")
        ordering = ["valid_from", "code"]

    def __str__(self) -> str:
        return self.name


class Step(models.Model):
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("order"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("responsible role"), max_length=20, choices=Role.choices)
    deadline_days = models.PositiveSmallIntegerField(_("deadline (days)"), null=True, blank=True)
    rule = models.CharField(_("check"), max_length=12, choices=Rule.choices, default=Rule.NONE)

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["workflow", "position"]
        constraints = [
            models.UniqueConstraint(fields=["workflow", "code"], name="recognition_step_code_uniq"),
            models.UniqueConstraint(
                fields=["workflow", "position"], name="recognition_step_position_uniq"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Dossier(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        RECOGNISED = "recognised", _("Recognised")

    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="dossiers"
    )
    set_code = models.SlugField(_("national criteria set (code)"), max_length=80)
    workflow = models.ForeignKey(
        Workflow, verbose_name=_("workflow"), on_delete=models.PROTECT, related_name="dossiers"
    )
    step = models.ForeignKey(
        Step,
        verbose_name=_("current step"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    step_started_on = models.DateField(_("step started on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS
    )
    survey = models.ForeignKey(
        Survey,
        verbose_name=_("satisfaction survey"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    comments_received = models.PositiveIntegerField(_("comments received"), null=True, blank=True)
    comments_answered = models.PositiveIntegerField(_("comments answered"), default=0)
    vote_for = models.PositiveIntegerField(_("votes for"), null=True, blank=True)
    vote_against = models.PositiveIntegerField(_("votes against"), null=True, blank=True)
    vote_total = models.PositiveIntegerField(_("delegates present"), null=True, blank=True)
    vote_date = models.DateField(_("meeting date"), null=True, blank=True)
    # {step code: notes}: each appraisal step records its own notes.
    appraisal_notes = models.JSONField(_("appraisal notes"), default=dict, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recognition dossier")
        verbose_name_plural = _("recognition dossiers")
        ordering = ["unit", "-created_at"]

    def __str__(self) -> str:
        return f"{self.unit.name} · {self.set_code}"


class Posting(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="postings")
    place = models.CharField(_("place"), max_length=200)
    date = models.DateField(_("date"))

    class Meta:
        verbose_name = _("public posting")
        verbose_name_plural = _("public postings")
        ordering = ["dossier", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.date} · {self.place}"


class DossierEvent(models.Model):
    """The audit log: every change of a dossier, who made it and when."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("change"), max_length=20)
    from_state = models.CharField(_("from"), max_length=200, blank=True)
    to_state = models.CharField(_("to"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier events")
        ordering = ["dossier", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.from_state} → {self.to_state}"


class Recognition(models.Model):
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="recognitions"
    )
    set_code = models.SlugField(_("national criteria set (code)"), max_length=80)
    dossier = models.OneToOneField(
        Dossier, null=True, blank=True, on_delete=models.SET_NULL, related_name="recognition"
    )
    decision_number = models.CharField(_("decision number"), max_length=60)
    decision_date = models.DateField(_("decision date"))

    class Meta:
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        ordering = ["unit", "-decision_date"]

    def __str__(self) -> str:
        return f"{self.unit.name} · {self.set_code} · {self.decision_number}"
