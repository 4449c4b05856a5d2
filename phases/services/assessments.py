"""Writes for THRIVE assessments, and for the sustainability check-ins that follow Phase 4."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from phases.models import Assessment, Principle, PrincipleScore
from projects.models import Project

from ._common import actor

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# principle id -> (score 1-4, evidence)
Scores = dict[int, tuple[int, str]]


def _check_scores(scores: Scores) -> None:
    principles = list(Principle.objects.filter(active=True))
    errors = {}
    for principle in principles:
        if principle.pk not in scores or scores[principle.pk][0] not in (1, 2, 3, 4):
            errors[f"score_{principle.pk}"] = f"Score {principle.name} from 1 to 4."
    unknown = set(scores) - {p.pk for p in principles}
    if unknown:
        errors["__all__"] = "Score only the active THRIVE principles."
    if errors:
        raise ValidationError(errors)


def _check_dates(assessment: Assessment) -> None:
    others = Assessment.objects.filter(project=assessment.project).exclude(pk=assessment.pk)
    baseline = next((a for a in others if a.kind == Assessment.Kind.BASELINE), None)
    if assessment.kind == Assessment.Kind.BASELINE:
        if baseline is not None:
            raise ValidationError({"kind": "The project already has a baseline assessment."})
        later = [a.assessed_on for a in others]
        if later and assessment.assessed_on >= min(later):
            raise ValidationError({"assessed_on": "The baseline must come before every follow-up."})
    else:
        if baseline is None:
            raise ValidationError({"kind": "Record the baseline assessment first."})
        if assessment.assessed_on <= baseline.assessed_on:
            raise ValidationError(
                {
                    "assessed_on": "A follow-up must be after the baseline "
                    f"({baseline.assessed_on:%-d %b %Y})."
                }
            )


def _write_scores(assessment: Assessment, scores: Scores) -> None:
    assessment.scores.all().delete()
    PrincipleScore.objects.bulk_create(
        PrincipleScore(
            assessment=assessment, principle_id=pk, score=score, evidence=evidence.strip()
        )
        for pk, (score, evidence) in scores.items()
    )


@transaction.atomic
def assessment_create(
    *,
    project: Project,
    user: User,
    kind: str,
    assessed_on: dt.date,
    scores: Scores,
    notes: str = "",
) -> Assessment:
    if kind not in Assessment.Kind.values:
        raise ValidationError({"kind": "Choose baseline or follow-up."})
    assessment = Assessment(
        project=project, kind=kind, assessed_on=assessed_on, notes=notes, created_by=actor(user)
    )
    _check_dates(assessment)
    _check_scores(scores)
    assessment.save()
    _write_scores(assessment, scores)
    return assessment


@transaction.atomic
def assessment_update(
    *, assessment: Assessment, assessed_on: dt.date, scores: Scores, notes: str = ""
) -> Assessment:
    assessment.assessed_on = assessed_on
    assessment.notes = notes
    _check_dates(assessment)
    _check_scores(scores)
    assessment.save()
    _write_scores(assessment, scores)
    return assessment


@transaction.atomic
def project_checkin_set(*, project: Project, frequency: str) -> Project:
    """How often the project managers are asked, after Phase 4, whether the change holds."""
    if frequency not in Project.CheckIn.values:
        raise ValidationError({"sustainability_checkin": "Choose how often to check in."})
    project.sustainability_checkin = frequency
    project.save(update_fields=["sustainability_checkin"])
    return project
