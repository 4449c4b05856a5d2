"""Writes for checklist steps: progress, notes, evidence, and a programme's own steps."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from phases.filecheck import check_evidence_file
from phases.models import Evidence, Phase, ProjectStep, Step, StepChange, StepStatus
from projects import links
from projects.models import Programme, Project

from ._common import actor, require_site_member

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DEFAULT_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EDITABLE_FIELDS = ("status", "owner", "target_date", "review_on", "notes")
FIELD_LABELS = {
    "status": "Status",
    "owner": "Owner",
    "target_date": "Target date",
    "review_on": "Review again on",
    "notes": "Notes",
    "evidence": "Evidence",
}


class StaleStepError(Exception):
    """The form was drawn from an older version of the step than the one now stored."""

    def __init__(self, current: ProjectStep) -> None:
        super().__init__(f"Step {current.step.code} is now at version {current.version}.")
        self.current = current


def step_applies(*, step: Step, project: Project) -> bool:
    """Standard steps apply to every project; a programme's own steps to its projects only."""
    return step.programme_id is None or step.programme_id == project.site.programme_id


def display_value(field: str, value: Any) -> str:
    """How a value reads in the step's history."""
    if value is None or value == "":
        return ""
    if field == "status":
        return StepStatus(value).label
    if field == "owner":
        return value.get_full_name() or value.get_username()
    if isinstance(value, dt.date):
        return value.strftime("%-d %b %Y")
    return str(value)


def _locked_state(*, project: Project, step: Step) -> ProjectStep:
    if not step_applies(step=step, project=project):
        raise ValidationError("This step does not belong to the project's programme.")
    ProjectStep.objects.get_or_create(project=project, step=step)
    state = (
        ProjectStep.objects.select_for_update(of=("self",))
        .select_related("owner", "step__phase")
        .get(project=project, step=step)
    )
    state.project = project
    return state


def _validate(state: ProjectStep, changes: dict[str, Any]) -> None:
    project = state.project
    errors: dict[str, str] = {}
    if "status" in changes and changes["status"] not in StepStatus.values:
        errors["status"] = "Choose one of: " + ", ".join(StepStatus.labels) + "."
    target = changes.get("target_date")
    if target and target < project.start_date:
        errors["target_date"] = (
            f"The target date must be on or after the project's start "
            f"({project.start_date:%-d %b %Y})."
        )
    review_on = changes.get("review_on")
    if review_on and state.step.phase.number != 1:
        errors["review_on"] = "Only Phase 1 steps are reviewed again."
    elif review_on and review_on < project.start_date:
        errors["review_on"] = (
            f"The review date must be on or after the project's start "
            f"({project.start_date:%-d %b %Y})."
        )
    if errors:
        raise ValidationError(errors)
    if changes.get("owner") is not None:
        require_site_member(user=changes["owner"], site=project.site, field="owner")


@transaction.atomic
def project_step_update(
    *, project: Project, step: Step, user: User, expected_version: int, **changes: Any
) -> ProjectStep:
    """Change some of a step's fields, refusing a form drawn from an older version. Each changed
    field is recorded in the step's history; a save that changes nothing records nothing."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    state = _locked_state(project=project, step=step)
    if state.version != expected_version:
        raise StaleStepError(state)
    _validate(state, changes)
    diffs = [
        (field, getattr(state, field), value)
        for field, value in changes.items()
        if getattr(state, field) != value
    ]
    if not diffs:
        return state
    now = timezone.now()
    for field, _old, value in diffs:
        setattr(state, field, value)
    state.version += 1
    state.updated_by = actor(user)
    state.updated_at = now
    state.save()
    StepChange.objects.bulk_create(
        StepChange(
            project_step=state,
            field=field,
            label=FIELD_LABELS[field],
            old_value=display_value(field, old),
            new_value=display_value(field, value),
            version=state.version,
            changed_by=actor(user),
            changed_at=now,
        )
        for field, old, value in diffs
    )
    return state


def _record_evidence(state: ProjectStep, user: User, old: str, new: str) -> None:
    StepChange.objects.create(
        project_step=state,
        field="evidence",
        label=FIELD_LABELS["evidence"],
        old_value=old,
        new_value=new,
        version=state.version,
        changed_by=actor(user),
        changed_at=timezone.now(),
    )


@transaction.atomic
def evidence_add_link(
    *, project: Project, step: Step, user: User, title: str, url: str
) -> Evidence:
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Give the evidence a title."})
    url = links.https_url(url)
    state = _locked_state(project=project, step=step)
    evidence = Evidence.objects.create(
        project_step=state, title=title, url=url, added_by=actor(user)
    )
    _record_evidence(state, user, "", f"Link: {title}")
    return evidence


@transaction.atomic
def evidence_add_file(
    *, project: Project, step: Step, user: User, title: str, upload: UploadedFile
) -> Evidence:
    """Store an uploaded file under the site's own folder, after checking its name, size and
    content (see phases.filecheck)."""
    max_bytes = getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_EVIDENCE_MAX_BYTES)
    name = PurePath(upload.name or "").name
    verdict = check_evidence_file(
        name=name, stream=upload, size=upload.size or 0, max_bytes=max_bytes
    )
    if not verdict.ok:
        raise ValidationError({"file": verdict.message})
    title = title.strip() or name
    state = _locked_state(project=project, step=step)
    evidence = Evidence(
        project_step=state,
        title=title[:200],
        original_name=name[:255],
        content_type=verdict.content_type,
        size=upload.size or 0,
        added_by=actor(user),
    )
    evidence.file.save(name, upload, save=False)
    # The stored file is not part of the transaction: remove it if the rows cannot be written.
    stored_name, storage = evidence.file.name, evidence.file.storage
    try:
        evidence.save()
        _record_evidence(state, user, "", f"File: {title}")
    except Exception:
        storage.delete(stored_name)
        raise
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, user: User) -> None:
    state = ProjectStep.objects.select_for_update(of=("self",)).get(pk=evidence.project_step_id)
    kind = "File" if evidence.is_file else "Link"
    _record_evidence(state, user, f"{kind}: {evidence.title}", "")
    if evidence.is_file:
        name, storage = evidence.file.name, evidence.file.storage
        transaction.on_commit(lambda: storage.delete(name))
    evidence.delete()


def _validate_custom_step(step: Step) -> None:
    step.full_clean()
    clash = Step.objects.filter(code=step.code, programme__isnull=True).exclude(pk=step.pk)
    if clash.exists():
        raise ValidationError({"code": f"{step.code} is a standard step; choose another code."})
    if not step.code.startswith(f"P{step.phase.number}."):
        raise ValidationError(
            {"code": f"A Phase {step.phase.number} step's code starts with P{step.phase.number}."}
        )


@transaction.atomic
def custom_step_create(
    *,
    programme: Programme,
    phase: Phase,
    code: str,
    title: str,
    prompt: str,
    tools: str = "",
    order: int | None = None,
) -> Step:
    """A programme's own checklist step; it applies to every project of the programme."""
    if order is None:
        last = Step.objects.filter(phase=phase).order_by("-order").first()
        order = (last.order if last else 0) + 1
    step = Step(
        programme=programme,
        phase=phase,
        code=code.strip(),
        title=title.strip(),
        prompt=prompt.strip(),
        tools=tools.strip(),
        order=order,
    )
    _validate_custom_step(step)
    step.save()
    return step


@transaction.atomic
def custom_step_update(*, step: Step, **fields: Any) -> Step:
    if step.programme_id is None:
        raise ValidationError("Standard steps are changed by a data migration, not here.")
    for name, value in fields.items():
        setattr(step, name, value.strip() if isinstance(value, str) else value)
    _validate_custom_step(step)
    step.save()
    return step
