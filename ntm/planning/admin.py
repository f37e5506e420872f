from django.contrib import admin

from ntm.planning.models import Obstacle, Plan, ProgressUpdate, Snapshot, SolutionArea, Target, Task


class AreaInline(admin.TabularInline):
    model = SolutionArea
    extra = 0


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    raw_id_fields = ["village", "criteria_set"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["unit", "year", "title", "number", "status", "is_demo"]
    list_filter = ["year", "status", "is_demo"]
    search_fields = ["title", "unit__name", "unit__code"]
    raw_id_fields = ["unit", "created_by"]
    inlines = [AreaInline, TargetInline]
    list_select_related = ["unit"]


@admin.register(SolutionArea)
class SolutionAreaAdmin(admin.ModelAdmin):
    list_display = ["plan", "position", "code", "name"]
    list_select_related = ["plan"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["plan", "kind", "title", "deadline", "manual_status"]
    list_filter = ["kind"]
    raw_id_fields = ["plan", "village", "criteria_set"]
    list_select_related = ["plan"]


class UpdateInline(admin.TabularInline):
    model = ProgressUpdate
    extra = 0
    raw_id_fields = ["created_by"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["plan", "area", "description", "deadline", "status", "percent"]
    list_filter = ["status", "area__code"]
    search_fields = ["description"]
    raw_id_fields = ["plan", "area", "responsible_user"]
    inlines = [UpdateInline]
    list_select_related = ["plan", "area"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ["task", "date", "percent", "created_by"]
    raw_id_fields = ["task", "created_by"]


@admin.register(Obstacle)
class ObstacleAdmin(admin.ModelAdmin):
    list_display = ["plan", "description", "level", "raised_on", "resolved_on"]
    list_filter = ["level"]
    raw_id_fields = ["plan", "task", "raised_by"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["plan", "period", "taken_on", "taken_by", "taken_at"]
    raw_id_fields = ["plan", "taken_by"]
    readonly_fields = ["data"]
