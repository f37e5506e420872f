from django.contrib import admin

from ntm.portal.models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["pk", "unit", "kind", "status", "created_at"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["unit", "plan", "work", "criteria_set", "answered_by", "moderated_by"]
    readonly_fields = ["client_hash", "created_at"]
    list_select_related = ["unit"]
