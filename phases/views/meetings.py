"""Meetings, their actions, and the next meeting as a calendar invitation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from phases import selectors, services
from phases.forms import MeetingActionForm, MeetingForm
from phases.invites import next_meeting_invite
from phases.models import Meeting, MeetingAction
from phases.services.meetings import MEETING_FIELDS
from projects.calendar import ics_response
from projects.exports import table_response
from projects.http import SiteRequest
from projects.models import Project
from projects.permissions import Capability, site_view
from projects.view_helpers import add_service_errors, can_edit, site_project

from ._common import crumbs, project_url, today


@site_view(Capability.VIEW)
@require_GET
def meeting_list(request: SiteRequest, project_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        actions = (
            MeetingAction.objects.filter(meeting__project=project)
            .select_related("meeting", "owner")
            .order_by("meeting__held_on", "due_date", "pk")
        )
        return table_response(
            fmt=fmt,
            name=f"{project.site.code} meeting actions",
            header=["meeting", "held on", "action", "owner", "due", "done"],
            rows=(
                [
                    a.meeting.title,
                    a.meeting.held_on,
                    a.description,
                    (a.owner.get_full_name() or a.owner.username) if a.owner else "",
                    a.due_date,
                    a.done,
                ]
                for a in actions
            ),
        )
    meetings = list(selectors.project_meetings(project=project))
    return render(
        request,
        "phases/meeting_list.html",
        {
            "site": project.site,
            "project": project,
            "meetings": meetings,
            "next_meeting": selectors.next_meeting(meetings=meetings, today=today()),
            "can_edit": can_edit(request),
            "crumbs": crumbs(project),
        },
    )


def _meeting_form(request: SiteRequest, project: Project, meeting: Meeting | None) -> HttpResponse:
    form = MeetingForm(
        request.POST or None, instance=meeting, stakeholders=project.stakeholders.order_by("name")
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in MEETING_FIELDS}
        attendees = list(form.cleaned_data["attendees"])
        try:
            if meeting is None:
                meeting = services.meeting_create(
                    project=project, user=request.user, attendees=attendees, **data
                )
            else:
                meeting = services.meeting_update(
                    meeting=meeting, user=request.user, attendees=attendees, **data
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Meeting saved.")
            return redirect(project_url(project, "meeting-detail", meeting_id=meeting.pk))
    return render(
        request,
        "phases/meeting_form.html",
        {
            "site": project.site,
            "project": project,
            "meeting": meeting,
            "form": form,
            "crumbs": crumbs(project, ("Meetings", project_url(project, "meetings"))),
        },
        status=400 if form.errors else 200,
    )


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def meeting_create(request: SiteRequest, project_id: int) -> HttpResponse:
    return _meeting_form(request, site_project(request, project_id), None)


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def meeting_edit(request: SiteRequest, project_id: int, meeting_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    meeting = get_object_or_404(Meeting, pk=meeting_id, project=project)
    return _meeting_form(request, project, meeting)


def _meeting_page(
    request: SiteRequest,
    project: Project,
    meeting_id: int,
    action_form: MeetingActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    meeting = selectors.meeting_detail(project=project, meeting_id=meeting_id)
    editable = can_edit(request)
    if editable and action_form is None:
        action_form = MeetingActionForm(owners=selectors.site_members(site=project.site))
    return render(
        request,
        "phases/meeting_detail.html",
        {
            "site": project.site,
            "project": project,
            "meeting": meeting,
            "today": today(),
            "action_form": action_form,
            "can_edit": editable,
            "crumbs": crumbs(project, ("Meetings", project_url(project, "meetings"))),
        },
        status=status,
    )


@site_view(Capability.VIEW)
@require_GET
def meeting_detail(request: SiteRequest, project_id: int, meeting_id: int) -> HttpResponse:
    return _meeting_page(request, site_project(request, project_id), meeting_id)


@site_view(Capability.EDIT)
@require_POST
def meeting_action_add(request: SiteRequest, project_id: int, meeting_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    meeting = get_object_or_404(
        Meeting.objects.select_related("project__site"), pk=meeting_id, project=project
    )
    form = MeetingActionForm(request.POST, owners=selectors.site_members(site=project.site))
    if form.is_valid():
        try:
            services.meeting_action_add(meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Action added.")
            return redirect(project_url(project, "meeting-detail", meeting_id=meeting.pk))
    return _meeting_page(request, project, meeting.pk, action_form=form, status=400)


@site_view(Capability.EDIT)
@require_POST
@vary_on_headers("HX-Request")
def meeting_action_toggle(request: SiteRequest, project_id: int, action_id: int) -> HttpResponse:
    """Mark an action done (or open again). htmx swaps the row; otherwise back to the meeting."""
    project = site_project(request, project_id)
    action = get_object_or_404(
        MeetingAction.objects.select_related("owner", "meeting"),
        pk=action_id,
        meeting__project=project,
    )
    services.meeting_action_set_done(action=action, done=request.POST.get("done") == "1")
    if request.htmx:
        return render(
            request,
            "phases/meeting_detail.html#action-row",
            {
                "site": project.site,
                "project": project,
                "action": action,
                "today": today(),
                "can_edit": True,
            },
        )
    messages.success(request, "Action marked done." if action.done else "Action reopened.")
    return redirect(project_url(project, "meeting-detail", meeting_id=action.meeting_id))


@site_view(Capability.VIEW)
@require_GET
def meeting_invite(request: SiteRequest, project_id: int, meeting_id: int) -> HttpResponse:
    project = site_project(request, project_id)
    meeting = selectors.meeting_detail(project=project, meeting_id=meeting_id)
    if meeting.next_date is None:
        raise Http404("The next meeting has no date yet.")
    return ics_response(
        name=f"{meeting.title}-{meeting.next_date:%Y-%m-%d}",
        content=next_meeting_invite(meeting=meeting),
    )
