"""Admin for configuration (workflows, steps) and inspection. Dossier transitions go through
the services so that they are checked and audited; the admin shows status and step read-only."""

from django.contrib import admin

from ntm.recognition.models import (
    Ballot,
    Dossier,
    DossierEvent,
    Posting,
    Recognition,
    Step,
    Survey,
    SurveyQuestion,
    SurveyVillage,
    Workflow,
)


class StepInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Step
    extra = 0


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "code", "valid_from", "valid_to"]
    inlines = [StepInline]


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["workflow", "position", "code", "name", "role", "deadline_days", "rule"]
    list_filter = ["workflow"]
    list_select_related = ["workflow"]


class QuestionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = SurveyQuestion
    extra = 0


class VillageInline(admin.TabularInline):  # type: ignore[type-arg]
    model = SurveyVillage
    extra = 0
    raw_id_fields = ["village"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "unit", "purpose", "set_code", "required_share", "threshold_verified"]
    raw_id_fields = ["unit", "created_by"]
    inlines = [QuestionInline, VillageInline]
    list_select_related = ["unit"]


@admin.register(SurveyQuestion)
class SurveyQuestionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["survey", "position", "text"]
    list_select_related = ["survey"]


@admin.register(SurveyVillage)
class SurveyVillageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["survey", "village", "households"]
    raw_id_fields = ["village"]
    list_select_related = ["survey", "village"]


@admin.register(Ballot)
class BallotAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["survey", "village", "household_code", "satisfied"]
    raw_id_fields = ["village", "entered_by"]
    list_select_related = ["survey", "village"]


class PostingInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Posting
    extra = 0


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["unit", "set_code", "workflow", "step", "status"]
    list_filter = ["status", "workflow"]
    raw_id_fields = ["unit", "survey"]
    readonly_fields = ["step", "status"]
    inlines = [PostingInline]
    list_select_related = ["unit", "workflow", "step"]


@admin.register(Posting)
class PostingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["dossier", "date", "place"]
    list_select_related = ["dossier__unit"]


@admin.register(DossierEvent)
class DossierEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["dossier", "at", "user", "kind", "from_state", "to_state"]
    list_filter = ["kind"]
    raw_id_fields = ["dossier", "user"]
    list_select_related = ["dossier__unit", "user"]


@admin.register(Recognition)
class RecognitionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["unit", "set_code", "decision_number", "decision_date"]
    raw_id_fields = ["unit", "dossier"]
    list_select_related = ["unit"]
