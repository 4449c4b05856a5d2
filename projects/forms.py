"""Forms, and the base that renders any form in NHS.UK design-system markup."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting

from . import links
from .models import AuditEvent, CommunityEvent, Project

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
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"
            widget.attrs["class"] = (
                widget.attrs.get("class", "") + " " + self._widget_class(widget)
            ).strip()

    @staticmethod
    def _widget_class(widget: forms.Widget) -> str:
        kind = type(widget).__name__.lower().removesuffix("input").removesuffix("widget")
        return WIDGET_CLASSES.get(kind, "nhsuk-input")

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        # After validation (not in __init__, which subclasses may extend), mark invalid fields.
        for name in self.errors:  # type: ignore[attr-defined]
            if name not in self.fields:  # type: ignore[attr-defined]
                continue
            widget = self.fields[name].widget  # type: ignore[attr-defined]
            css = self._widget_class(widget)
            if f"{css}--error" not in widget.attrs.get("class", ""):
                widget.attrs["class"] += f" {css}--error"
            widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"  # type: ignore[index]


class NhsukForm(NhsukFormMixin, forms.Form):
    """A form drawn in NHS.UK design-system markup."""


class NhsukModelForm(NhsukFormMixin, forms.ModelForm):
    """A model form drawn in NHS.UK design-system markup."""


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
    """Django's login form in NHS.UK markup."""


class PasswordChangeForm(NhsukFormMixin, auth_forms.PasswordChangeForm):
    """Django's password change form in NHS.UK markup, refusing the current password as the
    new one."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        password = cleaned.get("new_password1")
        if password and "new_password2" not in self.errors and self.user.check_password(password):
            self.add_error(
                "new_password2",
                forms.ValidationError(
                    "Enter a new password that is different from your current one.",
                    code="password_unchanged",
                ),
            )
        return cleaned


class PasswordResetForm(NhsukFormMixin, auth_forms.PasswordResetForm):
    """Django's password reset form in NHS.UK markup."""


class SetPasswordForm(NhsukFormMixin, auth_forms.SetPasswordForm):
    """Django's set-password form in NHS.UK markup."""


class SharedLinkForm(NhsukForm):
    label = forms.CharField(
        max_length=200,
        label="Who the link is for",
        help_text="For example, 'Children's partnership board'.",
    )
    days = forms.IntegerField(
        min_value=1, max_value=365, initial=30, label="Days until it stops working"
    )


class CommunityEventForm(NhsukModelForm):
    class Meta:
        model = CommunityEvent
        fields = ["title", "starts_at", "ends_at", "location", "description"]
        labels = {"starts_at": "Starts", "ends_at": "Ends"}
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "The event must end after it starts.")
        return data


class AttendanceForm(NhsukForm):
    attendees = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Names and roles of who came from your site, one per line.",
    )


class PresentationForm(NhsukForm):
    title = forms.CharField(max_length=200, label="What you presented")
    link = forms.CharField(
        max_length=500,
        label="Link to it in THRIVE Tracker",
        help_text="The address of the story, PDSA cycle or chart, e.g. /sites/NGT/…",
    )

    def clean_link(self) -> str:
        link = self.cleaned_data["link"].strip()
        if link.startswith(("http://", "https://")):
            from urllib.parse import urlsplit

            parts = urlsplit(link)
            link = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            return links.site_path(link)
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["link"]) from None


class PreferencesForm(NhsukForm):
    enabled = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="E-mails you want",
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enabled"].choices = choices


class AuditFilterForm(NhsukForm):
    """Filters of the audit trail page (GET): every field optional."""

    action = forms.ChoiceField(
        required=False, choices=[("", "Any action"), *AuditEvent.Action.choices]
    )
    person = forms.CharField(required=False, max_length=150, label="Person (user name)")
    site = forms.ChoiceField(required=False, choices=[("", "Any site")])
    since = forms.DateField(required=False, label="From", widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))

    def __init__(self, *args: Any, sites: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "Any site")] + [
            (site.code, f"{site.name} ({site.code})") for site in sites
        ]
