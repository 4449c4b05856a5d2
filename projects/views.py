"""Pages for sites, projects, the programme and the user's account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .forms import (
    ApiTokenForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProjectForm,
    SetPasswordForm,
)
from .models import ApiToken, Project
from .permissions import (
    Capability,
    login_view_required,
    programme_view,
    public_view,
    site_view,
)


@public_view
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@login_view_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect(selectors.landing_url(user=request.user))


@login_view_required
@require_GET
def site_list(request: HttpRequest) -> HttpResponse:
    sites = selectors.site_list(user=request.user)
    return render(request, "projects/site_list.html", {"sites": sites})


@site_view(Capability.VIEW)
@require_GET
def site_detail(request: HttpRequest) -> HttpResponse:
    site = request.site  # type: ignore[attr-defined]
    return render(
        request,
        "projects/site_detail.html",
        {
            "site": site,
            "projects": selectors.site_projects(site=site),
            "partners": site.partners.all(),
            "can_edit": Capability.EDIT in request.site_caps,  # type: ignore[attr-defined]
        },
    )


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    site = request.site  # type: ignore[attr-defined]
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = services.project_create(site=site, **form.cleaned_data)
        messages.success(request, f"Project '{project.title}' created.")
        return redirect(project)
    return render(request, "projects/project_form.html", {"site": site, "form": form})


@site_view(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    site = request.site  # type: ignore[attr-defined]
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
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    site = request.site  # type: ignore[attr-defined]
    project = get_object_or_404(Project, pk=project_id, site=site)
    return render(
        request,
        "projects/project_detail.html",
        {
            "site": site,
            "project": project,
            "can_edit": Capability.EDIT in request.site_caps,  # type: ignore[attr-defined]
        },
    )


@programme_view
@require_GET
def programme(request: HttpRequest) -> HttpResponse:
    programmes = request.programmes.prefetch_related("sites__projects")  # type: ignore[attr-defined]
    return render(request, "projects/programme_detail.html", {"programmes": programmes})


@login_view_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
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
        },
    )


@login_view_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.api_token_revoke(user=request.user, token_id=token_id)
    messages.success(request, "Token revoked: scripts using it will be refused.")
    return redirect("account")


class RateLimitedLoginView(auth_views.LoginView):
    """Django's login, refusing a username+address after repeated failures for a while."""

    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        username = request.POST.get("username", "")
        address = request.META.get("REMOTE_ADDR", "")
        if services.login_is_locked(username=username, address=address):
            # The password is not even checked while locked, so guessing gains nothing.
            context = self.get_context_data(form=self.form_class(request), locked=True)
            return self.render_to_response(context, status=429)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            services.login_succeeded(username=username, address=address)
        else:
            services.login_failed(username=username, address=address)
        return response


login = public_view(RateLimitedLoginView.as_view())
logout = public_view(auth_views.LogoutView.as_view())
password_change = login_view_required(
    auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm)
)
password_change_done = login_view_required(auth_views.PasswordChangeDoneView.as_view())
password_reset = public_view(auth_views.PasswordResetView.as_view(form_class=PasswordResetForm))
password_reset_done = public_view(auth_views.PasswordResetDoneView.as_view())
password_reset_confirm = public_view(
    auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm)
)
password_reset_complete = public_view(auth_views.PasswordResetCompleteView.as_view())
