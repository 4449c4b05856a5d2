"""Admin for the improvement tools. The Sustainability Model's factors, level descriptions and
weights are data a programme lead may correct here as well as on the programme page (which
checks that the top levels still add up to at most 100)."""

from django.contrib import admin

from toolkit.models import (
    DriverDiagram,
    DriverNode,
    PdsaCycle,
    PdsaTask,
    Reflection,
    ReflectionFactor,
    SustainabilityAssessment,
    SustainabilityFactor,
    SustainabilityLevel,
    SustainabilityPlan,
    SustainabilityRating,
)


class LevelInline(admin.TabularInline):
    model = SustainabilityLevel
    extra = 0
    max_num = 4


@admin.register(SustainabilityFactor)
class SustainabilityFactorAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "order"]
    list_filter = ["domain"]
    inlines = [LevelInline]


class NodeInline(admin.TabularInline):
    model = DriverNode
    extra = 0
    fields = ["kind", "parent", "text", "order"]


@admin.register(DriverDiagram)
class DriverDiagramAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "outcome_measure", "updated_at"]
    list_filter = ["project__site"]
    inlines = [NodeInline]


class TaskInline(admin.TabularInline):
    model = PdsaTask
    extra = 0


@admin.register(PdsaCycle)
class PdsaCycleAdmin(admin.ModelAdmin):
    list_display = ["title", "number", "project", "stage", "outcome", "updated_at"]
    list_filter = ["stage", "outcome", "project__site"]
    inlines = [TaskInline]


class ReflectionFactorInline(admin.TabularInline):
    model = ReflectionFactor
    extra = 0


@admin.register(Reflection)
class ReflectionAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "share_with_community", "updated_at"]
    list_filter = ["share_with_community", "project__site"]
    inlines = [ReflectionFactorInline]


class AssessmentInline(admin.TabularInline):
    model = SustainabilityAssessment
    extra = 0
    show_change_link = True


@admin.register(SustainabilityPlan)
class SustainabilityPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "updated_at"]
    inlines = [AssessmentInline]


class RatingInline(admin.TabularInline):
    model = SustainabilityRating
    extra = 0


@admin.register(SustainabilityAssessment)
class SustainabilityAssessmentAdmin(admin.ModelAdmin):
    list_display = ["plan", "assessed_on"]
    inlines = [RatingInline]
