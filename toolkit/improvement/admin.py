"""Admin for the improvement tools. The Sustainability Model's factors, level descriptions and
weights are data a programme lead may correct here as well as on the programme page (which
checks that the top levels still add up to at most 100)."""

from typing import Any

from django.contrib import admin

from toolkit.chart_annotations import cycle_charts_rebuild, cycle_measure_ids
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

    # The charts a cycle is marked on are rebuilt after an edit here, as after the services'.
    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        shown_on = cycle_measure_ids(form.instance)  # the measures before the form's are saved
        super().save_related(request, form, formsets, change)
        cycle_charts_rebuild(form.instance, shown_on | cycle_measure_ids(form.instance))

    def delete_model(self, request: Any, obj: PdsaCycle) -> None:
        cycle_charts_rebuild(obj)  # rebuilt once the delete commits
        super().delete_model(request, obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for cycle in queryset:
            cycle_charts_rebuild(cycle)
        super().delete_queryset(request, queryset)


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
