"""Money and works of the programme: funding sources, village and commune works with their planned
budget by source, progress, allocations to villages, disbursements and the residents'
contributions ledger.

Money is VND in whole dong (``DecimalField`` with no decimal places). Non-cash contributions keep
their own unit (labour days, m²) and are valued with the commune's rate of the year.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ntm.catalog.models import CriteriaSet
from ntm.geo.models import AdminUnit

# Two-tier local government: no district budget from this day on.
DISTRICTS_ABOLISHED = dt.date(2025, 7, 1)


class SourceKind(models.TextChoices):
    CENTRAL_BUDGET = "central", _("Central budget")
    PROVINCE_BUDGET = "province", _("Province budget")
    DISTRICT_BUDGET = "district", _("District budget (before 1/7/2025)")
    COMMUNE_BUDGET = "commune", _("Commune budget")
    INTEGRATED = "integrated", _("Integrated programmes")
    LAND_AUCTION = "land_auction", _("Land-use-right auctions")
    CREDIT = "credit", _("Credit")
    ENTERPRISE = "enterprise", _("Enterprises")
    PEOPLE_CASH = "people_cash", _("People: cash")
    PEOPLE_LABOUR = "people_labour", _("People: labour days")
    PEOPLE_LAND = "people_land", _("People: donated land")
    PEOPLE_MATERIALS = "people_materials", _("People: materials")


PEOPLE_SOURCES = frozenset(
    {
        SourceKind.PEOPLE_CASH,
        SourceKind.PEOPLE_LABOUR,
        SourceKind.PEOPLE_LAND,
        SourceKind.PEOPLE_MATERIALS,
    }
)
# Kinds counted in their own unit and valued with a rate (materials are valued as declared).
QUANTITY_SOURCES = frozenset({SourceKind.PEOPLE_LABOUR, SourceKind.PEOPLE_LAND})
NON_CASH_SOURCES = QUANTITY_SOURCES | {SourceKind.PEOPLE_MATERIALS}
CASH_SOURCES = frozenset(k for k in SourceKind if k not in NON_CASH_SOURCES)


class RateKind(models.TextChoices):
    LABOUR_DAY = "labour_day", _("Value of a labour day (VND/day)")
    LAND_M2 = "land_m2", _("Value of donated land (VND/m²)")


SOURCE_RATE = {
    SourceKind.PEOPLE_LABOUR: RateKind.LABOUR_DAY,
    SourceKind.PEOPLE_LAND: RateKind.LAND_M2,
}
QUANTITY_UNITS = {SourceKind.PEOPLE_LABOUR: _("labour days"), SourceKind.PEOPLE_LAND: _("m²")}


class ValuationRate(models.Model):
    """The commune's value of a labour day or a square metre of donated land for one year."""

    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("rate"), max_length=12, choices=RateKind.choices)
    vnd_per_unit = models.DecimalField(_("VND per unit"), max_digits=18, decimal_places=0)
    basis = models.CharField(_("basis (decision, meeting)"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("valuation rate")
        verbose_name_plural = _("valuation rates")
        ordering = ["unit", "-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "kind"], name="finance_rate_uniq"),
            models.CheckConstraint(condition=Q(vnd_per_unit__gte=0), name="finance_rate_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.year} {self.get_kind_display()}"


class WorkKind(models.TextChoices):
    CULTURAL_HOUSE = "cultural_house", _("Cultural house")
    SPORTS_GROUND = "sports_ground", _("Sports ground")
    LIGHTING = "lighting", _("Street lighting")
    ROAD = "road", _("Road")
    IRRIGATION = "irrigation", _("Irrigation canal")
    WASTE_POINT = "waste_point", _("Waste collection point")
    SCHOOL = "school", _("School")
    MARKET = "market", _("Market")
    PRODUCTION_MODEL = "production_model", _("Production model")
    OTHER = "other", _("Other")


class Work(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("village or commune"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("plan year"))
    kind = models.CharField(_("kind"), max_length=20, choices=WorkKind.choices)
    name = models.CharField(_("name"), max_length=300)
    length_km = models.DecimalField(
        _("length (km, roads and canals)"), max_digits=8, decimal_places=3, null=True, blank=True
    )
    criterion_number = models.PositiveSmallIntegerField(_("criterion"), null=True, blank=True)
    indicator_code = models.CharField(_("indicator"), max_length=20, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    decision_number = models.CharField(_("investment decision"), max_length=100, blank=True)
    contractor = models.CharField(_("contractor"), max_length=300, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    finish = models.DateField(_("finish"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # When finished, the work's quantity counts towards a data element or indicator of a national
    # set for its commune (e.g. km of concreted village road): see services.feed_sync.
    feeds_set = models.ForeignKey(
        CriteriaSet,
        verbose_name=_("feeds the criteria set"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"localises__isnull": True, "level": "commune"},
    )
    feeds_code = models.CharField(
        _("feeds the indicator or data element"),
        max_length=60,
        blank=True,
        help_text=_("Its code in the set, e.g. the km of concreted village road."),
    )
    quantity = models.DecimalField(
        _("quantity it adds (e.g. km)"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Taken over by a merged commune from a unit that ended (its progress, photos and money
    # come along; this says where it started).
    transferred_from = models.ForeignKey(
        AdminUnit,
        verbose_name=_("taken over from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transferred_on = models.DateField(_("taken over on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work")
        verbose_name_plural = _("works")
        ordering = ["-year", "unit", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "name"], name="finance_work_uniq"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="finance_work_percent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def feed_year(self) -> int:
        """The year a finished work counts in: its finish, else its plan year."""
        return self.finish.year if self.finish else self.year

    @property
    def books_unit(self) -> AdminUnit:
        """Whose accounts the work's money is in: the unit that held it in its plan year. A work
        taken over after a merger keeps its figures with the unit that began it."""
        return self.transferred_from or self.unit


class BudgetLine(models.Model):
    """Planned funding of a work from one source: VND for money and materials, a quantity for
    labour days and donated land."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="budget_lines")
    source = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    amount = models.DecimalField(
        _("amount (VND)"), null=True, blank=True, max_digits=18, decimal_places=0
    )
    quantity = models.DecimalField(
        _("quantity"), null=True, blank=True, max_digits=14, decimal_places=2
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["work", "source"]
        constraints = [
            models.UniqueConstraint(fields=["work", "source"], name="finance_budget_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.work} · {self.get_source_display()}"


def photo_path(instance: "WorkProgress", filename: str) -> str:
    # Kept under MEDIA_ROOT but never linked by URL: served by a permission-checked view.
    return f"finance/works/{instance.work_id}/{filename}"


class WorkProgress(models.Model):
    class Stage(models.TextChoices):
        BEFORE = "before", _("before")
        DURING = "during", _("during")
        AFTER = "after", _("after")

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("date"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    note = models.TextField(_("note"), blank=True)
    photo = models.FileField(_("photo"), upload_to=photo_path, blank=True)
    photo_type = models.CharField(max_length=20, blank=True)
    photo_stage = models.CharField(
        _("photo shows"), max_length=10, choices=Stage.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work progress update")
        verbose_name_plural = _("work progress updates")
        ordering = ["work", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.work} {self.date}: {self.percent}%"


class Allocation(models.Model):
    """Support the commune allocates to a village for a year from one source ("mức hỗ trợ")."""

    commune = models.ForeignKey(
        AdminUnit, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        AdminUnit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    amount = models.DecimalField(_("amount (VND)"), max_digits=18, decimal_places=0)
    decided_on = models.DateField(_("decided on"))
    decision_number = models.CharField(_("decision"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-year", "village", "source", "decided_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_allocation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.village.name} {self.year} · {self.get_source_display()}"


class Disbursement(models.Model):
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="disbursements")
    source = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    amount = models.DecimalField(_("amount (VND)"), max_digits=18, decimal_places=0)
    date = models.DateField(_("date"))
    document = models.CharField(_("voucher or document"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["work", "date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_disbursement_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.work} {self.date}: {self.amount}"


class ContributorKind(models.TextChoices):
    HOUSEHOLD = "household", _("household")
    ORGANISATION = "organisation", _("organisation")
    ENTERPRISE = "enterprise", _("enterprise")


class ContributionKind(models.TextChoices):
    CASH = "cash", _("cash")
    LABOUR = "labour", _("labour days")
    LAND = "land", _("donated land")
    MATERIALS = "materials", _("materials")


CONTRIBUTION_SOURCE = {
    ContributionKind.CASH: SourceKind.PEOPLE_CASH,
    ContributionKind.LABOUR: SourceKind.PEOPLE_LABOUR,
    ContributionKind.LAND: SourceKind.PEOPLE_LAND,
    ContributionKind.MATERIALS: SourceKind.PEOPLE_MATERIALS,
}


class Contribution(models.Model):
    """One contribution by a household, organisation or enterprise. A household's name is
    published only with its consent; aggregates always are."""

    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("village or commune"), on_delete=models.PROTECT, related_name="+"
    )
    work = models.ForeignKey(
        Work,
        verbose_name=_("work"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    contributor_kind = models.CharField(
        _("contributor"), max_length=12, choices=ContributorKind.choices
    )
    contributor_name = models.CharField(_("name"), max_length=200)
    consent_to_publish = models.BooleanField(_("agrees to publish the name"), default=False)
    kind = models.CharField(_("kind"), max_length=10, choices=ContributionKind.choices)
    quantity = models.DecimalField(
        _("quantity"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    rate = models.DecimalField(
        _("rate used (VND per unit)"), null=True, blank=True, max_digits=18, decimal_places=0
    )
    value = models.DecimalField(_("value (VND)"), max_digits=18, decimal_places=0)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="finance_contribution_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    @property
    def source(self) -> str:
        return str(CONTRIBUTION_SOURCE[ContributionKind(self.kind)])


ZERO = Decimal(0)
