from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import (
    ApiToken,
    AuditEvent,
    Membership,
    PartnerOrganisation,
    Programme,
    ProgrammeLead,
    Project,
    Site,
)


class PartnerInline(admin.TabularInline):
    model = PartnerOrganisation
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "small_count_threshold"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "locality", "programme"]
    list_filter = ["programme"]
    search_fields = ["code", "name"]
    inlines = [PartnerInline, MembershipInline]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "site", "thrive_focus", "status", "start_date"]
    list_filter = ["site", "status", "thrive_focus"]

    # Deleting goes through the service, so the charts that showed its PDSA cycles are rebuilt.
    def delete_model(self, request: HttpRequest, obj: Project) -> None:
        services.project_delete(project=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        for project in queryset:
            services.project_delete(project=project)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "site", "role"]
    list_filter = ["site", "role"]
    autocomplete_fields = ["user"]


@admin.register(ProgrammeLead)
class ProgrammeLeadAdmin(admin.ModelAdmin):
    list_display = ["user", "programme"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only: the trail is written by the app, never edited."""

    list_display = ["at", "username", "action", "site_code", "subject", "what", "address"]
    list_filter = ["action", "site_code"]
    search_fields = ["username", "subject", "what"]
    date_hierarchy = "at"

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
