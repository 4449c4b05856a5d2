"""Forms for stories and the learning library's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from phases.models import Principle, Step
from projects.forms import NhsukForm, label_choices, model_choice_field
from projects.models import Site, ThriveFocus
from toolkit.forms import ItemForm, fields_changed
from toolkit.models import PdsaCycle, Story


class StoryForm(ItemForm):
    class Meta:
        model = Story
        fields = [
            "title",
            "summary",
            "what_happened",
            "principles",
            "step",
            "celebrate",
            "shared_with_community",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "what_happened": forms.Textarea(attrs={"rows": 6}),
            "principles": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "title": {"required": "Enter a title."},
            "summary": {"required": "Enter a summary: what other sites should know."},
            "what_happened": {"required": "Enter what happened."},
            "principles": {
                "invalid_choice": "Choose principles from the list.",
                "invalid_pk_value": "Choose principles from the list.",
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "principles").queryset = Principle.objects.filter(active=True)
        fields_changed(self)


KIND_CHOICES = [
    ("", "Every kind"),
    ("cycle", "Finished PDSA cycles"),
    ("reflection", "Reflections"),
    ("story", "Implementation stories"),
]
OUTCOME_CHOICES = [
    ("", "Any outcome"),
    (PdsaCycle.Outcome.ADOPT, "Adopted"),
    (PdsaCycle.Outcome.ADAPT, "Adapted"),
    (PdsaCycle.Outcome.ABANDON, "Abandoned (failed fast)"),
]


class LibraryFilterForm(NhsukForm):
    """The library's search box and filters: a GET form, every field optional."""

    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        help_text="Words from a title, what was learned, what worked or the story.",
    )
    kind = forms.ChoiceField(required=False, choices=KIND_CHOICES, label="Kind")
    outcome = forms.ChoiceField(
        required=False,
        choices=OUTCOME_CHOICES,
        label="Outcome",
        help_text="Only PDSA cycles have an outcome.",
    )
    principle = forms.ModelChoiceField(
        required=False,
        queryset=Principle.objects.all(),
        to_field_name="code",
        empty_label="Any principle",
        label="THRIVE principle",
        help_text="Reflections and stories are tagged by principle.",
        error_messages={"invalid_choice": "Choose a principle from the list."},
    )
    grouping = forms.ChoiceField(
        required=False,
        choices=[("", "Any grouping"), *ThriveFocus.choices],
        label="Needs-based grouping",
        help_text="The THRIVE focus of the project.",
    )
    step = forms.ModelChoiceField(
        required=False,
        queryset=Step.objects.none(),
        empty_label="Any step",
        label="Checklist step",
        error_messages={"invalid_choice": "Choose a checklist step from the list."},
    )
    site = forms.ModelChoiceField(
        required=False,
        queryset=Site.objects.none(),
        to_field_name="code",
        empty_label="Every site",
        label="Site",
        error_messages={"invalid_choice": "Choose a site from the list."},
    )

    def __init__(
        self, *args: Any, programme_ids: list[int], sites: QuerySet[Site], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "step").queryset = Step.objects.filter(
            Q(programme__isnull=True) | Q(programme_id__in=programme_ids)
        ).select_related("phase")
        label_choices(model_choice_field(self, "step"), lambda s: f"{s.code} {s.title}")
        model_choice_field(self, "site").queryset = sites
        label_choices(model_choice_field(self, "site"), lambda s: f"{s.name} ({s.code})")

    def filters(self) -> dict[str, Any]:
        """The valid filters (an invalid one is left out, and its error shown)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or None for name in self.fields}
