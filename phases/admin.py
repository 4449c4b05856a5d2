from django.contrib import admin

from .models import (
    Assessment,
    Evidence,
    Meeting,
    MeetingAction,
    Phase,
    Principle,
    PrincipleScore,
    ProjectStep,
    Stakeholder,
    Step,
    StepChange,
    TeamMember,
)


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["number", "name"]


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "phase", "programme", "order"]
    list_filter = ["phase", "programme"]
    search_fields = ["code", "title"]


class StepChangeInline(admin.TabularInline):
    model = StepChange
    extra = 0
    can_delete = False
    readonly_fields = ["label", "old_value", "new_value", "version", "changed_by", "changed_at"]
    fields = (*readonly_fields,)

    def has_add_permission(self, request, obj=None):
        return False


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "added_by", "added_at"]


@admin.register(ProjectStep)
class ProjectStepAdmin(admin.ModelAdmin):
    """History is read-only: a change made here would bypass the version check, so edit steps
    in the app."""

    list_display = ["project", "step", "status", "owner", "target_date", "version"]
    list_filter = ["status", "step__phase"]
    readonly_fields = ["version", "updated_by", "updated_at"]
    inlines = [EvidenceInline, StepChangeInline]


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role", "deputy"]


@admin.register(Stakeholder)
class StakeholderAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "sector", "interest", "influence", "project"]
    list_filter = ["sector", "interest", "influence"]
    search_fields = ["name", "organisation"]


class MeetingActionInline(admin.TabularInline):
    model = MeetingAction
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "held_on", "completed", "next_date"]
    list_filter = ["completed"]
    inlines = [MeetingActionInline]


@admin.register(Principle)
class PrincipleAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "active"]
    prepopulated_fields = {"code": ["name"]}


class PrincipleScoreInline(admin.TabularInline):
    model = PrincipleScore
    extra = 0


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["project", "kind", "assessed_on"]
    inlines = [PrincipleScoreInline]
