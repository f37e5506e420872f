from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from ntm.observations.models import DataValue, Evidence, InputStamp, PeriodLock, ValueComment


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    readonly_fields = [
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]


@admin.register(DataValue)
class DataValueAdmin(SimpleHistoryAdmin):
    list_display = [
        "unit",
        "criteria_set",
        "code",
        "period",
        "text",
        "status",
        "updated_by",
        "updated_at",
    ]
    list_filter = ["criteria_set", "status", "period"]
    search_fields = ["unit__name", "unit__code", "code"]
    raw_id_fields = ["unit", "updated_by", "approved_by"]
    list_select_related = ["unit", "criteria_set", "updated_by"]
    inlines = [EvidenceInline]


@admin.register(PeriodLock)
class PeriodLockAdmin(admin.ModelAdmin):
    list_display = ["unit", "period", "reason", "locked_by", "locked_at"]
    raw_id_fields = ["unit", "locked_by"]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "value", "content_type", "size", "uploaded_by", "uploaded_at"]
    raw_id_fields = ["value", "uploaded_by"]


@admin.register(ValueComment)
class ValueCommentAdmin(admin.ModelAdmin):
    list_display = ["value", "author", "created_at", "text"]
    raw_id_fields = ["value", "author"]


@admin.register(InputStamp)
class InputStampAdmin(admin.ModelAdmin):
    """Counters the services bump on every write of values: read-only."""

    list_display = ["unit", "criteria_set", "version"]
    list_filter = ["criteria_set"]
    raw_id_fields = ["unit"]
    list_select_related = ["unit", "criteria_set"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
