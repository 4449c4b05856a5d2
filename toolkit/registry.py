"""The tools listed on a project's toolkit page, in the order shown. Each tool family adds its
entries here; the index page is drawn from this list alone."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class ToolEntry:
    slug: str
    name: str
    description: str
    list_url_name: str  # reversed with site_code and project_id
    queryset: Callable[[Any], QuerySet]  # project -> that project's items of this tool


def _recent_first(tool: Any, project: Any) -> QuerySet:
    return tool.queryset(project).order_by("-updated_at")


def _analysis_entries() -> list[ToolEntry]:
    from toolkit.analysis.tools import TOOLS

    return [
        ToolEntry(
            slug=tool.slug,
            name=tool.name,
            description=tool.description,
            list_url_name=f"toolkit:{tool.slug}-list",
            queryset=functools.partial(_recent_first, tool),
        )
        for tool in TOOLS.values()
    ]


def _improvement(model_name: str) -> Callable[[Any], QuerySet]:
    """Driver diagram, PDSA cycles, reflection, sustainability plan (toolkit.improvement)."""

    def items(project: Any) -> QuerySet:
        from toolkit import models

        return getattr(models, model_name).objects.filter(project=project).order_by("-updated_at")

    return items


TOOLKIT: list[ToolEntry] = [
    *_analysis_entries(),
    ToolEntry(
        "driver-diagram",
        "Driver diagram",
        "A SMART aim tied to an outcome measure, with the drivers and change ideas behind it.",
        "toolkit:driver-diagram-list",
        _improvement("DriverDiagram"),
    ),
    ToolEntry(
        "pdsa",
        "PDSA cycles",
        "Small tests of change: Plan, Do, Study, Act, chained into ramps.",
        "toolkit:pdsa-list",
        _improvement("PdsaCycle"),
    ),
    ToolEntry(
        "reflection",
        "Reflection on implementing THRIVE",
        "What worked, what did not, barriers and facilitators by THRIVE principle.",
        "toolkit:reflection-list",
        _improvement("Reflection"),
    ),
    ToolEntry(
        "story",
        "Implementation stories",
        "What happened, told for other sites; celebrate good THRIVE-like practice.",
        "toolkit:story-list",
        _improvement("Story"),
    ),
    ToolEntry(
        "sustainability",
        "Sustainability plan",
        "The NHS Sustainability Model's ten factors, scored over time, with actions.",
        "toolkit:sustainability-list",
        _improvement("SustainabilityPlan"),
    ),
]


# The words checklist steps use for each tool (Step.tools), lower case.
STEP_WORDS: dict[str, tuple[str, ...]] = {
    "fishbone": ("fishbone", "fishbone diagram", "cause and effect diagram"),
    "five-whys": ("five whys", "5 whys"),
    "process-map": ("process map", "process mapping"),
    "swot": ("swot", "swot analysis"),
    "priority-matrix": ("priority setting matrix", "priority matrix"),
    "driver-diagram": ("driver diagram",),
    "pdsa": ("pdsa", "pdsa plan", "pdsa cycle", "pdsa cycles"),
    "reflection": ("reflection",),
    "story": ("story", "implementation story", "implementation stories"),
    "sustainability": ("sustainability plan", "sustainability"),
}
# A/an and the singular, for "Start a fishbone for this step".
START_NAMES: dict[str, str] = {
    "fishbone": "a fishbone",
    "five-whys": "a Five Whys",
    "process-map": "a process map",
    "swot": "a SWOT analysis",
    "priority-matrix": "a priority setting matrix",
    "driver-diagram": "a driver diagram",
    "pdsa": "a PDSA cycle",
    "reflection": "a reflection",
    "story": "an implementation story",
    "sustainability": "a sustainability plan",
}
ITEM_NAMES: dict[str, str] = {"pdsa": "PDSA cycle", "story": "Implementation story"}


def entry_for_word(word: str) -> ToolEntry | None:
    """The tool a step's suggestion names ("process map", "PDSA plan"), if it is one."""
    wanted = " ".join(word.lower().split())
    for entry in TOOLKIT:
        if wanted in STEP_WORDS.get(entry.slug, ()) or wanted == entry.name.lower():
            return entry
    return None
