"""Forms of the chart pages: settings, adjustments (rebase/exclude), notes, sharing."""

from __future__ import annotations

from typing import Any

from django import forms

from measures.models import ChartAdjustment, ChartSettings, Measure
from projects.forms import NhsukForm, choice_field

DEFAULT = ("", "As the measure (default)")


class ChartSettingsForm(NhsukForm):
    chart_type = forms.ChoiceField(
        label="Chart type", choices=[DEFAULT, *Measure.ChartType.choices], required=False
    )
    rules = forms.ChoiceField(
        label="Rules for special causes", choices=[DEFAULT, *Measure.Rules.choices], required=False
    )
    improvement = forms.ChoiceField(
        label="Improvement direction",
        choices=[DEFAULT, *Measure.Improvement.choices],
        required=False,
    )
    freeze = forms.IntegerField(
        label="Baseline: compute the centre and limits from the first N points",
        help_text="Leave empty to use every point.",
        min_value=2,
        required=False,
    )
    target = forms.FloatField(
        label="Target",
        help_text="On the chart's scale (e.g. 28 for 28 days); shown as the assurance icon.",
        required=False,
    )
    screen_outliers = forms.ChoiceField(
        label="Screen out very large moving ranges when computing limits",
        choices=[DEFAULT, ("yes", "Yes"), ("no", "No")],
        required=False,
    )
    reason = forms.CharField(
        label="Reason for the change",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the history with your name.",
    )

    @classmethod
    def initial_for(cls, current: ChartSettings) -> dict[str, Any]:
        return {
            "chart_type": current.chart_type,
            "rules": current.rules,
            "improvement": current.improvement,
            "freeze": current.freeze,
            "target": current.target,
            "screen_outliers": {None: "", True: "yes", False: "no"}[current.screen_outliers],
        }

    def settings(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("reason")
        data["screen_outliers"] = {"": None, "yes": True, "no": False}[data["screen_outliers"]]
        return data


class AdjustmentForm(NhsukForm):
    kind = forms.ChoiceField(
        label="What to do", choices=ChartAdjustment.Kind.choices, widget=forms.RadioSelect
    )
    period = forms.DateField(label="Week (any day of it)", widget=forms.DateInput())
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}))
    pdsa_cycle_id = forms.TypedChoiceField(
        label="The adopted PDSA cycle behind a rebase (optional)",
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args: Any, cycles: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "pdsa_cycle_id").choices = [("", "None")] + [
            (c.id, c.title) for c in cycles
        ]


class PointNoteForm(NhsukForm):
    period = forms.DateField(label="Week (any day of it)", widget=forms.DateInput())
    text = forms.CharField(
        label="Note",
        help_text="Why this happened, e.g. what changed that week.",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class ShareForm(NhsukForm):
    shared = forms.BooleanField(
        label="Let other sites of the programme see this chart", required=False
    )
