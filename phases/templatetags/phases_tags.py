from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

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


@register.simple_tag
def phase_bars(phases: Iterable[tuple[int, int, int]]) -> SafeString:
    """Each phase's progress as a bar beside its words; phases: (number, closed, total).
    Built here, not in an included template: the programme dashboard draws one set per
    project, 200 bars for 50 sites (issue 16)."""
    done = " thrive-phase-bars__phase--done"
    items = format_html_join(
        "",
        '<li class="thrive-phase-bars__phase{}"><span class="thrive-phase-bars__name">Phase {}'
        '</span><progress max="{}" value="{}" aria-hidden="true"></progress>'
        '<span class="thrive-phase-bars__count">{} of {}<span class="nhsuk-u-visually-hidden">'
        " steps closed</span></span></li>",
        (
            (done if total and closed == total else "", number, total or 1, closed, closed, total)
            for number, closed, total in phases
        ),
    )
    return format_html('<ul class="thrive-phase-bars">{}</ul>', items)
