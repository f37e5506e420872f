from django.contrib import admin

from ntm.api.models import ApiToken, Dhis2FollowUp, Dhis2Mapping


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "user",
        "prefix",
        "read_only",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["read_only"]
    search_fields = ["name", "prefix", "user__username"]
    raw_id_fields = ["user"]
    # Tokens are created by their owner on the profile page (the key is shown only there).
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Dhis2Mapping)
class Dhis2MappingAdmin(admin.ModelAdmin):
    list_display = ["kind", "unit", "criteria_set", "code", "dhis2_id", "category_option_combo"]
    list_filter = ["kind", "criteria_set"]
    search_fields = ["dhis2_id", "dhis2_code", "code", "unit__code"]
    raw_id_fields = ["unit", "criteria_set"]


@admin.register(Dhis2FollowUp)
class Dhis2FollowUpAdmin(admin.ModelAdmin):
    list_display = ["value", "marked_at", "marked_by"]
    raw_id_fields = ["value", "marked_by"]
    readonly_fields = ["marked_at"]
