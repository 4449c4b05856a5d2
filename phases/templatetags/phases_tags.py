from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template

from phases.forms import CheckInForm, StepProgressForm, person_name

if TYPE_CHECKING:
    from django.contrib.auth.models import User

register = template.Library()


@register.simple_tag
def step_form(card: Any, owners: list[Any]) -> StepProgressForm:
    """The card's in-place form: the refused one with its errors, or one drawn from the step."""
    if card.form is not None:
        return card.form
    return StepProgressForm.for_state(card.state, owners, prefix=f"s{card.step.pk}")


@register.filter
def person(user: User | None) -> str:
    return person_name(user) if user else ""


@register.simple_tag
def checkin_form(project: Any) -> CheckInForm:
    return CheckInForm(initial={"sustainability_checkin": project.sustainability_checkin})
