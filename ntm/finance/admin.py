from django.contrib import admin

from ntm.finance.models import (
    Allocation,
    BudgetLine,
    Contribution,
    Disbursement,
    ValuationRate,
    Work,
    WorkProgress,
)


@admin.register(ValuationRate)
class ValuationRateAdmin(admin.ModelAdmin):
    list_display = ["unit", "year", "kind", "vnd_per_unit", "is_demo"]
    list_filter = ["year", "kind", "is_demo"]
    raw_id_fields = ["unit", "updated_by"]
    list_select_related = ["unit"]


class BudgetInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "year", "kind", "status", "percent", "is_demo"]
    list_filter = ["year", "kind", "status", "is_demo"]
    search_fields = ["name", "unit__name", "unit__code", "decision_number", "contractor"]
    raw_id_fields = ["unit", "created_by"]
    inlines = [BudgetInline]
    list_select_related = ["unit"]


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ["work", "source", "amount", "quantity"]
    list_filter = ["source"]
    raw_id_fields = ["work"]
    list_select_related = ["work"]


@admin.register(WorkProgress)
class WorkProgressAdmin(admin.ModelAdmin):
    list_display = ["work", "date", "percent", "photo_stage", "created_by"]
    raw_id_fields = ["work", "created_by"]
    list_select_related = ["work", "created_by"]


@admin.register(Allocation)
class AllocationAdmin(admin.ModelAdmin):
    list_display = ["village", "year", "source", "amount", "decision_number", "is_demo"]
    list_filter = ["year", "source", "is_demo"]
    raw_id_fields = ["commune", "village", "created_by"]
    list_select_related = ["village"]


@admin.register(Disbursement)
class DisbursementAdmin(admin.ModelAdmin):
    list_display = ["work", "date", "source", "amount", "document"]
    list_filter = ["source"]
    raw_id_fields = ["work", "created_by"]
    list_select_related = ["work"]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = [
        "date",
        "unit",
        "contributor_kind",
        "contributor_name",
        "consent_to_publish",
        "kind",
        "quantity",
        "value",
        "is_demo",
    ]
    list_filter = ["kind", "contributor_kind", "consent_to_publish", "is_demo"]
    search_fields = ["contributor_name", "unit__code"]
    raw_id_fields = ["unit", "work", "created_by"]
    list_select_related = ["unit"]
