"""Who runs the programme in a unit: committees and their members, emulation campaigns with
their awards, and the register of certified OCOP products.

Writes go through ``services.py``; reads through ``selectors.py``.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ntm.accounts.models import Field
from ntm.core.text import fold
from ntm.geo.models import AdminUnit


class CommitteeKind(models.TextChoices):
    STEERING = "steering", _("Steering committee")
    MANAGEMENT = "management", _("Management board")
    VILLAGE_DEVELOPMENT = "village_development", _("Village development board")
    OTHER = "other", _("Other committee")


class MemberRole(models.TextChoices):
    HEAD = "head", _("Head")
    DEPUTY = "deputy", _("Deputy head")
    MEMBER = "member", _("Member")
    SECRETARY = "secretary", _("Secretary")


# Heads first, then deputies, members and the secretary: the order of a committee decision.
ROLE_RANK = {
    MemberRole.HEAD: 0,
    MemberRole.DEPUTY: 1,
    MemberRole.MEMBER: 2,
    MemberRole.SECRETARY: 3,
}


def term_covers(start: dt.date | None, end: dt.date | None, day: dt.date) -> bool:
    """An open end (None) means "since before the records" or "until further notice"."""
    return (start is None or start <= day) and (end is None or end >= day)


class Committee(models.Model):
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="committees"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=CommitteeKind.choices)
    name = models.CharField(_("name"), max_length=300)
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["unit", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="organisation_committee_uniq"),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True)
                | Q(term_start__isnull=True)
                | Q(term_end__gte=F("term_start")),
                name="organisation_committee_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit.name})"

    def in_term_on(self, day: dt.date) -> bool:
        return term_covers(self.term_start, self.term_end, day)


class CommitteeMember(models.Model):
    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="members"
    )
    full_name = models.CharField(_("full name"), max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committee_seats",
    )
    position = models.CharField(_("position"), max_length=300, blank=True)
    role = models.CharField(
        _("role in the committee"),
        max_length=20,
        choices=MemberRole.choices,
        default=MemberRole.MEMBER,
    )
    # Values of ntm.accounts.models.Field, as in Membership.fields.
    fields = models.JSONField(_("assigned fields"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["committee", "full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True)
                | Q(term_start__isnull=True)
                | Q(term_end__gte=F("term_start")),
                name="organisation_member_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} · {self.get_role_display()}"

    @property
    def rank(self) -> tuple[int, str]:
        return (ROLE_RANK.get(MemberRole(self.role), 9), fold(self.full_name))

    def field_labels(self) -> list[str]:
        labels = dict(Field.choices)
        return [str(labels.get(f, f)) for f in self.fields]

    def in_term_on(self, day: dt.date) -> bool:
        return term_covers(self.term_start, self.term_end, day)


class RecipientKind(models.TextChoices):
    COLLECTIVE = "collective", _("Collective")
    INDIVIDUAL = "individual", _("Individual")


class EmulationCampaign(models.Model):
    """An emulation movement (phong trào thi đua) launched in a unit."""

    unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="emulation_campaigns",
    )
    name = models.CharField(_("name"), max_length=300)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("emulation campaign")
        verbose_name_plural = _("emulation campaigns")
        ordering = ["unit", "-start_date", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="organisation_campaign_uniq"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="organisation_campaign_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Award(models.Model):
    """A commendation (khen thưởng) given under a campaign."""

    campaign = models.ForeignKey(
        EmulationCampaign,
        verbose_name=_("emulation campaign"),
        on_delete=models.CASCADE,
        related_name="awards",
    )
    recipient_kind = models.CharField(
        _("recipient kind"), max_length=20, choices=RecipientKind.choices
    )
    recipient_name = models.CharField(_("recipient"), max_length=300)
    village = models.ForeignKey(
        AdminUnit,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
    )
    form = models.CharField(_("form of award"), max_length=150)
    awarded_by = models.CharField(_("awarded by"), max_length=200)
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["campaign", "decision_date", "recipient_name"]

    def __str__(self) -> str:
        return f"{self.form} · {self.recipient_name}"


class OcopStatus(models.TextChoices):
    """Derived from the certificate's dates on a given day; never stored."""

    NOT_YET = "not_yet", _("not yet certified")
    VALID = "valid", _("valid")
    EXPIRING = "expiring", _("expiring soon")
    EXPIRED = "expired", _("expired")


EXPIRY_WARNING = dt.timedelta(days=90)


def ocop_status(certified: dt.date, expires: dt.date, day: dt.date) -> OcopStatus:
    if day < certified:
        return OcopStatus.NOT_YET
    if day > expires:
        return OcopStatus.EXPIRED
    if expires - day <= EXPIRY_WARNING:
        return OcopStatus.EXPIRING
    return OcopStatus.VALID


class OcopProduct(models.Model):
    """A certified OCOP product of a commune (only certified products: targets live in plans)."""

    class Stars(models.IntegerChoices):
        THREE = 3, _("3 stars")
        FOUR = 4, _("4 stars")
        FIVE = 5, _("5 stars")

    unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="ocop_products",
    )
    village = models.ForeignKey(
        AdminUnit,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="village_ocop_products",
    )
    name = models.CharField(_("product name"), max_length=300)
    producer = models.CharField(
        _("producer"),
        max_length=300,
        help_text=_("Name of the cooperative, household or enterprise."),
    )
    stars = models.PositiveSmallIntegerField(_("star rating"), choices=Stars.choices)
    certification_number = models.CharField(
        _("certification decision number"), max_length=100, blank=True
    )
    certification_date = models.DateField(_("certification date"))
    expiry_date = models.DateField(_("expiry date"))
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("OCOP product")
        verbose_name_plural = _("OCOP products")
        ordering = ["unit", "-stars", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "name", "certification_date"], name="organisation_ocop_uniq"
            ),
            models.CheckConstraint(
                condition=Q(stars__gte=3) & Q(stars__lte=5), name="organisation_ocop_stars"
            ),
            models.CheckConstraint(
                condition=Q(expiry_date__gt=F("certification_date")),
                name="organisation_ocop_expiry_after_certification",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.stars}★)"

    def status_on(self, day: dt.date) -> OcopStatus:
        return ocop_status(self.certification_date, self.expiry_date, day)
