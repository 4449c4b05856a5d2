"""Pages for sites, projects, the programme and the user's account."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import audit, exports, login_limits, notifications, pack, panels, selectors, services
from .calendar import ics_bytes, ics_response
from .forms import (
    ApiTokenForm,
    AttendanceForm,
    AuditFilterForm,
    CommunityEventForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    PreferencesForm,
    PresentationForm,
    ProjectForm,
    SetPasswordForm,
    SharedLinkForm,
)
from .http import AuthenticatedRequest, HttpRequest, ProgrammeRequest, SiteRequest
from .models import (
    ApiToken,
    CommunityEvent,
    EventAttendance,
    EventPresentation,
    Project,
    SharedLink,
    Site,
)
from .permissions import (
    Capability,
    is_programme_lead,
    led_programmes,
    login_view_required,
    programme_view,
    public_view,
    site_view,
    visible_sites,
)


@login_view_required
@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    return redirect(selectors.landing_url(user=request.user))


@login_view_required
@require_GET
def site_list(request: AuthenticatedRequest) -> HttpResponse:
    sites = selectors.site_list(user=request.user)
    return render(request, "projects/site_list.html", {"sites": sites})


@site_view(Capability.VIEW)
@require_GET
def site_detail(request: SiteRequest) -> HttpResponse:
    """The site dashboard: the stakeholder's home."""
    site = request.site
    return render(
        request,
        "projects/site_detail.html",
        {
            "site": site,
            "projects": selectors.site_projects(site=site),
            "partners": site.partners.all(),
            "can_edit": Capability.EDIT in request.site_caps,
            "can_upload": Capability.UPLOAD in request.site_caps,
            "can_share": Capability.SHARE in request.site_caps,
            "panels": selectors.site_dashboard(
                site=site, today=timezone.localdate(), user=request.user
            ),
        },
    )


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def project_create(request: SiteRequest) -> HttpResponse:
    site = request.site
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = services.project_create(site=site, **form.cleaned_data)
        messages.success(request, f"Project '{project.title}' created.")
        return redirect(project)
    return render(request, "projects/project_form.html", {"site": site, "form": form})


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def project_edit(request: SiteRequest, project_id: int) -> HttpResponse:
    site = request.site
    project = get_object_or_404(Project, pk=project_id, site=site)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        services.project_update(project=project, **form.cleaned_data)
        messages.success(request, "Project saved.")
        return redirect(project)
    return render(
        request, "projects/project_form.html", {"site": site, "form": form, "project": project}
    )


@site_view(Capability.VIEW)
@require_GET
def project_detail(request: SiteRequest, project_id: int) -> HttpResponse:
    site = request.site
    project = get_object_or_404(Project, pk=project_id, site=site)
    return render(
        request,
        "projects/project_detail.html",
        {
            "site": site,
            "project": project,
            "can_edit": Capability.EDIT in request.site_caps,
            "board": panels.project_body(project=project, today=timezone.localdate()),
        },
    )


@programme_view
@require_GET
def programme(request: ProgrammeRequest) -> HttpResponse:
    """The programme dashboard: every site side by side."""
    today = timezone.localdate()
    boards = [
        selectors.programme_dashboard(programme=programme, today=today, user=request.user)
        for programme in request.programmes
    ]
    return render(request, "projects/programme_detail.html", {"boards": boards})


AUDIT_PAGE_SIZE = 100


@programme_view
@require_GET
def audit_trail(request: ProgrammeRequest) -> HttpResponse:
    """Who did what, when and from where, on the lead's programmes; filtered; as CSV too."""
    programmes = request.programmes
    sites = Site.objects.filter(programme__in=programmes).order_by("name")
    form = AuditFilterForm(request.GET or None, sites=sites)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events(
        programmes=programmes,
        action=filters.get("action", ""),
        person=filters.get("person", ""),
        site_code=filters.get("site", ""),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    if request.GET.get("format") == "csv":
        return exports.csv_response(
            name=f"audit-trail-{timezone.localdate():%Y-%m-%d}",
            header=["When", "Who", "Action", "Site", "About", "What", "From", "Browser"],
            rows=(
                [
                    e.at,
                    e.username,
                    e.get_action_display(),
                    e.site_code,
                    e.subject,
                    e.what,
                    e.address or "",
                    e.user_agent,
                ]
                for e in events.iterator()
            ),
        )
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/auditevent_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "retention_days": audit.retention_days(),
        },
    )


def _shared_link_form(
    request: AuthenticatedRequest, **owner: Any
) -> tuple[SharedLinkForm, str | None]:
    """The form for a new shared link of a site or programme (`owner`), and on a valid POST
    the link made and its address, shown once; a fresh form then."""
    form = SharedLinkForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return form, None
    _link, token = services.shared_link_create(
        user=request.user, label=form.cleaned_data["label"], days=form.cleaned_data["days"], **owner
    )
    return SharedLinkForm(), request.build_absolute_uri(reverse("shared-dashboard", args=[token]))


@site_view(Capability.SHARE)
@require_http_methods(["GET", "POST"])
def sharing(request: SiteRequest) -> HttpResponse:
    """Read-only links to the site dashboard for people without an account."""
    site = request.site
    form, new_url = _shared_link_form(request, site=site)
    links = SharedLink.objects.filter(site=site).select_related("created_by")
    return render(
        request,
        "projects/sharedlink_list.html",
        {"site": site, "form": form, "links": links, "new_url": new_url, "now": timezone.now()},
    )


@site_view(Capability.SHARE)
@require_POST
def sharing_revoke(request: SiteRequest, link_id: int) -> HttpResponse:
    site = request.site
    link = get_object_or_404(SharedLink, pk=link_id, site=site)
    services.shared_link_revoke(link=link)
    messages.success(request, f"The link for '{link.label}' no longer works.")
    return redirect("projects:sharing", site_code=site.code)


@programme_view
@require_http_methods(["GET", "POST"])
def programme_sharing(request: ProgrammeRequest) -> HttpResponse:
    """Read-only links to the programme dashboard, and to each site's, for the lead."""
    programme = request.programmes[0]  # programme_view: never empty
    form, new_url = _shared_link_form(request, programme=programme)
    return render(
        request,
        "projects/sharedlink_programme.html",
        {
            "programme": programme,
            "sites": programme.sites.order_by("name"),
            "form": form,
            "links": SharedLink.objects.filter(programme=programme).select_related("created_by"),
            "new_url": new_url,
            "now": timezone.now(),
        },
    )


@programme_view
@require_POST
def programme_sharing_revoke(request: ProgrammeRequest, link_id: int) -> HttpResponse:
    link = get_object_or_404(
        SharedLink,
        pk=link_id,
        programme__in=request.programmes,
    )
    services.shared_link_revoke(link=link)
    messages.success(request, f"The link for '{link.label}' no longer works.")
    return redirect("projects:programme-sharing")


@public_view
@require_GET
def shared_dashboard(request: HttpRequest, token: str) -> HttpResponse:
    """A site or programme dashboard opened from a shared link: read-only, small counts hidden."""
    link = services.shared_link_resolve(token=token)
    if link is None:
        return render(request, "projects/shared_invalid.html", status=404)
    today = timezone.localdate()
    context: dict[str, Any] = {
        "link": link,
        "threshold": link.shared_programme.small_count_threshold,
        "shared": True,
        # A site's link also opens its equity pages (measures.charts.views.shared_equity).
        "share_token": token if link.site is not None else None,
    }
    if link.site is not None:
        site = link.site
        template = "projects/site_shared.html"
        context |= {
            "site": site,
            "projects": selectors.site_projects(site=site),
            "panels": selectors.site_dashboard(site=site, today=today, shared=True),
        }
    else:
        template = "projects/programme_shared.html"
        context["board"] = selectors.programme_dashboard(
            programme=link.shared_programme, today=today, shared=True
        )
    response = render(request, template, context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@site_view(Capability.VIEW)
@require_GET
def meeting_pack(request: SiteRequest) -> HttpResponse:
    """A PDF for the next stakeholder meeting, built from the dashboard's panels."""
    site = request.site
    pdf = pack.meeting_pack_pdf(site=site, today=timezone.localdate(), user=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"meeting-pack-{site.code.lower()}-{timezone.localdate():%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_view_required
@require_GET
def event_list(request: AuthenticatedRequest) -> HttpResponse:
    events = selectors.event_list(user=request.user)
    return render(
        request,
        "projects/communityevent_list.html",
        {
            "upcoming": [e for e in events if e.ends_at >= timezone.now()][::-1],
            "past": [e for e in events if e.ends_at < timezone.now()],
            "can_schedule": is_programme_lead(request.user)
            or selectors.event_schedule_sites(user=request.user).exists(),
            "my_sites": selectors.site_list(user=request.user),
        },
    )


def _visible_event(request: HttpRequest, event_id: int) -> CommunityEvent:
    return get_object_or_404(selectors.event_list(user=request.user), pk=event_id)


@login_view_required
@require_GET
def event_detail(request: AuthenticatedRequest, event_id: int) -> HttpResponse:
    event = _visible_event(request, event_id)
    context = selectors.event_detail(event=event, user=request.user)
    context["edit_sites"] = [
        site
        for site in visible_sites(request.user, Capability.EDIT).filter(
            programme_id=event.programme_id
        )
        if services.event_site_may_join(event=event, site=site)
    ]
    context["can_edit_event"] = selectors.event_may_edit(event=event, user=request.user)
    context["invited_sites"] = event.invited_sites.order_by("name")
    return render(request, "projects/communityevent_detail.html", context)


@login_view_required
@require_GET
def event_invite(request: AuthenticatedRequest, event_id: int) -> HttpResponse:
    event = _visible_event(request, event_id)
    organiser = event.created_by
    content = ics_bytes(
        uid=f"thrive-event-{event.pk}@{request.get_host().split(':')[0]}",
        sequence=event.sequence,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        summary=event.title,
        description=event.description,
        location=event.location,
        organizer=(organiser.get_full_name() or organiser.username, organiser.email)
        if organiser and organiser.email
        else None,
    )
    return ics_response(name=event.title, content=content)


def _invitable_sites(*, sites: Any, programme_wide: bool) -> Any:
    """Sites a new local event may invite: its programme's, less the one site a project manager
    can schedule for (their own site is there anyway)."""
    invitable = Site.objects.filter(programme__in=sites.values("programme")).order_by("name")
    if not programme_wide and sites.count() == 1:
        invitable = invitable.exclude(pk=sites.get().pk)
    return invitable


@login_view_required
@require_http_methods(["GET", "POST"])
def event_create(request: AuthenticatedRequest) -> HttpResponse:
    """The programme lead schedules programme-wide or site events; a project manager schedules
    local events for their own site and may invite other sites of the programme."""
    led = led_programmes(request.user)
    sites = (
        (Site.objects.filter(programme__in=led) | selectors.event_schedule_sites(user=request.user))
        .distinct()
        .order_by("name")
    )
    if not sites.exists() and not led.exists():
        raise PermissionDenied("Only project managers and the programme lead schedule events.")
    form = CommunityEventForm(
        request.POST or None,
        sites=sites,
        programme_wide=led.exists(),
        invitable=_invitable_sites(sites=sites, programme_wide=led.exists()),
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        fields.pop("owner")
        site = fields["site"]
        programme = site.programme if site else led.first()
        if programme is None:  # the form offers no site-less event to anyone else
            raise PermissionDenied("Only programme leads can schedule programme-wide events.")
        try:
            event = services.event_create(programme=programme, user=request.user, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Event scheduled. Download the invite to send it round.")
            return redirect("event-detail", event_id=event.pk)
    return render(request, "projects/communityevent_form.html", {"form": form})


@login_view_required
@require_http_methods(["GET", "POST"])
def event_edit(request: AuthenticatedRequest, event_id: int) -> HttpResponse:
    event = _visible_event(request, event_id)
    if not selectors.event_may_edit(event=event, user=request.user):
        raise PermissionDenied("Only the programme lead and the site's project managers can.")
    form = CommunityEventForm(
        request.POST or None,
        instance=event,
        invitable=event.programme.sites.exclude(pk=event.site_id).order_by("name")
        if event.site_id
        else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(event=event, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, "Event updated. Send the new invite: it replaces the old one."
            )
            return redirect("event-detail", event_id=event.pk)
    return render(request, "projects/communityevent_form.html", {"form": form, "event": event})


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def event_attendance(request: SiteRequest, event_id: int) -> HttpResponse:
    """A site records who came to an event and what it presented."""
    site = request.site
    event = get_object_or_404(CommunityEvent, pk=event_id, programme_id=site.programme_id)
    if not services.event_site_may_join(event=event, site=site):
        raise Http404("No such event for this site.")
    existing = EventAttendance.objects.filter(event=event, site=site).first()
    attendance_form = AttendanceForm(
        request.POST if "attendance-attendees" in request.POST else None,
        initial={"attendees": existing.attendees if existing else ""},
        prefix="attendance",
    )
    presentation_form = PresentationForm(
        request.POST if "presentation-title" in request.POST else None, prefix="presentation"
    )
    if request.method == "POST":
        if attendance_form.is_bound and attendance_form.is_valid():
            services.event_attendance_record(
                event=event, site=site, user=request.user, **attendance_form.cleaned_data
            )
            messages.success(request, "Attendance saved.")
            return redirect("projects:event-attendance", site_code=site.code, event_id=event.pk)
        if presentation_form.is_bound and presentation_form.is_valid():
            services.event_presentation_add(
                event=event, site=site, user=request.user, **presentation_form.cleaned_data
            )
            messages.success(request, "Presentation linked.")
            return redirect("projects:event-attendance", site_code=site.code, event_id=event.pk)
    return render(
        request,
        "projects/eventattendance_form.html",
        {
            "site": site,
            "event": event,
            "attendance_form": attendance_form,
            "presentation_form": presentation_form,
            "presentations": EventPresentation.objects.filter(event=event, site=site),
        },
    )


@login_view_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedRequest) -> HttpResponse:
    choices = [(notifications.DIGEST_KEY, "The weekly digest")]
    choices += [(s.key, f"In the digest: {s.label}") for s in panels.digest_sections()]
    choices += [(a.key, a.label) for a in panels.ALERTS.values()]
    disabled = notifications.preference_disabled(user=request.user)
    form = PreferencesForm(
        request.POST or None,
        choices=choices,
        initial={"enabled": [key for key, _ in choices if key not in disabled]},
    )
    if request.method == "POST" and form.is_valid():
        notifications.preferences_update(
            user=request.user, enabled=set(form.cleaned_data["enabled"])
        )
        messages.success(request, "Your e-mail preferences are saved.")
        return redirect("preferences")
    return render(request, "projects/preferences_form.html", {"form": form})


@login_view_required
@require_http_methods(["GET", "POST"])
def account(request: AuthenticatedRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.api_token_create(
            user=request.user, name=form.cleaned_data["name"]
        )
        form = ApiTokenForm()
    return render(
        request,
        "projects/account_detail.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": ApiToken.objects.filter(user=request.user),
            "site_roles": selectors.user_site_roles(user=request.user),
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        },
    )


@login_view_required
@require_POST
def sessions_end_others(request: AuthenticatedRequest) -> HttpResponse:
    ended = services.sessions_end_others(user=request.user, keep=request.session.session_key)
    messages.success(
        request,
        f"Signed out of {ended} other session{'' if ended == 1 else 's'}. This one stays signed in.",
    )
    return redirect("account")


@login_view_required
@require_POST
def api_token_revoke(request: AuthenticatedRequest, token_id: int) -> HttpResponse:
    get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.api_token_revoke(user=request.user, token_id=token_id)
    messages.success(request, "Token revoked: scripts using it will be refused.")
    return redirect("account")


def _wait_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minutes"


def login_rate_limited(
    refused: Callable[[HttpRequest, str], HttpResponse],
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Wrap a login view in projects.login_limits; `refused(request, wait_words)` answers a
    refused attempt (status 429) without checking the password."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method != "POST":
                return view(request, *args, **kwargs)
            attempt = login_limits.attempt_for(request, request.POST.get("username", ""))
            wait = login_limits.refusal(attempt)
            if wait is not None:
                return refused(request, _wait_words(wait))
            response = view(request, *args, **kwargs)
            # Both logins answer a success with a redirect and a failure with the form again.
            if response.status_code == 302 and request.user.is_authenticated:
                login_limits.succeeded(attempt, response)
            else:
                login_limits.failed(attempt)
            return response

        return wrapped

    return decorator


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def _login_refused(request: HttpRequest, wait: str) -> HttpResponse:
    view = LoginView()
    view.setup(request)
    context = view.get_context_data(form=LoginForm(request), locked=True, wait=wait)
    return render(request, LoginView.template_name, context, status=429)


def admin_login_refused(request: HttpRequest, wait: str) -> HttpResponse:
    return render(request, "429.html", {"wait": wait}, status=429)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        # The owner proved themselves by e-mail: lift the delay on their account.
        login_limits.lift_for_user(form.user, address=login_limits.client_address(self.request))
        return response


login = public_view(login_rate_limited(_login_refused)(LoginView.as_view()))
admin_login = public_view(login_rate_limited(admin_login_refused)(admin.site.login))
logout = public_view(auth_views.LogoutView.as_view())
password_change = login_view_required(
    auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm)
)
password_change_done = login_view_required(auth_views.PasswordChangeDoneView.as_view())
password_reset = public_view(auth_views.PasswordResetView.as_view(form_class=PasswordResetForm))
password_reset_done = public_view(auth_views.PasswordResetDoneView.as_view())
password_reset_confirm = public_view(PasswordResetConfirmView.as_view())
password_reset_complete = public_view(auth_views.PasswordResetCompleteView.as_view())
