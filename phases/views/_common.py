from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from projects.http import SiteRequest
from projects.models import Project
from projects.permissions import Capability


def site_project(request: SiteRequest, project_id: int) -> Project:
    return get_object_or_404(
        Project.objects.select_related("site__programme"),
        pk=project_id,
        site=request.site,
    )


def can_edit(request: SiteRequest) -> bool:
    return Capability.EDIT in request.site_caps


def today() -> Any:
    return timezone.localdate()


def crumbs(project: Project, *extra: tuple[str, str]) -> list[tuple[str, str]]:
    site = project.site
    return [
        (site.name, site.get_absolute_url()),
        (project.title, project.get_absolute_url()),
        *extra,
    ]


def project_url(project: Project, name: str, **kwargs: Any) -> str:
    return reverse(
        f"phases:{name}",
        kwargs={"site_code": project.site.code, "project_id": project.pk, **kwargs},
    )


def add_service_errors(form: Any, error: ValidationError) -> None:
    """Show a service's refusal next to the field it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        form.add_error(None, error)
