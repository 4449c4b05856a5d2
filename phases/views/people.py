"""The project team and the stakeholder register."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phases import selectors, services
from phases.forms import StakeholderForm, TeamMemberForm
from phases.models import Stakeholder, TeamMember
from projects.exports import table_response
from projects.http import SiteRequest
from projects.models import Project
from projects.permissions import Capability, site_view
from projects.view_helpers import add_service_errors, can_edit, site_project

from ._common import crumbs, project_url


def _team_page(
    request: SiteRequest, project: Project, form: TeamMemberForm | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "phases/teammember_list.html",
        {
            "site": project.site,
            "project": project,
            "team": selectors.project_team(project=project),
            "form": form,
            "can_edit": can_edit(request),
            "crumbs": crumbs(project),
        },
        status=status,
    )


@site_view(Capability.VIEW)
@require_GET
def team_list(request: SiteRequest, project_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    form = None
    if can_edit(request):
        form = TeamMemberForm(members=selectors.site_members(site=project.site))
    return _team_page(request, project, form)


@site_view(Capability.EDIT)
@require_POST
def team_member_add(request: SiteRequest, project_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    form = TeamMemberForm(request.POST, members=selectors.site_members(site=project.site))
    if form.is_valid():
        try:
            member = services.team_member_add(project=project, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{member.user.get_full_name()} joined the project team.")
            return redirect(project_url(project, "team"))
    return _team_page(request, project, form, status=400)


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def team_member_edit(request: SiteRequest, project_id: int, member_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    member = get_object_or_404(
        TeamMember.objects.select_related("user"), pk=member_id, project=project
    )
    members = selectors.site_members(site=project.site)
    initial = {"role": member.role, "deputy": str(member.deputy_id or "")}
    form = TeamMemberForm(request.POST or None, members=members, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_member_update(member=member, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Team member saved.")
            return redirect(project_url(project, "team"))
    return render(
        request,
        "phases/teammember_form.html",
        {
            "site": project.site,
            "project": project,
            "member": member,
            "form": form,
            "crumbs": crumbs(project, ("Project team", project_url(project, "team"))),
        },
        status=400 if form.errors else 200,
    )


@site_view(Capability.EDIT)
@require_POST
def team_member_remove(request: SiteRequest, project_id: int, member_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    member = get_object_or_404(TeamMember, pk=member_id, project=project)
    services.team_member_remove(member=member)
    messages.success(request, "Removed from the project team.")
    return redirect(project_url(project, "team"))


STAKEHOLDER_EXPORT_HEADER = [
    "name",
    "organisation",
    "sector",
    "role",
    "interest",
    "influence",
    "kept informed by",
    "young people or families represented",
]


@site_view(Capability.VIEW)
@require_GET
def stakeholder_list(request: SiteRequest, project_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    stakeholders = selectors.project_stakeholders(project=project)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return table_response(
            fmt=fmt,
            name=f"{project.site.code} stakeholders",
            header=STAKEHOLDER_EXPORT_HEADER,
            rows=(
                [
                    s.name,
                    s.organisation,
                    s.get_sector_display(),
                    s.role,
                    s.get_interest_display(),
                    s.get_influence_display(),
                    s.kept_informed_by,
                    s.represents_young_people_or_families,
                ]
                for s in stakeholders
            ),
        )
    return render(
        request,
        "phases/stakeholder_list.html",
        {
            "site": project.site,
            "project": project,
            "stakeholders": stakeholders,
            "grid": selectors.stakeholder_grid(stakeholders=stakeholders),
            "can_edit": can_edit(request),
            "crumbs": crumbs(project),
        },
    )


def _stakeholder_form(
    request: HttpRequest, project: Project, stakeholder: Stakeholder | None
) -> HttpResponse:
    form = StakeholderForm(request.POST or None, instance=stakeholder)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if stakeholder is None:
                services.stakeholder_create(project=project, **data)
            else:
                services.stakeholder_update(stakeholder=stakeholder, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{data['name']} saved in the stakeholder register.")
            return redirect(project_url(project, "stakeholders"))
    return render(
        request,
        "phases/stakeholder_form.html",
        {
            "site": project.site,
            "project": project,
            "stakeholder": stakeholder,
            "form": form,
            "crumbs": crumbs(project, ("Stakeholders", project_url(project, "stakeholders"))),
        },
        status=400 if form.errors else 200,
    )


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def stakeholder_create(request: SiteRequest, project_id: int) -> HttpResponse:
    return _stakeholder_form(request, site_project(request, project_id), None)


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def stakeholder_edit(request: SiteRequest, project_id: int, stakeholder_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    stakeholder = get_object_or_404(Stakeholder, pk=stakeholder_id, project=project)
    return _stakeholder_form(request, project, stakeholder)


@site_view(Capability.EDIT)
@require_POST
def stakeholder_delete(request: SiteRequest, project_id: int, stakeholder_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    stakeholder = get_object_or_404(Stakeholder, pk=stakeholder_id, project=project)
    services.stakeholder_delete(stakeholder=stakeholder)
    messages.success(request, f"{stakeholder.name} removed from the register.")
    return redirect(project_url(project, "stakeholders"))
