"""Forms for the improvement tools. They check shapes; the services check the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from measures.models import Measure
from phases.models import Principle
from projects.forms import (
    NhsukForm,
    choice_field,
    choice_pairs,
    label_choices,
    model_choice_field,
)
from toolkit.forms import ItemForm, fields_changed
from toolkit.models import (
    DriverDiagram,
    DriverNode,
    PdsaCycle,
    Reflection,
    ReflectionFactor,
    SustainabilityAssessment,
    SustainabilityFactor,
    SustainabilityLevel,
    SustainabilityPlan,
)

MEASURE_ERRORS = {
    "invalid_choice": "Choose measures from the list: %(value)s is not one of them.",
    "invalid_pk_value": "Choose measures from the list.",
}


class DriverDiagramForm(ItemForm):
    class Meta:
        model = DriverDiagram
        fields = ["title", "aim_what", "aim_how_much", "aim_by_when", "outcome_measure", "step"]
        widgets = {"aim_what": forms.Textarea(attrs={"rows": 2}), "aim_by_when": forms.DateInput()}
        error_messages = {
            "aim_what": {"required": "Enter the aim: what will improve."},
            "aim_how_much": {"required": "Enter how much it will improve."},
            "aim_by_when": {"required": "Enter the date by which the aim will be met."},
            "outcome_measure": {
                "required": "Choose the outcome measure of the aim.",
                "invalid_choice": "Choose an outcome measure from the list.",
            },
            "title": {"required": "Enter a title."},
        }


class DriverNodeForm(NhsukForm):
    """Adds a node of one kind; the parent list holds this diagram's nodes of the kind above."""

    parent = forms.ModelChoiceField(
        queryset=DriverNode.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Choose a driver of this driver diagram."},
    )
    text = forms.CharField(
        max_length=300, error_messages={"required": "Enter the text of the driver or change idea."}
    )
    measures = forms.ModelMultipleChoiceField(
        queryset=Measure.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Process measures",
        error_messages=MEASURE_ERRORS,
    )

    LABELS = {
        DriverNode.Kind.PRIMARY: ("Primary driver", None),
        DriverNode.Kind.SECONDARY: ("Secondary driver", "Under primary driver"),
        DriverNode.Kind.CHANGE_IDEA: ("Change idea", "Under secondary driver"),
    }

    def __init__(self, *args: Any, diagram: DriverDiagram, kind: str, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", kind)
        super().__init__(*args, **kwargs)
        self.kind = kind
        text_label, parent_label = self.LABELS[DriverNode.Kind(kind)]
        self.fields["text"].label = text_label
        if parent_label is None:
            del self.fields["parent"]
        else:
            parent_kind = (
                DriverNode.Kind.PRIMARY
                if kind == DriverNode.Kind.SECONDARY
                else DriverNode.Kind.SECONDARY
            )
            # Any node of the right kind on the same site is accepted here, so that the service
            # can refuse one from another diagram with its own message; other sites' are unknown.
            model_choice_field(self, "parent").queryset = DriverNode.objects.filter(
                kind=parent_kind, diagram__project__site_id=diagram.project.site_id
            )
            self.fields["parent"].label = parent_label
            self.fields["parent"].required = True
            self.fields["parent"].error_messages["required"] = (
                f"Choose the {DriverNode.Kind(parent_kind).label.lower()} it belongs to."
            )
            self.fields["parent"].widget.choices = [("", "Choose…")] + [
                (n.pk, n.text) for n in diagram.nodes.filter(kind=parent_kind).order_by("order")
            ]
        if kind != DriverNode.Kind.PRIMARY:
            # Process measures belong to primary drivers; change ideas name theirs per PDSA cycle.
            del self.fields["measures"]
        fields_changed(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["kind"] = self.kind
        return cleaned


class DriverNodeEditForm(NhsukForm):
    text = forms.CharField(
        max_length=300, error_messages={"required": "Enter the text of the driver or change idea."}
    )
    measures = forms.ModelMultipleChoiceField(
        queryset=Measure.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Process measures",
        error_messages=MEASURE_ERRORS,
    )

    def __init__(self, *args: Any, node: DriverNode, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"text": node.text, "measures": list(node.measures.all())})
        super().__init__(*args, **kwargs)
        if node.kind != DriverNode.Kind.PRIMARY:
            del self.fields["measures"]


class PdsaCycleForm(ItemForm):
    class Meta:
        model = PdsaCycle
        fields = [
            "title",
            "number",
            "change_idea",
            "owner",
            "objective",
            "purpose",
            "step",
            "change_description",
            "questions",
            "predictions",
            "data_to_collect",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "measures",
            "carried_out_as_planned",
            "observations",
            "problems",
            "data_show",
            "matched_predictions",
            "learning",
        ]
        widgets = {
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in (
                    "objective",
                    "purpose",
                    "change_description",
                    "questions",
                    "predictions",
                    "data_to_collect",
                    "observations",
                    "problems",
                    "data_show",
                    "learning",
                )
            },
            **{
                name: forms.DateInput()
                for name in ("planned_start", "planned_end", "actual_start", "actual_end")
            },
            "measures": forms.CheckboxSelectMultiple,
            "carried_out_as_planned": forms.RadioSelect,
            "matched_predictions": forms.RadioSelect,
        }
        error_messages = {
            "title": {"required": "Enter a title."},
            "objective": {"required": "Enter the objective: what this cycle will test."},
            "measures": MEASURE_ERRORS,
            "change_idea": {"invalid_choice": "Choose a change idea of this project."},
        }

    # Sections of the PDSA template, for the page.
    SECTIONS = [
        (
            "About the cycle",
            ["title", "number", "change_idea", "owner", "objective", "purpose", "step"],
        ),
        (
            "Plan",
            [
                "change_description",
                "questions",
                "predictions",
                "data_to_collect",
                "planned_start",
                "planned_end",
                "measures",
            ],
        ),
        ("Do", ["actual_start", "carried_out_as_planned", "observations", "problems"]),
        ("Study", ["actual_end", "data_show", "matched_predictions", "learning"]),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "change_idea").queryset = DriverNode.objects.filter(
            kind=DriverNode.Kind.CHANGE_IDEA, diagram__project=self.project
        ).select_related("diagram")
        label_choices(
            model_choice_field(self, "change_idea"), lambda n: f"{n.text} ({n.diagram.title})"
        )
        model_choice_field(self, "change_idea").empty_label = "None"
        for name in ("carried_out_as_planned", "matched_predictions"):
            choice_field(self, name).choices = [
                c for c in choice_pairs(choice_field(self, name)) if c[0]
            ]
        fields_changed(self)

    def sections(self) -> list[tuple[str, list[Any]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]


class PdsaMoveForm(NhsukForm):
    to_stage = forms.ChoiceField(choices=PdsaCycle.Stage.choices, label="Move to")
    reason = forms.CharField(
        required=False,
        max_length=300,
        label="Reason for moving back",
        help_text="Needed only when moving back to an earlier stage.",
    )


class PdsaDecideForm(NhsukForm):
    outcome = forms.ChoiceField(
        choices=PdsaCycle.Outcome.choices,
        widget=forms.RadioSelect,
        label="Decision",
        help_text="Adapt starts the next cycle with this plan carried over.",
        error_messages={"required": "Choose adopt, adapt or abandon."},
    )
    next_steps = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Next steps"
    )
    shared_with_community = forms.BooleanField(
        required=False,
        label="Share with the community of practice",
        help_text="Other sites of the programme may read this finished cycle in the learning "
        "library. Abandoned cycles are worth sharing too: failing fast is learning.",
    )


class PdsaTaskForm(NhsukForm):
    who = forms.CharField(max_length=200, error_messages={"required": "Enter who will do it."})
    what = forms.CharField(max_length=300, error_messages={"required": "Enter what they will do."})
    when = forms.CharField(max_length=100, required=False, help_text="e.g. 'Monday 10 March'.")
    where = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "task")
        super().__init__(*args, **kwargs)


class ReflectionForm(ItemForm):
    class Meta:
        model = Reflection
        fields = [
            "title",
            "step",
            "what_worked",
            "what_did_not",
            "what_adapted",
            "lessons",
            "share_with_community",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in ("what_worked", "what_did_not", "what_adapted", "lessons")
        }
        error_messages = {
            "title": {"required": "Enter a title."},
            "what_worked": {"required": "Enter what worked."},
        }


class ReflectionFactorForm(NhsukForm):
    kind = forms.ChoiceField(
        choices=ReflectionFactor.Kind.choices,
        widget=forms.RadioSelect,
        label="Barrier or facilitator",
        error_messages={"required": "Choose barrier or facilitator."},
    )
    principle = forms.ModelChoiceField(
        queryset=Principle.objects.filter(active=True),
        empty_label="Choose…",
        label="THRIVE principle",
        error_messages={
            "required": "Choose the THRIVE principle it bears on.",
            "invalid_choice": "Choose one of the THRIVE principles.",
        },
    )
    text = forms.CharField(
        max_length=300,
        label="Description",
        error_messages={"required": "Describe the barrier or facilitator."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "factor")
        super().__init__(*args, **kwargs)


class SustainabilityPlanForm(ItemForm):
    class Meta:
        model = SustainabilityPlan
        fields = ["title", "step", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"title": {"required": "Enter a title."}}


class SustainabilityAssessmentForm(NhsukForm):
    """A level a-d for each factor (the choices show each level's description), an action per
    factor, and the date."""

    assessed_on = forms.DateField(
        widget=forms.DateInput(),
        label="Date of the assessment",
        error_messages={"required": "Enter the date of the assessment."},
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self,
        *args: Any,
        factors: list[SustainabilityFactor],
        assessment: SustainabilityAssessment | None = None,
        **kwargs: Any,
    ) -> None:
        if assessment is not None and "initial" not in kwargs:
            initial: dict[str, Any] = {
                "assessed_on": assessment.assessed_on,
                "notes": assessment.notes,
            }
            for rating in assessment.ratings.select_related("factor"):
                initial[f"level_{rating.factor.code}"] = rating.level
                initial[f"action_{rating.factor.code}"] = rating.action
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.factors = factors
        for factor in factors:
            levels = sorted(factor.levels.all(), key=lambda lv: lv.level)
            self.fields[f"level_{factor.code}"] = forms.ChoiceField(
                label=f"{factor.name} ({factor.get_domain_display()})",
                help_text=factor.question,
                widget=forms.RadioSelect(attrs={"class": "nhsuk-radios__input"}),
                choices=[
                    (lv.level, f"{lv.level}: {lv.description} (scores {lv.weight:g})")
                    for lv in levels
                ],
                error_messages={
                    "required": f"{factor.name}: choose level a, b, c or d.",
                    "invalid_choice": f"{factor.name}: choose level a, b, c or d.",
                },
            )
            self.fields[f"action_{factor.code}"] = forms.CharField(
                required=False,
                max_length=2000,
                label=f"Action for {factor.name.lower()}",
                help_text="Needed most where the level is c or d.",
                widget=forms.Textarea(attrs={"rows": 2, "class": "nhsuk-textarea"}),
            )
        fields_changed(self)

    def factor_fields(self) -> list[tuple[SustainabilityFactor, Any, Any]]:
        return [(f, self[f"level_{f.code}"], self[f"action_{f.code}"]) for f in self.factors]

    def ratings(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            f.code: (data[f"level_{f.code}"], data.get(f"action_{f.code}", ""))
            for f in self.factors
            if data.get(f"level_{f.code}")
        }


class SustainabilityFactorForm(NhsukForm):
    """A programme lead's correction of one factor and its four levels."""

    name = forms.CharField(max_length=200, error_messages={"required": "Enter the factor's name."})
    question = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, factor: SustainabilityFactor, **kwargs: Any) -> None:
        levels = {lv.level: lv for lv in factor.levels.all()}
        initial: dict[str, Any] = {"name": factor.name, "question": factor.question}
        for letter in SustainabilityLevel.Letter.values:
            if letter in levels:
                initial[f"description_{letter}"] = levels[letter].description
                initial[f"weight_{letter}"] = levels[letter].weight
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for letter in SustainabilityLevel.Letter.values:
            self.fields[f"description_{letter}"] = forms.CharField(
                label=f"Level {letter}: description",
                widget=forms.Textarea(attrs={"rows": 2, "class": "nhsuk-textarea"}),
                error_messages={"required": f"Describe level {letter}."},
            )
            self.fields[f"weight_{letter}"] = forms.DecimalField(
                label=f"Level {letter}: weight",
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=4,
                decimal_places=1,
                widget=forms.NumberInput(
                    attrs={"class": "nhsuk-input nhsuk-input--width-4", "step": "0.1"}
                ),
                error_messages={
                    "required": f"Level {letter}: enter a weight from 0 to 100.",
                    "min_value": f"Level {letter}: enter a weight from 0 to 100.",
                    "max_value": f"Level {letter}: enter a weight from 0 to 100.",
                },
            )
        fields_changed(self)

    def levels(self) -> dict[str, tuple[str, Decimal]]:
        data = self.cleaned_data
        return {
            letter: (data[f"description_{letter}"], data[f"weight_{letter}"])
            for letter in SustainabilityLevel.Letter.values
        }
