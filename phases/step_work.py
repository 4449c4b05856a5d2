"""What other apps attach to a checklist step, shown on the step's page.

`phases` does not import the apps that build on it: the toolkit registers a provider at
start-up that lists, for a project's step, the items and PDSA cycles attached to it and the
tools the step suggests (each with a link that starts one attached to the step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .models import Step


@dataclass(frozen=True)
class LinkedWork:
    kind: str  # "Fishbone", "PDSA cycle", ...
    title: str
    url: str
    updated_at: Any


@dataclass(frozen=True)
class StartLink:
    label: str  # "Start a fishbone for this step"
    url: str


@dataclass
class StepWork:
    linked: list[LinkedWork] = field(default_factory=list)
    start: list[StartLink] = field(default_factory=list)
    # Suggested tools that are not toolkit items (run charts, meetings, ...): named only.
    other: list[str] = field(default_factory=list)


Provider = Callable[..., StepWork]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    """provider(project=, step=, can_edit=) -> StepWork; registered once, at start-up."""
    if provider not in _providers:
        _providers.append(provider)


def step_work(*, project: Any, step: Step, can_edit: bool) -> StepWork:
    """Everything attached to `step` for `project`, and how to start what it suggests."""
    work = StepWork()
    for provider in _providers:
        part = provider(project=project, step=step, can_edit=can_edit)
        work.linked += part.linked
        work.start += part.start
        work.other += part.other
    if not _providers:
        work.other = step.tool_list
    work.linked.sort(key=lambda w: w.updated_at, reverse=True)
    return work
