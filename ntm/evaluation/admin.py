from django.contrib import admin
from django.http import HttpRequest

from ntm.evaluation.models import SetResult, StaleResult


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
