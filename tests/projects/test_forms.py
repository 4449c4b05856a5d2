"""The NHS.UK form base: fields drawn as the design system does, errors that say what to do."""

from __future__ import annotations

import pytest
from django import forms

from phases.forms import StakeholderForm
from projects.forms import NhsukForm, required_message


class Example(NhsukForm):
    name = forms.CharField()
    sector = forms.ChoiceField(choices=[("", "---------"), ("nhs", "NHS")])
    interest = forms.ChoiceField(
        label="How much interest do they have?",
        choices=[("", "---------"), ("low", "Low"), ("high", "High")],
        widget=forms.RadioSelect,
    )
    focus = forms.ChoiceField(label="THRIVE focus", choices=[("a", "A")])
    extract = forms.FileField(label="Extract file")
    week = forms.DateField(label="Week (any day of it)")
    reason = forms.CharField(label="Reason (optional)", required=False)
    title = forms.CharField(error_messages={"required": "Enter a title for the cycle."})


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("name", "Enter the name."),
        ("sector", "Select the sector."),
        ("interest", "Select how much interest do they have."),
        ("focus", "Select the THRIVE focus."),
        ("extract", "Choose the extract file."),
        ("week", "Enter the week."),
        ("title", "Enter a title for the cycle."),
    ],
)
def test_an_empty_required_field_says_what_to_do(name, message):
    form = Example(data={"walk": "1"})
    assert not form.is_valid()
    assert form.errors[name] == [message]


def test_no_error_reads_this_field_is_required():
    form = Example(data={"walk": "1"})
    form.is_valid()
    assert "This field is required." not in str(form.errors)


def test_a_required_radio_group_offers_no_empty_choice_and_none_is_selected():
    html = str(Example()["interest"])
    assert 'value=""' not in html
    assert "---------" not in html
    assert "checked" not in html


def test_a_lists_empty_entry_asks_for_a_choice_in_words():
    html = str(Example()["sector"])
    assert "---------" not in html
    assert ">Choose…</option>" in html


def test_an_optional_label_says_optional_once():
    html = Example().as_div()
    assert "Reason (optional)" in html
    assert "(optional) (optional)" not in html


def test_a_field_added_after_init_is_prepared_when_used():
    form = Example(data={"walk": "1"})
    form.fields["late"] = forms.ChoiceField(
        label="Owner", choices=[("", "---------"), ("1", "Ann")], widget=forms.RadioSelect
    )
    assert 'value=""' not in str(form["late"])
    form.is_valid()
    assert form.errors["late"] == ["Select the owner."]


def test_required_message_keeps_acronyms_and_needs_no_article_before_a_question_word():
    assert required_message(forms.CharField(label="PDSA cycle title")) == (
        "Enter the PDSA cycle title."
    )
    assert required_message(forms.CharField(label="What you presented")) == (
        "Enter what you presented."
    )


@pytest.mark.django_db
def test_the_stakeholder_form_asks_for_interest_and_influence_without_a_blank_radio():
    form = StakeholderForm(data={"walk": "1"})
    html = str(form["interest"]) + str(form["influence"])
    assert 'value=""' not in html
    assert "checked" not in html
    assert not form.is_valid()
    assert form.errors["interest"] == ["Select how much interest they have."]
    assert form.errors["influence"] == ["Select how much influence they have."]
    assert form.errors["name"] == ["Enter the stakeholder's name."]
