"""Forms, and the base that renders any form in NHS.UK design-system markup."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.db.models.fields import BLANK_CHOICE_DASH
from django.forms.renderers import TemplatesSetting
from django.forms.utils import pretty_name

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


# Words that already say which one, so no "the" goes before them in an error message.
# fmt: off
_NO_ARTICLE = frozenset({
    "a", "an", "the", "this", "that", "these", "those", "your", "their", "its", "his", "her",
    "our", "each", "every", "any", "some", "no", "how", "what", "when", "where", "which", "who",
    "whom", "whose", "why", "whether", "if",
})
# fmt: on
_OPTIONAL = "(optional)"
CHOOSE = "Choose…"


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's model choice field `name`, typed for setting its queryset or empty label."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a ModelChoiceField")
    return field


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's choice field `name`, typed for setting its choices."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a ChoiceField")
    return field


def choice_pairs(field: forms.ChoiceField) -> list[tuple[Any, Any]]:
    """The field's choices as (value, label) pairs: Django normalises them to that when set,
    though the stubs' type for reading them still allows every form they may be set in."""
    return list(cast("Iterable[tuple[Any, Any]]", field.choices))


def label_choices(field: forms.ModelChoiceField[Any], label: Callable[[Any], str]) -> None:
    """Show each choice as `label(instance)`. Django's documented way is a subclass of the
    field; these fields are made by ModelForm, so the method is replaced on the instance."""
    field.label_from_instance = label  # type: ignore[method-assign,assignment]


def _object_of(label: str) -> str:
    """A field's label as the object of an instruction: 'Role in the project' -> 'the role in
    the project'; acronyms and names keep their capitals ('the THRIVE focus', 'the PDSA cycle')."""
    text = str(label).strip().removesuffix(_OPTIONAL).strip()
    # A trailing aside is a hint, not part of the name: "Week (any day of it)" -> "week".
    text = re.sub(r"\s*\([^()]*\)$", "", text).rstrip("?:.").strip()
    if not text:
        return "an answer"
    first = text.split(maxsplit=1)[0]
    if not (first.isupper() or first[1:2].isupper()):
        text = text[0].lower() + text[1:]
        first = first.lower()
    return text if first in _NO_ARTICLE else f"the {text}"


def required_message(field: forms.Field) -> str:
    """What to do about an empty required field, in the design system's voice: choose from a
    list or radios -> 'Select ...', a file -> 'Choose ...', anything typed -> 'Enter ...'."""
    widget = field.widget
    if isinstance(widget, forms.FileInput):
        verb = "Choose"
    elif isinstance(widget, forms.widgets.ChoiceWidget | forms.CheckboxInput):
        verb = "Select"
    else:
        verb = "Enter"
    return f"{verb} {_object_of(str(field.label or ''))}."


# What the mixin is mixed into, for the type checker only (at run time it adds no base).
if TYPE_CHECKING:
    _Form = forms.BaseForm
else:
    _Form = object


class NhsukFormMixin(_Form):
    """Draws fields as the design system does and has them speak its voice.

    Each field gets the design system's class; a required radio group loses its empty choice
    (so none is pre-selected and no "---------" is offered); a label loses an "(optional)" of its
    own (the field template adds one); Django's "This field is required." becomes an instruction
    derived from the label and widget (`required_message`). Messages a form sets itself (its
    Meta.error_messages or a field's error_messages) are kept. Fields that a subclass adds or
    replaces after `__init__` are prepared when first bound (rendered or validated).
    """

    # Field name -> what to say when it is left empty, where the derived wording reads badly.
    required_messages: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            self._prepare(name, field)

    def __getitem__(self, name: str) -> Any:
        field = self.fields.get(name)
        if field is not None:
            self._prepare(name, field)
        return super().__getitem__(name)

    def _prepare(self, name: str, field: forms.Field) -> None:
        if getattr(field, "_nhsuk_prepared", False):
            return
        field._nhsuk_prepared = True  # type: ignore[attr-defined]  # a mark of our own
        if field.label is None:
            field.label = pretty_name(name)
        widget = field.widget
        if isinstance(widget, forms.DateInput):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"
        css = self._widget_class(widget)
        classes = widget.attrs.get("class", "").split()
        if css not in classes:
            widget.attrs["class"] = " ".join([*classes, css])
        if isinstance(field.label, str) and field.label.lower().endswith(_OPTIONAL):
            field.label = field.label[: -len(_OPTIONAL)].rstrip()
        self._prepare_empty_choice(field, widget)
        django_default = str(forms.Field.default_error_messages["required"])
        if str(field.error_messages.get("required")) == django_default:
            message = self.required_messages.get(name) or required_message(field)
            field.error_messages["required"] = message

    @staticmethod
    def _prepare_empty_choice(field: forms.Field, widget: forms.Widget) -> None:
        radios = isinstance(widget, forms.RadioSelect)
        if field.required and radios and not isinstance(widget, forms.CheckboxSelectMultiple):
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = None
            elif isinstance(field, forms.ChoiceField):
                field.choices = [(v, t) for v, t in choice_pairs(field) if v not in ("", None)]
        elif isinstance(widget, forms.Select):
            # A list's empty first entry asks for a choice in words, not Django's dashes.
            if isinstance(field, forms.ModelChoiceField):
                if field.empty_label == BLANK_CHOICE_DASH[0][1]:
                    field.empty_label = CHOOSE
            elif isinstance(field, forms.ChoiceField):
                field.choices = [
                    (v, CHOOSE if v in ("", None) and t == BLANK_CHOICE_DASH[0][1] else t)
                    for v, t in choice_pairs(field)
                ]

    @staticmethod
    def _widget_class(widget: forms.Widget) -> str:
        kind = type(widget).__name__.lower().removesuffix("input").removesuffix("widget")
        return WIDGET_CLASSES.get(kind, "nhsuk-input")

    def full_clean(self) -> None:
        super().full_clean()
        # After validation (not in __init__, which subclasses may extend), mark invalid fields.
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            css = self._widget_class(widget)
            if f"{css}--error" not in widget.attrs.get("class", ""):
                widget.attrs["class"] += f" {css}--error"
            widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"


class NhsukForm(NhsukFormMixin, forms.Form):
    """A form drawn in NHS.UK design-system markup."""


class NhsukModelForm(NhsukFormMixin, forms.ModelForm):
    """A model form drawn in NHS.UK design-system markup."""


class ProjectForm(NhsukModelForm):
    class Meta:
        model = Project
        fields = ["title", "thrive_focus", "whole_system_theme", "aim", "start_date", "status"]
        widgets = {"start_date": forms.DateInput(), "aim": forms.Textarea(attrs={"rows": 3})}
        labels = {"thrive_focus": "THRIVE focus", "whole_system_theme": "Whole-system theme"}
        error_messages = {"title": {"required": "Enter the project's title."}}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("thrive_focus") == "whole_system" and not data.get("whole_system_theme"):
            self.add_error("whole_system_theme", "Name the whole-system theme, e.g. care planning.")
        return data


class ApiTokenForm(NhsukForm):
    required_messages: ClassVar[dict[str, str]] = {"name": "Enter a name for the token."}

    name = forms.CharField(
        max_length=100, help_text="What will use it, e.g. 'weekly extract script on the BI server'."
    )


# Django's own labels make poor instructions ("Enter the new password confirmation.").
PASSWORD_REQUIRED = {
    "username": "Enter your username.",
    "password": "Enter your password.",
    "email": "Enter your email address.",
    "old_password": "Enter your current password.",
    "new_password1": "Enter a new password.",
    "new_password2": "Enter the new password again.",
}


class LoginForm(NhsukFormMixin, auth_forms.AuthenticationForm):
    """Django's login form in NHS.UK markup."""

    required_messages = PASSWORD_REQUIRED


class PasswordChangeForm(NhsukFormMixin, auth_forms.PasswordChangeForm):
    """Django's password change form in NHS.UK markup, refusing the current password as the
    new one."""

    required_messages = PASSWORD_REQUIRED

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
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

    required_messages = PASSWORD_REQUIRED


class SetPasswordForm(NhsukFormMixin, auth_forms.SetPasswordForm):
    """Django's set-password form in NHS.UK markup."""

    required_messages = PASSWORD_REQUIRED


class SharedLinkForm(NhsukForm):
    required_messages: ClassVar[dict[str, str]] = {
        "label": "Enter who the link is for.",
        "days": "Enter how many days the link should work for.",
    }

    label = forms.CharField(
        max_length=200,
        label="Who the link is for",
        help_text="For example, 'Children's partnership board'.",
    )
    days = forms.IntegerField(
        min_value=1, max_value=365, initial=30, label="Days until it stops working"
    )


class CommunityEventForm(NhsukModelForm):
    """An event's details; given `sites` (where the user may schedule) a new event also asks
    whose it is (`programme_wide` adds "every site" for the lead); given `invitable` (the
    programme's sites), a local event asks which other sites are invited."""

    PROGRAMME_WIDE = "programme"

    required_messages: ClassVar[dict[str, str]] = {
        "title": "Enter the event's title.",
        "starts_at": "Enter when the event starts.",
        "ends_at": "Enter when the event ends.",
        "location": "Enter where the event is: a room, or a link to join online.",
        "owner": "Select whose event this is.",
    }

    class Meta:
        model = CommunityEvent
        fields = ["title", "starts_at", "ends_at", "location", "description", "invited_sites"]
        labels = {
            "starts_at": "Starts",
            "ends_at": "Ends",
            "location": "Where",
            "invited_sites": "Other sites invited",
        }
        help_texts = {
            "invited_sites": "For a site's local event: the sites whose people may come. "
            "Everyone at the programme's sites is invited to a programme-wide event."
        }
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": forms.Textarea(attrs={"rows": 4}),
            "invited_sites": forms.CheckboxSelectMultiple(),
        }
        error_messages = {
            "starts_at": {"invalid": "Enter the start as a date and time, e.g. 14/03/2026 10:00."},
            "ends_at": {"invalid": "Enter the end as a date and time, e.g. 14/03/2026 12:00."},
        }

    def __init__(
        self,
        *args: Any,
        sites: Any = None,
        programme_wide: bool = False,
        invitable: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if sites is not None:
            choices = (
                [(self.PROGRAMME_WIDE, "Every site of the programme")] if programme_wide else []
            )
            choices += [(str(site.pk), f"{site.name}: a local event") for site in sites]
            self.fields = {
                "owner": forms.ChoiceField(
                    choices=choices,
                    label="Whose event is it",
                    widget=forms.RadioSelect,
                    initial=choices[0][0] if len(choices) == 1 else None,
                ),
                **self.fields,
            }
            self._prepare("owner", self.fields["owner"])
            self._sites = {str(site.pk): site for site in sites}
        if invitable is None:
            del self.fields["invited_sites"]
        else:
            model_choice_field(self, "invited_sites").queryset = invitable

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "The event must end after it starts.")
        owner = data.get("owner")
        if owner is not None:
            data["site"] = None if owner == self.PROGRAMME_WIDE else self._sites[owner]
            if data["site"] is None and data.get("invited_sites"):
                self.add_error(
                    "invited_sites",
                    "Leave the other sites unticked: every site is invited to a programme-wide "
                    "event.",
                )
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
        choice_field(self, "enabled").choices = choices


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
        choice_field(self, "site").choices = [("", "Any site")] + [
            (site.code, f"{site.name} ({site.code})") for site in sites
        ]
