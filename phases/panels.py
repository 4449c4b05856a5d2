"""What implementation tracking contributes to the site and programme dashboards."""

from __future__ import annotations

from typing import Any

from projects.panels import Panel, PanelContext, register_panel

from . import selectors


def _build(context: PanelContext) -> dict[int, Any]:
    return selectors.site_progress(
        site_ids=[site.pk for site in context.sites], today=context.today
    )


def register() -> None:
    register_panel(
        Panel(
            key="implementation",
            title="Implementation phases",
            order=10,
            build=_build,
            template="phases/_panel_site.html",
            programme_template="phases/_panel_programme.html",
            programme_heading="Implementation phases",
        )
    )
