"""Helpers every app's site-scoped views share: the project in the URL, whether the user may
edit, and a service's refusal shown on the form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404

from .http import SiteRequest
from .models import Project
from .permissions import Capability


def site_project(request: SiteRequest, project_id: int) -> Project:
    """The project in the URL, if it belongs to the site in the URL (else 404)."""
    return get_object_or_404(
        Project.objects.select_related("site__programme"), pk=project_id, site=request.site
    )


def can_edit(request: SiteRequest) -> bool:
    return Capability.EDIT in request.site_caps


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's refusal next to the field it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
