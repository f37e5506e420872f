from django.contrib import admin
from django.http import HttpRequest

from ntm.evaluation.models import AreaSummary, SetResult, StaleResult, UnitBasis


@admin.register(SetResult)
class SetResultAdmin(admin.ModelAdmin):
    list_display = [
        "unit",
        "criteria_set",
        "period",
        "met",
        "total",
        "status",
        "prerequisite_met",
        "unverified",
        "computed_at",
    ]
    list_filter = ["criteria_set", "period", "status", "unverified"]
    raw_id_fields = ["unit"]
    list_select_related = ["unit", "criteria_set"]


@admin.register(StaleResult)
class StaleResultAdmin(admin.ModelAdmin):
    """Marks waiting for the pipeline: read-only, they come and go with refreshes."""

    list_display = ["unit", "criteria_set", "reason", "marked_at"]
    list_filter = ["criteria_set", "reason"]
    raw_id_fields = ["unit"]
    list_select_related = ["unit", "criteria_set"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AreaSummary)
class AreaSummaryAdmin(admin.ModelAdmin):
    """Counts kept by the pipeline: read-only (``evaluate --full`` recounts them)."""

    list_display = ["area", "criteria_set", "level", "period_end", "reported", "met_all"]
    list_filter = ["criteria_set", "level", "period_end"]
    raw_id_fields = ["area"]
    list_select_related = ["area", "criteria_set"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(UnitBasis)
class UnitBasisAdmin(admin.ModelAdmin):
    """What the pipeline checks before reading a unit: read-only, written with the results."""

    list_display = ["unit", "criteria_set", "results", "basis"]
    list_filter = ["criteria_set"]
    raw_id_fields = ["unit"]
    list_select_related = ["unit", "criteria_set"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
