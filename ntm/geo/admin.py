from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ntm.geo.models import AdminUnit, Classification, Succession


class ClassificationInline(admin.TabularInline):
    model = Classification
    extra = 0


@admin.register(AdminUnit)
class AdminUnitAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "parent", "valid_from", "valid_to", "region", "is_demo"]
    list_filter = ["level", "kind", "region", "is_demo"]
    search_fields = ["code", "name", "search_name"]
    raw_id_fields = ["parent"]
    readonly_fields = ["level", "path"]
    inlines = [ClassificationInline]
    list_select_related = ["parent"]


@admin.register(Classification)
class ClassificationAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "kind", "value", "valid_from", "valid_to", "legal_basis"]
    list_filter = ["kind", "value"]
    raw_id_fields = ["unit"]
    list_select_related = ["unit"]


@admin.register(Succession)
class SuccessionAdmin(SimpleHistoryAdmin):
    list_display = ["predecessor", "kind", "successor", "effective_date", "legal_basis"]
    list_filter = ["kind", "effective_date"]
    search_fields = ["predecessor__name", "successor__name", "predecessor__code", "successor__code"]
    raw_id_fields = ["predecessor", "successor"]
    list_select_related = ["predecessor", "successor"]
