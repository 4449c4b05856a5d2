"""Writes for the sustainability check-ins that follow Phase 4."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from projects.models import Project


@transaction.atomic
def project_checkin_set(*, project: Project, frequency: str) -> Project:
    """How often the project managers are asked, after Phase 4, whether the change holds."""
    if frequency not in Project.CheckIn.values:
        raise ValidationError({"sustainability_checkin": "Choose how often to check in."})
    project.sustainability_checkin = frequency
    project.save(update_fields=["sustainability_checkin"])
    return project
