from django.contrib import admin

from ntm.evaluation.models import SetResult


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
