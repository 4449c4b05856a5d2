"""Writes for the project team and the stakeholder register."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from phases.models import Stakeholder, TeamMember
from projects.models import Project

from ._common import require_site_member

if TYPE_CHECKING:
    from django.contrib.auth.models import User

STAKEHOLDER_FIELDS = (
    "name",
    "organisation",
    "sector",
    "role",
    "email",
    "interest",
    "influence",
    "kept_informed_by",
    "represents_young_people_or_families",
)


def _check_team_member(member: TeamMember) -> None:
    site = member.project.site
    require_site_member(user=member.user, site=site, field="user", what="A team member")
    if member.deputy is not None:
        if member.deputy == member.user:
            raise ValidationError({"deputy": "Choose someone else to cover as deputy."})
        require_site_member(user=member.deputy, site=site, field="deputy", what="The deputy")
    if not member.role.strip():
        raise ValidationError({"role": "Say what they do in the project."})
    clash = TeamMember.objects.filter(project=member.project, user=member.user).exclude(
        pk=member.pk
    )
    if clash.exists():
        raise ValidationError({"user": "They are already in the project team."})


@transaction.atomic
def team_member_add(*, project: Project, user: User, role: str, deputy: Any = None) -> TeamMember:
    member = TeamMember(project=project, user=user, role=role.strip(), deputy=deputy)
    _check_team_member(member)
    member.save()
    return member


@transaction.atomic
def team_member_update(*, member: TeamMember, role: str, deputy: Any = None) -> TeamMember:
    member.role = role.strip()
    member.deputy = deputy
    _check_team_member(member)
    member.save()
    return member


@transaction.atomic
def team_member_remove(*, member: TeamMember) -> None:
    member.delete()


def _save_stakeholder(stakeholder: Stakeholder, fields: dict[str, Any]) -> Stakeholder:
    unknown = set(fields) - set(STAKEHOLDER_FIELDS)
    if unknown:
        raise ValueError(f"Not stakeholder fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(stakeholder, name, value.strip() if isinstance(value, str) else value)
    stakeholder.full_clean()
    stakeholder.save()
    return stakeholder


@transaction.atomic
def stakeholder_create(*, project: Project, **fields: Any) -> Stakeholder:
    return _save_stakeholder(Stakeholder(project=project), fields)


@transaction.atomic
def stakeholder_update(*, stakeholder: Stakeholder, **fields: Any) -> Stakeholder:
    return _save_stakeholder(stakeholder, fields)


@transaction.atomic
def stakeholder_delete(*, stakeholder: Stakeholder) -> None:
    stakeholder.delete()
