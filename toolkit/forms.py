"""Forms every toolkit tool shares. They check shapes; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from phases.models import Step
from projects.forms import WIDGET_CLASSES, NhsukModelForm, model_choice_field
from projects.models import Project


def fields_changed(form: forms.BaseForm) -> None:
    """Call after adding or replacing fields in `__init__`: give them the design system's
    classes (the NHS.UK mixin styles only the fields that existed before)."""
    for field in form.fields.values():
        widget = field.widget
        kind = type(widget).__name__.lower().removesuffix("input").removesuffix("widget")
        css = WIDGET_CLASSES.get(kind, "nhsuk-input")
        classes = widget.attrs.get("class", "").split()
        if css not in classes:
            classes.append(css)
        widget.attrs["class"] = " ".join(classes)


class ItemForm(NhsukModelForm):
    """A toolkit item's form: title, the checklist step it serves (one of the project's
    programme's), and the tool's own fields."""

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        if "step" in self.fields:
            step = model_choice_field(self, "step")
            step.queryset = Step.objects.filter(
                Q(programme__isnull=True) | Q(programme_id=project.site.programme_id)
            ).select_related("phase")
            step.empty_label = "Not linked to a step"
            step.label = "Checklist step"
            step.error_messages["invalid_choice"] = "Choose a checklist step of this programme."
        fields_changed(self)
