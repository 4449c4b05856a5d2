from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from projects.models import Project


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
