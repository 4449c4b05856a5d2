"""Header navigation: the programme pages for programme leads, the user's sites, and the
measures list (every measure and how each site defines it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from .permissions import is_programme_lead, visible_sites

MAX_SITES_IN_HEADER = 8


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def items() -> list[dict[str, Any]]:
        current_site = getattr(request, "site", None)
        result = []
        if is_programme_lead(user):
            href = reverse("projects:programme")
            result.append({"text": "Programme", "href": href, "current": request.path == href})
        sites = list(visible_sites(user).order_by("name")[: MAX_SITES_IN_HEADER + 1])
        for site in sites[:MAX_SITES_IN_HEADER]:
            result.append(
                {
                    "text": site.name,
                    "href": site.get_absolute_url(),
                    "current": current_site is not None and current_site.pk == site.pk,
                }
            )
        if len(sites) > MAX_SITES_IN_HEADER:
            result.append({"text": "All sites", "href": reverse("projects:site-list")})
        href = reverse("measures:measure-list")
        result.append({"text": "Measures", "href": href, "current": request.path == href})
        return result

    # Lazy: fragments that never draw the header never run these queries.
    return {"nav_items": items}
