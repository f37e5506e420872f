from django.contrib import admin

from ntm.reports.models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = ["unit", "report", "period", "fmt", "status", "done", "total", "created_at"]
    list_filter = ["status", "report", "fmt"]
    raw_id_fields = ["unit", "created_by"]
    readonly_fields = ["created_at", "finished_at"]
