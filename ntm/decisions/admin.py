from django.contrib import admin

from ntm.decisions.models import GapCost, Scenario, ScenarioValue


class ValueInline(admin.TabularInline):
    model = ScenarioValue
    extra = 0


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "criteria_set", "base_period", "source", "is_demo"]
    list_filter = ["source", "is_demo"]
    raw_id_fields = ["unit", "criteria_set", "created_by"]
    inlines = [ValueInline]


@admin.register(GapCost)
class GapCostAdmin(admin.ModelAdmin):
    list_display = ["unit", "criteria_set", "indicator_code", "cost", "is_demo"]
    list_filter = ["is_demo"]
    raw_id_fields = ["unit", "criteria_set", "updated_by"]


@admin.register(ScenarioValue)
class ScenarioValueAdmin(admin.ModelAdmin):
    list_display = ["scenario", "code", "text"]
    raw_id_fields = ["scenario"]
