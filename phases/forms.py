"""Forms for implementation tracking. They parse and present; services decide what is valid."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django import forms

from projects.forms import NhsukForm, NhsukModelForm, model_choice_field
from projects.models import Project

from .models import (
    Assessment,
    Meeting,
    Phase,
    Principle,
    ProjectStep,
    Stakeholder,
    Step,
    StepStatus,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def refresh(form: Any) -> None:
    """Give fields added or replaced in a subclass's __init__ the design system's classes
    (NhsukFormMixin styles the fields that exist when it runs; it marks errors on validation)."""
    for field in form.fields.values():
        widget = field.widget
        if "class" in widget.attrs:
            continue
        if isinstance(widget, forms.RadioSelect):
            widget.attrs["class"] = "nhsuk-radios__input"
        elif isinstance(widget, forms.Textarea):
            widget.attrs["class"] = "nhsuk-textarea"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "nhsuk-select"
        else:
            widget.attrs["class"] = "nhsuk-input"


def person_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


class MemberChoiceField(forms.TypedChoiceField):
    """A choice of the site's members, from a list loaded once (no query per form)."""

    def __init__(self, *, users: list[Any], empty_label: str = "Nobody yet", **kwargs: Any):
        by_pk = {str(user.pk): user for user in users}
        super().__init__(
            choices=[("", empty_label)] + [(pk, person_name(u)) for pk, u in by_pk.items()],
            coerce=by_pk.__getitem__,
            empty_value=None,
            **kwargs,
        )


class StepProgressForm(NhsukForm):
    """The in-place form on each step card."""

    status = forms.ChoiceField(choices=StepStatus.choices)
    owner = MemberChoiceField(users=[], required=False)
    target_date = forms.DateField(required=False, widget=forms.DateInput())
    review_on = forms.DateField(label="Review again on", required=False, widget=forms.DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput(), min_value=0)

    def __init__(self, *args: Any, owners: list[Any], phase_number: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(users=owners, required=False)
        if phase_number != 1:
            del self.fields["review_on"]
        refresh(self)

    @classmethod
    def for_state(cls, state: ProjectStep, owners: list[Any], prefix: str) -> StepProgressForm:
        return cls(
            owners=owners,
            phase_number=state.step.phase.number,
            prefix=prefix,
            initial={
                "status": state.status,
                "owner": str(state.owner_id) if state.owner_id else "",
                "target_date": state.target_date,
                "review_on": state.review_on,
                "version": state.version,
            },
        )

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version")
        return data


class CheckInForm(NhsukForm):
    sustainability_checkin = forms.ChoiceField(
        label="How often to check in after Phase 4",
        choices=Project.CheckIn.choices,
        help_text="The project managers get an e-mail asking whether the change still holds.",
    )


class StepNotesForm(NhsukForm):
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}))
    version = forms.IntegerField(widget=forms.HiddenInput(), min_value=0)


class EvidenceForm(NhsukForm):
    title = forms.CharField(max_length=200, required=False, help_text="What it shows.")
    url = forms.URLField(
        label="Link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="A web address, for example a shared document.",
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text="PDF, Word, Excel, PowerPoint, PNG, JPG, CSV or text; up to 10 MB.",
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("url") and data.get("file"):
            self.add_error("url", "Give a link or a file, not both.")
        elif not data.get("url") and not data.get("file") and not self.errors:
            self.add_error("url", "Give a link, or choose a file to upload.")
        if data.get("url") and not data.get("title"):
            self.add_error("title", "Give the link a title.")
        return data


class TeamMemberForm(NhsukForm):
    user = MemberChoiceField(users=[], label="Person")
    role = forms.CharField(
        label="Role in the project", max_length=120, help_text="For example: project lead."
    )
    deputy = MemberChoiceField(users=[], required=False)

    def __init__(self, *args: Any, members: list[Any], editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["user"] = MemberChoiceField(users=members, label="Person", empty_label="")
        self.fields["deputy"] = MemberChoiceField(
            users=members,
            required=False,
            empty_label="No deputy",
            help_text="Covers when they are away.",
        )
        if editing:
            del self.fields["user"]
        refresh(self)


class StakeholderForm(NhsukModelForm):
    class Meta:
        model = Stakeholder
        fields = [
            "name",
            "organisation",
            "sector",
            "role",
            "email",
            "interest",
            "influence",
            "kept_informed_by",
            "represents_young_people_or_families",
        ]
        widgets = {"interest": forms.RadioSelect, "influence": forms.RadioSelect}
        labels = {
            "interest": "How much interest do they have in the project?",
            "influence": "How much influence do they have over the project?",
        }
        error_messages = {
            "name": {"required": "Enter the stakeholder's name."},
            "sector": {"required": "Select the stakeholder's sector."},
            "interest": {"required": "Select how much interest they have."},
            "influence": {"required": "Select how much influence they have."},
        }


class MeetingForm(NhsukForm):
    """A plain form: the rules about dates and completion live in the service, so that their
    messages land next to the fields (a model constraint would report them above the form)."""

    required_messages: ClassVar[dict[str, str]] = {"held_on": "Enter the date of the meeting."}

    title = forms.CharField(max_length=200, help_text="For example: steering group.")
    held_on = forms.DateField(label="Date", widget=forms.DateInput())
    attendees = forms.ModelMultipleChoiceField(
        queryset=Stakeholder.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="From the project's stakeholder register.",
    )
    decisions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    completed = forms.BooleanField(
        label="This meeting is complete",
        required=False,
        help_text="Always schedule the next meeting before the end: give its date below.",
    )
    next_date = forms.DateField(
        label="Date of the next meeting", required=False, widget=forms.DateInput()
    )
    next_start = forms.TimeField(
        label="Start time",
        initial="10:00",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    next_duration_minutes = forms.IntegerField(label="Length in minutes", initial=60)
    next_location = forms.CharField(
        label="Where", max_length=200, required=False, help_text="A room, or a video-call link."
    )

    def __init__(self, *args: Any, stakeholders: Any, instance: Meeting | None = None, **kw: Any):
        if instance is not None:
            kw["initial"] = {
                **{
                    name: getattr(instance, name)
                    for name in self.base_fields
                    if name != "attendees"
                },
                "attendees": [s.pk for s in instance.attendees.all()],
            }
        super().__init__(*args, **kw)
        model_choice_field(self, "attendees").queryset = stakeholders
        refresh(self)


class MeetingActionForm(NhsukForm):
    description = forms.CharField(label="Action", max_length=300)
    owner = MemberChoiceField(users=[])
    due_date = forms.DateField(widget=forms.DateInput())

    def __init__(self, *args: Any, owners: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(users=owners, empty_label="")
        refresh(self)


SCORE_CHOICES = [
    (1, "1: considerable improvement needed"),
    (2, "2: some improvement needed"),
    (3, "3: mostly THRIVE-like"),
    (4, "4: fully THRIVE-like"),
]


class AssessmentForm(NhsukForm):
    required_messages: ClassVar[dict[str, str]] = {"kind": "Select the kind of assessment."}

    kind = forms.ChoiceField(label="Assessment", choices=Assessment.Kind.choices)
    assessed_on = forms.DateField(label="Date of the assessment", widget=forms.DateInput())
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, principles: list[Principle], editing: bool = False, **kw: Any):
        super().__init__(*args, **kw)
        self.principles = principles
        if editing:
            del self.fields["kind"]
        for principle in principles:
            self.fields[f"score_{principle.pk}"] = forms.TypedChoiceField(
                label=principle.name,
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                help_text=principle.description,
                error_messages={"required": f"Select a score for {principle.name}."},
            )
            self.fields[f"evidence_{principle.pk}"] = forms.CharField(
                label=f"Evidence for {principle.name}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        refresh(self)

    def scores(self) -> dict[int, tuple[int, str]]:
        return {
            p.pk: (self.cleaned_data[f"score_{p.pk}"], self.cleaned_data[f"evidence_{p.pk}"])
            for p in self.principles
        }

    def principle_fields(self) -> list[tuple[Any, Any]]:
        return [(self[f"score_{p.pk}"], self[f"evidence_{p.pk}"]) for p in self.principles]


class CustomStepForm(NhsukModelForm):
    class Meta:
        model = Step
        fields = ["programme", "phase", "code", "title", "prompt", "tools", "order"]
        widgets = {"prompt": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"code": "Starts with the phase, for example P1.7 or P2.6."}

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "programme").queryset = programmes
        self.fields["programme"].required = True
        model_choice_field(self, "programme").empty_label = None
        model_choice_field(self, "phase").queryset = Phase.objects.order_by("number")
        model_choice_field(self, "phase").empty_label = None
        self.fields["order"].required = False
        refresh(self)
