from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ntm.organisation.models import (
    Award,
    Committee,
    CommitteeMember,
    EmulationCampaign,
    OcopProduct,
)


class CommitteeMemberInline(admin.TabularInline):
    model = CommitteeMember
    extra = 0
    raw_id_fields = ["user"]
    fields = ["full_name", "role", "position", "user", "fields", "phone", "term_start", "term_end"]


@admin.register(Committee)
class CommitteeAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "kind",
        "unit",
        "decision_number",
        "decision_date",
        "term_start",
        "term_end",
    ]
    list_filter = ["kind"]
    search_fields = ["name", "unit__name", "unit__code", "decision_number"]
    raw_id_fields = ["unit"]
    list_select_related = ["unit"]
    inlines = [CommitteeMemberInline]


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "role", "position", "committee", "user", "term_start", "term_end"]
    list_filter = ["role", "committee__kind"]
    search_fields = ["full_name", "position", "committee__name", "user__username"]
    raw_id_fields = ["committee", "user"]
    list_select_related = ["committee__unit", "user"]


class AwardInline(admin.TabularInline):
    model = Award
    extra = 0
    raw_id_fields = ["village"]


@admin.register(EmulationCampaign)
class EmulationCampaignAdmin(SimpleHistoryAdmin):
    list_display = ["name", "unit", "start_date", "end_date", "decision_number"]
    search_fields = ["name", "unit__name", "unit__code"]
    raw_id_fields = ["unit"]
    list_select_related = ["unit"]
    inlines = [AwardInline]


@admin.register(Award)
class AwardAdmin(SimpleHistoryAdmin):
    list_display = [
        "recipient_name",
        "recipient_kind",
        "form",
        "awarded_by",
        "campaign",
        "village",
        "decision_date",
    ]
    list_filter = ["recipient_kind", "form"]
    search_fields = ["recipient_name", "campaign__name", "decision_number"]
    raw_id_fields = ["campaign", "village"]
    list_select_related = ["campaign", "village"]


@admin.register(OcopProduct)
class OcopProductAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "stars",
        "producer",
        "unit",
        "village",
        "certification_date",
        "expiry_date",
    ]
    list_filter = ["stars"]
    search_fields = ["name", "producer", "unit__name", "unit__code", "certification_number"]
    raw_id_fields = ["unit", "village"]
    list_select_related = ["unit", "village"]
