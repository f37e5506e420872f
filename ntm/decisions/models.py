"""Scenarios ("kịch bản") and gap costs: hypothetical figures kept apart from real values.

A scenario's values never enter ``DataValue`` nor any stored result: they are laid over the
unit's real values only when the scenario is judged (``services.scenario_evaluate``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ntm.catalog.models import CriteriaSet
from ntm.geo.models import AdminUnit


class Scenario(models.Model):
    class Source(models.TextChoices):
        TYPED = "typed", _("typed values")
        TARGETS = "targets", _("the plan's targets")
        WORKS = "works", _("works in progress, assumed finished")

    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    # Always the national set, as values are recorded.
    criteria_set = models.ForeignKey(
        CriteriaSet, verbose_name=_("criteria set"), on_delete=models.PROTECT, related_name="+"
    )
    base_period = models.CharField(_("base period"), max_length=7)
    name = models.CharField(_("name"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(
        _("built from"), max_length=10, choices=Source.choices, default=Source.TYPED
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["unit", "-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "criteria_set", "name"], name="decisions_scenario_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ScenarioValue(models.Model):
    """One hypothetical value: an indicator or data element of the set, as text in canonical
    form (``engine.values.format_value``), parsed by the indicator's kind when judged."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="values")
    code = models.CharField(_("indicator or data element"), max_length=60)
    text = models.CharField(_("value"), max_length=100)

    class Meta:
        verbose_name = _("scenario value")
        verbose_name_plural = _("scenario values")
        ordering = ["scenario", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "code"], name="decisions_value_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.code} = {self.text}"


class GapCost(models.Model):
    """The estimated cost of closing one indicator's gap in a commune: what the cheapest path
    weighs."""

    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    criteria_set = models.ForeignKey(
        CriteriaSet, verbose_name=_("criteria set"), on_delete=models.PROTECT, related_name="+"
    )
    indicator_code = models.CharField(_("indicator"), max_length=20)
    cost = models.DecimalField(_("cost (VND)"), max_digits=18, decimal_places=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("gap cost")
        verbose_name_plural = _("gap costs")
        ordering = ["unit", "criteria_set", "indicator_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "criteria_set", "indicator_code"], name="decisions_gap_cost_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_code}: {self.cost}"
