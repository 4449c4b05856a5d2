"""The toolkit's part of a checklist step's page (registered with phases.step_work): the items
and PDSA cycles attached to the step, and a link to start each tool the step suggests with the
step already chosen."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse

from phases.models import Step
from phases.step_work import LinkedWork, StartLink, StepWork
from phases.step_work import register as register_provider


def step_work(*, project: Any, step: Step, can_edit: bool) -> StepWork:
    from .tools import tool_for_word, tools

    work = StepWork()
    for tool in tools().values():
        for item in tool.queryset(project=project, step=step):
            work.linked.append(
                LinkedWork(
                    kind=tool.name,
                    title=item.title,
                    url=item.get_absolute_url(),
                    updated_at=item.updated_at,
                )
            )
    for word in step.tool_list:
        found = tool_for_word(word)
        if found is None:
            work.other.append(word)
        elif can_edit:
            url = reverse(
                found.url("create"),
                kwargs={"site_code": project.site.code, "project_id": project.pk},
            )
            work.start.append(
                StartLink(f"Start {found.start_name} for this step", f"{url}?step={step.pk}")
            )
    return work


def register() -> None:
    register_provider(step_work)


def step_initial(request: Any, project: Any) -> dict[str, int]:
    """A create form opened from a step's page (`?step=<id>`) starts attached to that step, if
    it is a step of the project's programme (the form checks it again when saved)."""
    raw = request.GET.get("step", "")
    if not raw.isdigit():
        return {}
    steps = Step.objects.filter(pk=int(raw)).filter(
        Q(programme__isnull=True) | Q(programme_id=project.site.programme_id)
    )
    return {"step": int(raw)} if steps.exists() else {}
