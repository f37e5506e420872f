from django.contrib import admin
from django.http import HttpRequest

from ntm.catalog.models import (
    CriteriaSet,
    Criterion,
    DataElement,
    Indicator,
    SetChange,
    Standard,
    Threshold,
)


@admin.register(CriteriaSet)
class CriteriaSetAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_vi",
        "level",
        "threshold_axis",
        "province",
        "illustrative",
        "verified",
        "loaded_at",
    ]
    list_filter = ["level", "illustrative", "verified"]
    search_fields = ["code", "name_vi"]
    raw_id_fields = ["province"]
    readonly_fields = ["file_sha256", "loaded_at"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["criteria_set", "number", "name_vi", "field", "key", "verified"]
    list_filter = ["criteria_set", "key", "verified"]
    list_select_related = ["criteria_set"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["criteria_set", "code", "content_vi", "kind", "direction", "verified"]
    list_filter = ["criteria_set", "kind", "verified"]
    search_fields = ["code", "content_vi"]
    list_select_related = ["criteria_set"]


@admin.register(DataElement)
class DataElementAdmin(admin.ModelAdmin):
    list_display = ["criteria_set", "code", "name_vi", "unit", "kind"]
    list_filter = ["criteria_set"]
    list_select_related = ["criteria_set"]


@admin.register(Threshold)
class ThresholdAdmin(admin.ModelAdmin):
    list_display = [
        "indicator",
        "region",
        "commune_group",
        "year",
        "value",
        "verified",
        "created_at",
        "superseded_at",
    ]
    list_filter = ["verified", "region", "commune_group", "indicator__criteria_set"]
    raw_id_fields = ["indicator", "created_by", "superseded_by"]
    list_select_related = ["indicator"]


@admin.register(SetChange)
class SetChangeAdmin(admin.ModelAdmin):
    """The history of sets is written by the actions only: read here, never edited."""

    list_display = ["criteria_set", "action", "user", "at", "via"]
    list_filter = ["action"]
    search_fields = ["criteria_set__code", "via"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    """Dated standards (the poverty line) are parameters a system administrator keeps current:
    a new line is a new row from its first day, never an edit of the old one."""

    list_display = ["name_vi", "kind", "valid_from", "valid_to", "verified"]
    list_filter = ["kind", "verified"]
