"""What the toolkit contributes to the site and programme dashboards, the meeting pack and the
weekly digest: PDSA cycles in flight, due for study, and their outcomes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from projects.models import Site
from projects.panels import (
    DigestSection,
    PackSection,
    Panel,
    PanelContext,
    register_digest_section,
    register_panel,
)

from . import selectors

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _build(context: PanelContext) -> dict[int, Any]:
    return selectors.cycle_panels(
        sites=context.sites,
        today=context.today,
        shared=context.shared,
        threshold=context.small_count_threshold,
    )


def _date(value: dt.date | None) -> str:
    return f"{value:%d %b %Y}" if value else "Not set"


def _measures(line: selectors.CycleLine) -> str:
    return ", ".join(line.measures) or "None named"


def pdsa_pack(data: Any, site: Site) -> list[PackSection]:
    """Meeting pack: cycles due to be studied, cycles in flight and recent outcomes."""
    if not data:
        return []
    sections = []
    if data["due"]:
        sections.append(
            PackSection(
                heading="PDSA cycles due to be studied",
                paragraphs=["These cycles are past their planned end and still in Do."],
                table=(
                    ["Cycle", "Stage", "Planned end", "Measures"],
                    [
                        [line.label, line.stage_label, _date(line.planned_end), _measures(line)]
                        for line in data["due"]
                    ],
                ),
            )
        )
    if data["in_flight"]:
        sections.append(
            PackSection(
                heading="PDSA cycles in flight",
                table=(
                    ["Cycle", "Stage", "Owner", "Planned end", "Measures"],
                    [
                        [
                            line.label + (" (due for study)" if line.due else ""),
                            line.stage_label,
                            line.owner or "Not set",
                            _date(line.planned_end),
                            _measures(line),
                        ]
                        for line in data["in_flight"]
                    ],
                ),
            )
        )
    if data["recent"]:
        sections.append(
            PackSection(
                heading="Recent PDSA outcomes",
                bullets=[
                    f"{line.label}: {line.outcome_label}"
                    + (" (failed fast: learning kept)" if line.outcome == "abandon" else "")
                    + (f", ended {_date(line.ended)}" if line.ended else "")
                    for line in data["recent"]
                ],
            )
        )
    return sections


def pdsa_digest(user: User, sites: Sequence[Site], today: dt.date) -> list[str]:
    return [
        f"{cycle.project.site.code}: Cycle {cycle.number}: {cycle.title} "
        f"(planned to end {cycle.planned_end:%d %B %Y})"
        for cycle in selectors.cycles_due_for(user=user, sites=sites, today=today)
    ]


def register() -> None:
    register_panel(
        Panel(
            key="pdsa",
            title="PDSA cycles in flight",
            order=40,
            build=_build,
            template="toolkit/_panel_pdsa_site.html",
            programme_template="toolkit/_panel_pdsa_programme.html",
            programme_heading="PDSA cycles by outcome",
            pack=pdsa_pack,
        )
    )
    register_digest_section(
        DigestSection(
            key="pdsa_due",
            label="PDSA cycles due to be studied",
            order=40,
            build=pdsa_digest,
        )
    )
