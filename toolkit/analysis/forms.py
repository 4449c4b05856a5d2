"""Forms for the analysis tools. They check the shape of input; the rules live in services.

Every form that picks a part of the item (a category, a cause, a step, a SWOT item, a criterion)
is built with `item=` and offers only that item's parts, so a part of another item (or another
site's) is refused as an invalid choice with a clear message.
"""

from __future__ import annotations

from typing import Any

from django import forms

from projects.forms import NhsukForm, NhsukModelForm, label_choices, model_choice_field
from toolkit.forms import ItemForm
from toolkit.models.analysis import (
    Fishbone,
    FishboneCategory,
    FishboneCause,
    FiveWhys,
    PriorityCriterion,
    PriorityMatrix,
    PriorityOption,
    ProcessArrow,
    ProcessLane,
    ProcessMap,
    ProcessStep,
    Swot,
    SwotItem,
    SwotStrategy,
    WhyLink,
)

SCORE_CHOICES = [("", "Not scored")] + [(str(n), str(n)) for n in range(1, 6)]


def _score_field(label: str, help_text: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=SCORE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=help_text,
        error_messages={"invalid_choice": f"{label} must be a whole number from 1 to 5."},
    )


# --- Items -----------------------------------------------------------------------------------


class FishboneForm(ItemForm):
    class Meta:
        model = Fishbone
        fields = ["title", "step", "problem", "who", "when", "where"]
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "problem": forms.Textarea(attrs={"rows": 3})
        }
        labels = {"problem": "Problem statement"}
        error_messages = {
            "problem": {"required": "Enter the problem statement: the effect you want to explain."},
            "title": {"required": "Enter a title."},
        }


class FishboneCreateForm(FishboneForm):
    class Meta(FishboneForm.Meta):
        fields = [*FishboneForm.Meta.fields, "preset"]
        widgets = {**FishboneForm.Meta.widgets, "preset": forms.RadioSelect}
        labels = {**FishboneForm.Meta.labels, "preset": "Start with these categories"}
        error_messages = {
            **FishboneForm.Meta.error_messages,
            "preset": {"required": "Select the categories to start with."},
        }


class FiveWhysForm(ItemForm):
    class Meta:
        model = FiveWhys
        fields = ["title", "step", "problem", "root_causes", "actions", "is_complete"]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 3}),
            "root_causes": forms.Textarea(attrs={"rows": 3}),
            "actions": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "problem": "Problem statement",
            "root_causes": "Root causes",
            "is_complete": "This chain is complete",
        }
        error_messages = {
            "problem": {"required": "Enter the problem statement the chain starts from."},
            "title": {"required": "Enter a title."},
        }


class ProcessMapForm(ItemForm):
    class Meta:
        model = ProcessMap
        fields = ["title", "step", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"title": {"required": "Enter a title."}}


class SwotForm(ItemForm):
    class Meta:
        model = Swot
        fields = ["title", "step", "subject"]
        widgets = {"subject": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "subject": {"required": "Enter what the SWOT analysis is about."},
            "title": {"required": "Enter a title."},
        }


class PriorityMatrixForm(ItemForm):
    class Meta:
        model = PriorityMatrix
        fields = ["title", "step", "question", "method"]
        widgets = {"question": forms.Textarea(attrs={"rows": 2}), "method": forms.RadioSelect}
        labels = {"method": "How you will score the options"}
        error_messages = {
            "question": {"required": "Enter what you are choosing between."},
            "title": {"required": "Enter a title."},
        }


# --- Parts -----------------------------------------------------------------------------------


class PartForm(NhsukModelForm):
    """A form for one part of `item`; choice fields are limited to the item's own parts."""

    def __init__(self, *args: Any, item: Any, **kwargs: Any) -> None:
        self.item = item
        super().__init__(*args, **kwargs)

    def limit(self, name: str, queryset: Any, message: str) -> None:
        field = model_choice_field(self, name)
        field.queryset = queryset
        field.error_messages["invalid_choice"] = message
        field.error_messages["invalid_pk_value"] = message


class FishboneCategoryForm(PartForm):
    class Meta:
        model = FishboneCategory
        fields = ["name"]
        labels = {"name": "Category name"}
        error_messages = {"name": {"required": "Enter the category's name."}}


class FishboneCauseForm(PartForm):
    class Meta:
        model = FishboneCause
        fields = ["category", "parent", "text"]
        labels = {"text": "Cause", "parent": "Sub-cause of"}
        help_texts = {"parent": "Leave empty for a cause on the category's bone."}
        error_messages = {"text": {"required": "Describe the cause."}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit("category", self.item.categories.all(), "Choose a category of this fishbone.")
        self.limit(
            "parent",
            FishboneCause.objects.filter(category__fishbone=self.item, parent__isnull=True),
            "Choose a cause of this fishbone.",
        )
        model_choice_field(self, "parent").empty_label = "None: a cause in its own right"
        model_choice_field(self, "category").empty_label = None


class FishboneCauseEditForm(PartForm):
    class Meta:
        model = FishboneCause
        fields = ["text"]
        labels = {"text": "Cause"}
        error_messages = {"text": {"required": "Describe the cause."}}


class WhyLinkForm(PartForm):
    class Meta:
        model = WhyLink
        fields = ["why", "answer"]
        labels = {"why": "Why?", "answer": "Because"}
        error_messages = {
            "why": {"required": "Enter the question: why does this happen?"},
            "answer": {"required": "Enter the answer."},
        }


class ProcessLaneForm(PartForm):
    class Meta:
        model = ProcessLane
        fields = ["name", "kind"]
        labels = {"name": "Swimlane (team or service)", "kind": "The lane is a"}
        error_messages = {"name": {"required": "Enter the team or service this swimlane shows."}}


class ProcessStepForm(PartForm):
    class Meta:
        model = ProcessStep
        fields = ["kind", "label", "lane", "duration", "duration_unit", "is_bottleneck"]
        labels = {
            "kind": "Kind of step",
            "label": "What happens",
            "lane": "Swimlane",
            "duration": "How long it takes",
            "duration_unit": "Unit",
            "is_bottleneck": "This step is a bottleneck",
        }
        error_messages = {"label": {"required": "Describe the step."}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit("lane", self.item.lanes.all(), "Choose a swimlane of this process map.")
        model_choice_field(self, "lane").empty_label = "No swimlane"
        self.fields["duration"].min_value = 0  # type: ignore[attr-defined]


class ProcessArrowForm(PartForm):
    class Meta:
        model = ProcessArrow
        fields = ["source", "target", "label"]
        labels = {"source": "From step", "target": "To step", "label": "Arrow label"}
        error_messages = {
            "source": {"required": "Select the step the arrow starts from."},
            "target": {"required": "Select the step the arrow leads to."},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        message = "An arrow can only join two steps of the same process map."
        self.limit("source", self.item.steps.all(), message)
        self.limit("target", self.item.steps.all(), message)

    def validate_unique(self) -> None:
        """The service says it better ('X already leads to Y')."""


class ProcessArrowEditForm(PartForm):
    class Meta:
        model = ProcessArrow
        fields = ["label"]
        labels = {"label": "Arrow label"}


class SwotItemForm(PartForm):
    class Meta:
        model = SwotItem
        fields = ["quadrant", "text", "priority"]
        labels = {"quadrant": "Quadrant", "text": "Item"}
        error_messages = {"text": {"required": "Describe the item."}}


class SwotStrategyForm(PartForm):
    class Meta:
        model = SwotStrategy
        fields = ["kind", "text", "items"]
        labels = {"kind": "Kind of strategy", "text": "Strategy", "items": "Items it builds on"}
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "items": forms.CheckboxSelectMultiple}
        error_messages = {"text": {"required": "Describe the strategy."}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit("items", self.item.items.all(), "Link only items of this SWOT analysis.")
        self.fields["items"].error_messages["invalid_choice"] = (
            "Link only items of this SWOT analysis."
        )
        label_choices(
            model_choice_field(self, "items"),
            lambda entry: f"{entry.get_quadrant_display()}: {entry.text}",
        )


class PriorityOptionForm(PartForm):
    impact = _score_field("Impact", "1 (little) to 5 (a lot).")
    effort = _score_field("Effort", "1 (little) to 5 (a lot).")

    class Meta:
        model = PriorityOption
        fields = ["name", "description", "impact", "effort"]
        labels = {"name": "Option"}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"name": {"required": "Name the option."}}


class PriorityCriterionForm(PartForm):
    class Meta:
        model = PriorityCriterion
        fields = ["name", "weight"]
        labels = {"name": "Criterion"}
        error_messages = {
            "name": {"required": "Name the criterion."},
            "weight": {
                "min_value": "Weight must be a whole number from 1 to 10.",
                "max_value": "Weight must be a whole number from 1 to 10.",
                "invalid": "Weight must be a whole number from 1 to 10.",
                "required": "Weight must be a whole number from 1 to 10.",
            },
        }


class PriorityScoresForm(NhsukForm):
    """One option's score on each criterion of its matrix."""

    def __init__(self, *args: Any, option: PriorityOption, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(option.matrix.criteria.all())
        current = {s.criterion_id: s.score for s in option.scores.all()}
        for criterion in self.criteria:
            name = f"criterion_{criterion.pk}"
            self.fields[name] = _score_field(
                f"{criterion.name} (weight {criterion.weight})", "1 (poor) to 5 (very good)."
            )
            self.fields[name].widget.attrs["class"] = "nhsuk-select"
            self.initial.setdefault(name, current.get(criterion.pk, ""))

    def scores(self) -> dict[PriorityCriterion, int | None]:
        return {c: self.cleaned_data.get(f"criterion_{c.pk}") for c in self.criteria}
