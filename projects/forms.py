"""Forms, and the base that renders any form in NHS.UK design-system markup."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.forms.renderers import TemplatesSetting

from .models import Project

WIDGET_CLASSES = {
    "textarea": "nhsuk-textarea",
    "select": "nhsuk-select",
    "selectmultiple": "nhsuk-select",
    "checkbox": "nhsuk-checkboxes__input",
    "checkboxselectmultiple": "nhsuk-checkboxes__input",
    "radioselect": "nhsuk-radios__input",
    "clearablefile": "nhsuk-file-upload",
    "file": "nhsuk-file-upload",
}


class NhsukFormRenderer(TemplatesSetting):
    """`{{ form }}` renders NHS.UK form groups, labels, hints and error messages."""

    form_template_name = "nhsuk/form.html"
    field_template_name = "nhsuk/field.html"


class NhsukFormMixin:
    """Adds the design system's classes to widgets, and error classes to invalid fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            kind = type(widget).__name__.lower().removesuffix("input").removesuffix("widget")
            css = WIDGET_CLASSES.get(kind, "nhsuk-input")
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if self.is_bound and name in self.errors:  # type: ignore[attr-defined]
                widget.attrs["class"] += f" {css}--error"
                widget.attrs["aria-describedby"] = f"{self.add_prefix(name)}-error"  # type: ignore[attr-defined]


class NhsukForm(NhsukFormMixin, forms.Form):
    pass


class NhsukModelForm(NhsukFormMixin, forms.ModelForm):
    pass


class ProjectForm(NhsukModelForm):
    class Meta:
        model = Project
        fields = ["title", "thrive_focus", "whole_system_theme", "aim", "start_date", "status"]
        widgets = {"start_date": forms.DateInput(), "aim": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("thrive_focus") == "whole_system" and not data.get("whole_system_theme"):
            self.add_error("whole_system_theme", "Name the whole-system theme, e.g. care planning.")
        return data


class ApiTokenForm(NhsukForm):
    name = forms.CharField(
        max_length=100, help_text="What will use it, e.g. 'weekly extract script on the BI server'."
    )


class LoginForm(NhsukFormMixin, auth_forms.AuthenticationForm):
    pass


class PasswordChangeForm(NhsukFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(NhsukFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(NhsukFormMixin, auth_forms.SetPasswordForm):
    pass
