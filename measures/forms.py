"""Forms of measures: the upload, the mapping screen, measure settings, local definitions,
figures entered by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from projects.forms import NhsukForm, NhsukModelForm

from . import entry, services
from .models import LocalDefinition, Measure

IGNORE_CHOICE = "__ignore__"


class UploadForm(NhsukForm):
    file = forms.FileField(
        label="Extract file",
        help_text="A CSV or Excel file (.csv, .xlsx or .xls), however your system writes it.",
    )

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        # Checked before the file is stored: too large, empty, or not a spreadsheet by name.
        services.upload_check_file(name=file.name, size=file.size)
        return file


class MappingForm(NhsukForm):
    """A select per label the parser did not know: a measure, or 'ignore this column'."""

    def __init__(self, *args: Any, unmapped: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measures = {m.code: m for m in Measure.objects.order_by("order", "name")}
        choices = [("", "Choose a measure"), (IGNORE_CHOICE, "Ignore this column")]
        choices += [(code, f"{m.name} ({code})") for code, m in self.measures.items()]
        self.labels: dict[str, str] = {}
        for i, item in enumerate(unmapped):
            name = f"label_{i}"
            self.labels[name] = item["label"]
            where = f"{item['where']}"
            if item.get("sheet"):
                where += f" on sheet '{item['sheet']}'"
            self.fields[name] = forms.ChoiceField(
                label=f"“{item['label']}”",
                choices=choices,
                help_text=f"Found as a {where}, with {item['occurrences']:,} values.",
            )
            self.fields[name].widget.attrs["class"] = "nhsuk-select"

    def choices(self) -> dict[str, Measure | None]:
        return {
            self.labels[name]: (None if value == IGNORE_CHOICE else self.measures[value])
            for name, value in self.cleaned_data.items()
        }


class MeasureForm(NhsukModelForm):
    class Meta:
        model = Measure
        fields = [
            "name",
            "description",
            "unit",
            "numerator",
            "denominator",
            "multiplier",
            "improvement",
            "chart_type",
            "rules",
            "screen_outliers",
            "order",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if bool(data.get("numerator")) != bool(data.get("denominator")):
            raise ValidationError("A proportion needs both a numerator and a denominator.")
        if self.instance.pk and self.instance in (data.get("numerator"), data.get("denominator")):
            raise ValidationError("A measure cannot be its own numerator or denominator.")
        return data


class LocalDefinitionForm(NhsukModelForm):
    class Meta:
        model = LocalDefinition
        fields = ["local_term", "definition", "source_system", "caveats", "date_agreed"]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 4}),
            "caveats": forms.Textarea(attrs={"rows": 3}),
            "date_agreed": forms.DateInput(),
        }


class WeekValuesForm(NhsukForm):
    """One box per week: a value typed in replaces the stored one; a blank box keeps it."""

    def __init__(self, *args: Any, weeks: list[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.weeks = {self.field_name(week): week for week in weeks}
        for name, week in self.weeks.items():
            self.fields[name] = forms.CharField(
                required=False,
                max_length=40,
                label=f"Week commencing {entry.week_label(week)}",
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}
                ),
            )

    @staticmethod
    def field_name(week: dt.date) -> str:
        return f"week-{week.isoformat()}"

    def values(self) -> list[dict[str, object]]:
        """The weeks given a value, for entry.values_enter."""
        return [
            {"week": week, "value": self.cleaned_data[name]}
            for name, week in self.weeks.items()
            if (self.cleaned_data.get(name) or "").strip()
        ]

    def add_problems(self, problems: list[entry.EntryProblem]) -> None:
        by_week = {week.isoformat(): name for name, week in self.weeks.items()}
        for problem in problems:
            name = by_week.get(problem.week or "")
            # The field's own label says which week: its message need not say it again.
            message = problem.message.split(": ", 1)[1] if name else problem.message
            self.add_error(name, message[:1].upper() + message[1:])
